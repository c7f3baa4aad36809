/// LZF, the compression RDB files use for long strings: literal runs of up
/// to 32 bytes and back references of 3 to 264 bytes up to 8 KiB back.
enum LZF {
    /// Compresses `input` if the result fits in four bytes less (Redis's rule);
    /// `nil` otherwise.
    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = input.count
        guard count > 4 else { return nil }
        let limit = count - 4
        var output = [UInt8]()
        output.reserveCapacity(limit)
        var table = [Int32](repeating: -1, count: 1 << 14)
        var literalStart = 0
        var literals = 0
        output.append(0)

        func hash(_ at: Int) -> Int {
            let v = UInt32(input[at]) << 16 | UInt32(input[at + 1]) << 8 | UInt32(input[at + 2])
            return Int((v &* 2_654_435_761) >> 18)
        }

        var position = 0
        /// Copies one input byte into the open literal run, closing it at 32.
        func appendLiteral() {
            output.append(input[position])
            literals += 1
            position += 1
            if literals == 32 {
                output[literalStart] = 31
                literalStart = output.count
                literals = 0
                output.append(0)
            }
        }

        while position + 2 < count {
            let slot = hash(position)
            let reference = Int(table[slot])
            table[slot] = Int32(position)
            let offset = position - reference - 1
            if reference >= 0, offset < 8192,
               input[reference] == input[position], input[reference + 1] == input[position + 1],
               input[reference + 2] == input[position + 2] {
                var length = 3
                let maxLength = min(count - position, 264)
                while length < maxLength && input[reference + length] == input[position + length] { length += 1 }
                // Close the literal run, or drop its unused control byte.
                if literals > 0 { output[literalStart] = UInt8(literals - 1) } else { output.removeLast() }
                let field = length - 2
                if field < 7 {
                    output.append(UInt8(field << 5 | offset >> 8))
                } else {
                    output.append(UInt8(7 << 5 | offset >> 8))
                    output.append(UInt8(field - 7))
                }
                output.append(UInt8(offset & 0xFF))
                position += length
                literalStart = output.count
                literals = 0
                output.append(0)
            } else {
                appendLiteral()
            }
            if output.count > limit { return nil }
        }
        while position < count { appendLiteral() }
        if literals > 0 { output[literalStart] = UInt8(literals - 1) } else { output.removeLast() }
        return output.count <= limit ? output : nil
    }

    /// Expands `input` into exactly `length` bytes; `nil` if the data is
    /// malformed or does not produce that length.
    static func decompress(_ input: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        var valid = false
        let output = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            valid = decompress(input, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = valid ? length : 0
        }
        return valid ? output : nil
    }

    /// Expands `input` into exactly `output`'s bytes; `false` if the data is
    /// malformed or does not produce that length.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        let length = output.count
        guard length > 0 else { return input.isEmpty }
        guard let source = input.baseAddress, let target = output.baseAddress else { return false }
        // Written in place through pointers, as Redis's lzf_d. A run of at
        // most 16 bytes (most of them) is moved as two 8-byte words where
        // both ends have room: the bytes past it are written again later.
        var written = 0
        var index = 0
        while index < input.count {
            let control = Int(source.load(fromByteOffset: index, as: UInt8.self))
            index += 1
            if control < 32 {
                let run = control + 1
                guard index + run <= input.count, written + run <= length else { return false }
                if run <= 16 && index + 16 <= input.count && written + 16 <= length {
                    copyWords(from: source + index, to: target + written)
                } else {
                    (target + written).copyMemory(from: source + index, byteCount: run)
                }
                index += run
                written += run
            } else {
                var run = control >> 5
                if run == 7 {
                    guard index < input.count else { return false }
                    run += Int(source.load(fromByteOffset: index, as: UInt8.self))
                    index += 1
                }
                guard index < input.count else { return false }
                let start = written - ((control & 0x1F) << 8) - 1 - Int(source.load(fromByteOffset: index, as: UInt8.self))
                index += 1
                run += 2
                guard start >= 0, written + run <= length else { return false }
                if start + run <= written {
                    // Both words are read before either is written, and the
                    // run's own bytes all come from before it.
                    if run <= 16 && written + 16 <= length {
                        copyWords(from: UnsafeRawPointer(target + start), to: target + written)
                    } else {
                        (target + written).copyMemory(from: target + start, byteCount: run)
                    }
                } else {
                    // A reference that overlaps what it writes repeats bytes just written: one at a time.
                    for offset in 0..<run {
                        target.storeBytes(of: target.load(fromByteOffset: start + offset, as: UInt8.self), toByteOffset: written + offset, as: UInt8.self)
                    }
                }
                written += run
            }
        }
        return written == length
    }

    /// Moves 16 bytes as two words, read before they are written.
    @inline(__always)
    private static func copyWords(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer) {
        let first = source.loadUnaligned(as: UInt64.self)
        let second = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        target.storeBytes(of: first, as: UInt64.self)
        target.storeBytes(of: second, toByteOffset: 8, as: UInt64.self)
    }
}
