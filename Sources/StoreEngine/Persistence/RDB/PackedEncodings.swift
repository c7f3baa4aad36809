/// Redis's compact encodings as RDB stores them in a string: the listpack
/// (Redis 7.0's small hashes, sets of strings, sorted sets and list nodes),
/// and, for reading older files, the ziplist and the zipmap. Decoding checks
/// every length against the bytes there are, as Redis's deep sanitization
/// does, so a damaged blob is an error, never a crash.
enum PackedEncodings {
    /// Why a blob is refused.
    struct Invalid: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    // MARK: Listpack

    /// The listpack of `elements`, byte for byte as Redis's `lpAppend`
    /// builds it: integers that read back the same are stored as integers.
    static func listpack(_ elements: [Bytes]) -> [UInt8] {
        Listpack(elements).bytes
    }

    /// Redis's `lpStringToInt64`: a canonical decimal of at most 20
    /// characters that fits 64 bits.
    static func listpackInteger(_ element: Bytes) -> Int64? {
        guard element.count > 0 && element.count < 21 else { return nil }
        return element.int64Value.flatMap { Bytes($0) == element ? $0 : nil }
    }

    /// The elements of a listpack, checked as Redis's `lpValidateIntegrity`.
    static func elements(ofListpack blob: Bytes) throws(Invalid) -> [Bytes] {
        var elements: [Bytes] = []
        try forEachListpackElement(blob) { elements.append($0) }
        return elements
    }

    /// Calls `body` with each element of a listpack in order, after checking
    /// each entry; throws at the first that is wrong.
    static func forEachListpackElement(_ blob: Bytes, _ body: (Bytes) -> Void) throws(Invalid) {
        /// Copies each element out for `body`.
        struct Copying: ListpackVisitor {
            let body: (Bytes) -> Void
            func visit(_ element: ListpackElement) {
                switch element {
                case .bytes(let raw): body(Bytes(raw))
                case .integer(let value): body(Bytes(value))
                }
            }
        }
        // The visitor holds `body` only while the walk runs.
        let outcome = withoutActuallyEscaping(body) { body in
            blob.withUnsafeBytes { bytes in
                Result { () throws(Invalid) in
                    var visitor = Copying(body: body)
                    return try walkListpack(bytes, &visitor)
                }
            }
        }
        _ = try outcome.get()
    }

    /// The number of elements of a listpack, each entry checked as
    /// `forEachListpackElement` checks it, none copied out (a list's node).
    static func listpackCount(_ blob: Bytes) throws(Invalid) -> Int {
        /// Looks at no element.
        struct Counting: ListpackVisitor {
            func visit(_ element: ListpackElement) {}
        }
        return try blob.withUnsafeBytes { bytes in
            Result { () throws(Invalid) in
                var visitor = Counting()
                return try walkListpack(bytes, &visitor)
            }
        }.get()
    }

    /// An element where a listpack entry holds it: its bytes in place, or its integer.
    enum ListpackElement {
        case bytes(UnsafeRawBufferPointer)
        case integer(Int64)
    }

    /// What takes a listpack's elements, in order, as a walk checks them.
    protocol ListpackVisitor {
        mutating func visit(_ element: ListpackElement)
    }

    /// Checks every entry of a listpack, handing each element to `visitor`
    /// (specialized for each visitor: a loader's walk makes no call per element).
    /// - Returns: the number of elements.
    @inline(__always)
    static func walkListpack<Visitor: ListpackVisitor>(
        _ bytes: UnsafeRawBufferPointer, _ visitor: inout Visitor
    ) throws(Invalid) -> Int {
        guard bytes.count >= 7 else { throw Invalid("listpack shorter than its header") }
        let total = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        let declared = Int(UInt16(bytes[4]) | UInt16(bytes[5]) << 8)
        guard total == bytes.count else { throw Invalid("listpack header says \(total) bytes, it has \(bytes.count)") }
        guard bytes[total - 1] == 0xFF else { throw Invalid("listpack without its end byte") }
        let end = total - 1
        var found = 0
        var position = 6
        while position < end {
            let first = bytes[position]
            // The entry's bytes before its back length: a string's header and bytes, or an integer's.
            let size: Int
            var header = 0
            var integerBytes = 0
            switch first {
            case 0x00...0x7F:
                size = 1
            case 0x80...0xBF:
                header = 1
                size = 1 + Int(first & 0x3F)
            case 0xC0...0xDF:
                size = 2
            case 0xE0...0xEF:
                guard position + 2 <= end else { throw Invalid("listpack entry runs past the end") }
                header = 2
                size = 2 + (Int(first & 0x0F) << 8 | Int(bytes[position + 1]))
            case 0xF0:
                guard position + 5 <= end else { throw Invalid("listpack entry runs past the end") }
                header = 5
                size = 5 + Int(UInt32(bytes[position + 1]) | UInt32(bytes[position + 2]) << 8
                    | UInt32(bytes[position + 3]) << 16 | UInt32(bytes[position + 4]) << 24)
            case 0xF1: integerBytes = 2; size = 3
            case 0xF2: integerBytes = 3; size = 4
            case 0xF3: integerBytes = 4; size = 5
            case 0xF4: integerBytes = 8; size = 9
            default:
                throw Invalid("unknown listpack encoding \(first)")
            }
            guard position + size <= end else { throw Invalid("listpack entry runs past the end") }
            // The back length must say how long the entry was (one byte for most).
            let backlen = Listpack.backlenSize(size)
            let backlenFits = position + size + backlen <= end
            guard backlenFits, backlen == 1 ? bytes[position + size] == UInt8(size)
                : decodeBacklen(bytes, at: position + size, size: backlen) == UInt64(size) else {
                throw Invalid("listpack entry with a wrong back length")
            }
            if header > 0 {
                visitor.visit(.bytes(UnsafeRawBufferPointer(rebasing: bytes[position + header..<position + size])))
            } else if first < 0x80 {
                visitor.visit(.integer(Int64(first)))
            } else if integerBytes == 0 {
                let raw = Int64(first & 0x1F) << 8 | Int64(bytes[position + 1])
                visitor.visit(.integer(raw >= 1 << 12 ? raw - (1 << 13) : raw))
            } else {
                var value: UInt64 = 0
                for index in 0..<integerBytes { value |= UInt64(bytes[position + 1 + index]) << (8 * index) }
                let shift = UInt64(64 - 8 * integerBytes)
                visitor.visit(.integer(Int64(bitPattern: value << shift) >> Int64(shift)))
            }
            position += size + backlen
            found += 1
        }
        guard declared == 65535 || declared == found else {
            throw Invalid("listpack header counts \(declared) elements, it holds \(found)")
        }
        return found
    }

    /// A back length of `size` bytes at `offset`, as `appendBacklen` writes it:
    /// read backwards, it must stop at its first byte, the only one without
    /// the high bit (else a walk back from the entry after runs past it).
    private static func decodeBacklen(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<size {
            let group = bytes[offset + index]
            if (index > 0) != (group & 128 != 0) { return .max }
            value = value << 7 | UInt64(group & 127)
        }
        return value
    }

    // MARK: Intset

    /// An intset: the narrowest of 16, 32 and 64 bits that holds every
    /// integer, little-endian, sorted, as Redis's `intset.c` keeps it.
    static func intset(_ integers: [Int64]) -> [UInt8] {
        let width: Int
        switch (integers.first ?? 0, integers.last ?? 0) {
        case (Int64(Int16.min)..., ...Int64(Int16.max)): width = 2
        case (Int64(Int32.min)..., ...Int64(Int32.max)): width = 4
        default: width = 8
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + integers.count * width)
        withUnsafeBytes(of: UInt32(width).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(integers.count).littleEndian) { bytes += $0 }
        for value in integers {
            for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
        }
        return bytes
    }

    /// The integers of an intset, checked as Redis's `intsetValidateIntegrity`:
    /// a known width, the length the header says, ascending without repeats.
    static func integers(ofIntset blob: Bytes) throws(Invalid) -> [Int64] {
        let bytes = blob.array
        guard bytes.count >= 8 else { throw Invalid("intset shorter than its header") }
        let width = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        let count = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
        guard width == 2 || width == 4 || width == 8 else { throw Invalid("intset of an unknown width \(width)") }
        guard count > 0, bytes.count == 8 + count * width else { throw Invalid("intset length does not match its size") }
        var integers: [Int64] = []
        integers.reserveCapacity(count)
        for index in 0..<count {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(bytes[8 + index * width + byte]) << (8 * byte) }
            let shift = UInt64(64 - 8 * width)
            let integer = Int64(bitPattern: value << shift) >> Int64(shift)
            if let last = integers.last, integer <= last { throw Invalid("intset not sorted or with a repeat") }
            integers.append(integer)
        }
        return integers
    }

    // MARK: Ziplist (before Redis 7.0)

    /// The elements of a ziplist, checked as Redis's `ziplistValidateIntegrity`.
    static func elements(ofZiplist blob: Bytes) throws(Invalid) -> [Bytes] {
        let bytes = blob.array
        guard bytes.count >= 11 else { throw Invalid("ziplist shorter than its header") }
        func u32(_ at: Int) -> Int {
            Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        let total = u32(0)
        guard total == bytes.count, bytes[total - 1] == 0xFF else { throw Invalid("ziplist length or end byte wrong") }
        let declared = Int(UInt16(bytes[8]) | UInt16(bytes[9]) << 8)
        var elements: [Bytes] = []
        var position = 10
        var previous = 0
        func need(_ count: Int) throws(Invalid) {
            guard count >= 0, position + count <= total - 1 else { throw Invalid("ziplist entry runs past the end") }
        }
        while position < total - 1 {
            let start = position
            // The previous entry's length: one byte, or 0xFE and four.
            try need(1)
            var previousLength = Int(bytes[position])
            if previousLength == 0xFE {
                try need(5)
                previousLength = u32(position + 1)
                position += 5
            } else {
                position += 1
            }
            guard previousLength == previous else { throw Invalid("ziplist entry with a wrong previous length") }
            try need(1)
            let encoding = bytes[position]
            func integer(_ count: Int) throws(Invalid) -> Int64 {
                try need(1 + count)
                var value: UInt64 = 0
                for index in 0..<count { value |= UInt64(bytes[position + 1 + index]) << (8 * index) }
                let shift = UInt64(64 - 8 * count)
                position += 1 + count
                return Int64(bitPattern: value << shift) >> Int64(shift)
            }
            func string(_ length: Int, after header: Int) throws(Invalid) -> Bytes {
                try need(header + length)
                defer { position += header + length }
                return Bytes(bytes[position + header..<position + header + length])
            }
            switch encoding >> 6 {
            case 0:
                elements.append(try string(Int(encoding & 0x3F), after: 1))
            case 1:
                try need(2)
                elements.append(try string(Int(encoding & 0x3F) << 8 | Int(bytes[position + 1]), after: 2))
            case 2:
                try need(5)
                let length = Int(bytes[position + 1]) << 24 | Int(bytes[position + 2]) << 16
                    | Int(bytes[position + 3]) << 8 | Int(bytes[position + 4])
                elements.append(try string(length, after: 5))
            default:
                switch encoding {
                case 0xC0: elements.append(Bytes(try integer(2)))
                case 0xD0: elements.append(Bytes(try integer(4)))
                case 0xE0: elements.append(Bytes(try integer(8)))
                case 0xF0: elements.append(Bytes(try integer(3)))
                case 0xFE: elements.append(Bytes(try integer(1)))
                case 0xF1...0xFD:
                    elements.append(Bytes(Int64(encoding & 0x0F) - 1))
                    position += 1
                default: throw Invalid("unknown ziplist encoding \(encoding)")
                }
            }
            previous = position - start
        }
        guard declared == 65535 || declared == elements.count else {
            throw Invalid("ziplist header counts \(declared) entries, it holds \(elements.count)")
        }
        return elements
    }

    // MARK: Zipmap (hashes before Redis 2.6)

    /// The fields and values of a zipmap, alternating.
    static func elements(ofZipmap blob: Bytes) throws(Invalid) -> [Bytes] {
        let bytes = blob.array
        var position = 1
        var elements: [Bytes] = []
        func length() throws(Invalid) -> Int {
            guard position < bytes.count else { throw Invalid("zipmap runs past the end") }
            let first = bytes[position]
            if first < 254 {
                position += 1
                return Int(first)
            }
            guard first == 254, position + 5 <= bytes.count else { throw Invalid("zipmap with a bad length") }
            defer { position += 5 }
            return Int(UInt32(bytes[position + 1]) | UInt32(bytes[position + 2]) << 8
                | UInt32(bytes[position + 3]) << 16 | UInt32(bytes[position + 4]) << 24)
        }
        func take(_ count: Int) throws(Invalid) -> Bytes {
            guard count >= 0, position + count <= bytes.count else { throw Invalid("zipmap runs past the end") }
            defer { position += count }
            return Bytes(bytes[position..<position + count])
        }
        while true {
            guard position < bytes.count else { throw Invalid("zipmap without its end byte") }
            if bytes[position] == 255 {
                guard position == bytes.count - 1 else { throw Invalid("bytes after the zipmap's end") }
                return elements
            }
            elements.append(try take(try length()))
            let valueLength = try length()
            guard position < bytes.count else { throw Invalid("zipmap runs past the end") }
            let free = Int(bytes[position])
            position += 1
            elements.append(try take(valueLength))
            _ = try take(free)
        }
    }
}
