#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one file of the append-only file as Redis's
/// `loadSingleAppendOnlyFile` does: an RDB (a base, or an old-style
/// preamble) when it starts with `REDIS`, then commands in RESP, `#`
/// annotation lines skipped. The file is mapped, never copied whole.
struct AOFReader {
    /// What reading found.
    struct Outcome {
        /// The RDB at the file's start, if any.
        var rdb: RDBDecoder.Result?
        var commands = 0
        /// Where the last complete command ended, when the file ends inside
        /// one (or inside a MULTI never closed): the length to cut it to.
        var truncatedAt: Int?
    }

    let path: String

    /// Reads the file, handing each command to `run`, which answers
    /// whether the command is known.
    /// - Returns: `nil` when there is no such file.
    func read(limits: EncodingLimits, run: ([Bytes]) -> Bool) throws(AppendOnlyError) -> Outcome? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "open", message: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .io(path: path, operation: "stat", message: String(cString: strerror(errno)))
        }
        let size = Int(status.st_size)
        guard size > 0 else { return Outcome() }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw .io(path: path, operation: "map", message: String(cString: strerror(errno)))
        }
        defer { munmap(mapped, size) }
        madvise(mapped, size, MADV_SEQUENTIAL)
        return try parse(UnsafeRawBufferPointer(start: mapped, count: size), limits: limits, run: run)
    }

    /// The parsing itself, over bytes in memory.
    func parse(
        _ data: UnsafeRawBufferPointer, limits: EncodingLimits, run: ([Bytes]) -> Bool
    ) throws(AppendOnlyError) -> Outcome {
        var outcome = Outcome()
        var offset = 0
        if data.count >= 5 && Array(data.prefix(5)) == RDBFormat.magic {
            var decoder = RDBDecoder(data, path: path, limits: limits)
            do {
                // Keys past their deadline are kept, as Redis loads an AOF preamble: they expire after loading.
                let result = try decoder.decode(now: .min)
                offset = result.length
                outcome.rdb = result
            } catch {
                throw .base(error)
            }
        }
        var validUpTo = offset
        var validBeforeMulti = offset
        var inMulti = false
        let count = data.count

        /// The line at `offset` up to its LF (at most 1 KB, as Redis's
        /// fgets buffer), or nil at the end of the file.
        func line() -> (start: Int, end: Int)? {
            guard offset < count else { return nil }
            let start = offset
            let limit = min(count, start + 1023)
            var index = start
            while index < limit && data[index] != 10 { index += 1 }
            offset = index < limit ? index + 1 : index
            return (start, index)
        }
        /// A decimal after the line's first byte, as atoi/strtol read it.
        func number(_ span: (start: Int, end: Int)) -> Int {
            var index = span.start + 1
            var negative = false
            if index < span.end && (data[index] == UInt8(ascii: "-") || data[index] == UInt8(ascii: "+")) {
                negative = data[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            while index < span.end, (48...57).contains(data[index]), value < Int.max / 10 - 10 {
                value = value * 10 + Int(data[index] - 48)
                index += 1
            }
            return negative ? -value : value
        }

        commands: while true {
            let commandStart = offset
            guard let header = line() else { break }
            if data[header.start] == UInt8(ascii: "#") { continue }
            guard data[header.start] == UInt8(ascii: "*") else { throw .badFormat(path: path, offset: commandStart) }
            // A header cut by the end of the file is a short read.
            if header.end == count { outcome.truncatedAt = inMulti ? validBeforeMulti : validUpTo; break }
            let argc = number(header)
            guard argc >= 1 else { throw .badFormat(path: path, offset: commandStart) }
            var words: [Bytes] = []
            words.reserveCapacity(min(argc, 1024))
            for _ in 0..<argc {
                guard let lengthLine = line(), lengthLine.end < count else {
                    outcome.truncatedAt = inMulti ? validBeforeMulti : validUpTo
                    break commands
                }
                guard data[lengthLine.start] == UInt8(ascii: "$") else { throw .badFormat(path: path, offset: commandStart) }
                let length = max(number(lengthLine), 0)
                guard count - offset >= length + 2 else {
                    outcome.truncatedAt = inMulti ? validBeforeMulti : validUpTo
                    break commands
                }
                words.append(Bytes(UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)])))
                offset += length + 2
            }
            let name = words[0]
            if name.equalsIgnoringCase("multi") {
                validBeforeMulti = validUpTo
                inMulti = true
            } else if name.equalsIgnoringCase("exec") || name.equalsIgnoringCase("discard") {
                inMulti = false
            }
            guard run(words) else {
                throw .unknownCommand(path: path, offset: commandStart, name: String(decoding: name.array.prefix(128), as: UTF8.self))
            }
            outcome.commands += 1
            validUpTo = offset
        }
        // A MULTI never closed is cut, as a short read.
        if outcome.truncatedAt == nil && inMulti { outcome.truncatedAt = validBeforeMulti }
        return outcome
    }
}
