#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Redis's listpack, byte for byte (`listpack.c`): a six-byte header (total
/// bytes, element count), each entry as its encoding, its data and its
/// length written backwards, then 0xFF. An element that reads back as the
/// same integer is stored as one. A list's nodes are listpacks, so a list
/// is saved and loaded without converting a byte.
///
/// An entry is named by its offset in `bytes`; `endOffset` names the place
/// after the last one. Offsets after a change move.
struct Listpack: Sendable {
    /// Header, entries, end byte.
    private(set) var bytes: [UInt8]
    /// The elements, also past the header's 65,535 (it then says "unknown").
    /// Stored in 32 bits, so that a list's one node and its tag fit two words.
    private var storedCount: Int32

    var count: Int {
        get { Int(storedCount) }
        set { storedCount = Int32(newValue) }
    }

    static let headerSize = 6

    init() {
        bytes = [7, 0, 0, 0, 0, 0, 0xFF]
        storedCount = 0
    }

    /// The listpack of `elements`, as Redis's `lpAppend` builds it.
    init(_ elements: some Sequence<Bytes>) {
        self.init()
        var body: [UInt8] = []
        var added = 0
        for element in elements {
            Self.appendEntry(element, to: &body)
            added += 1
        }
        bytes.insert(contentsOf: body, at: Self.headerSize)
        count = added
        updateHeader()
    }

    /// A listpack read from a file, each entry checked as Redis's
    /// `lpValidateIntegrity` checks it.
    init(validating blob: Bytes) throws(PackedEncodings.Invalid) {
        let found = try PackedEncodings.listpackCount(blob)
        // A listpack is at most 4 GB, its entries at least 2 bytes each.
        guard found <= Int(Int32.max) else { throw PackedEncodings.Invalid("listpack of \(found) elements") }
        storedCount = Int32(found)
        bytes = blob.array
    }

    /// The entries `range` of `source` (offsets of entry starts or its end)
    /// as a listpack of their own, holding `count` elements.
    init(entries range: Range<Int>, of source: Listpack, count: Int) {
        bytes = [0, 0, 0, 0, 0, 0]
        bytes.reserveCapacity(range.count + 7)
        bytes += source.bytes[range]
        bytes.append(0xFF)
        storedCount = Int32(count)
        updateHeader()
    }

    var isEmpty: Bool { count == 0 }
    var byteCount: Int { bytes.count }
    /// The bytes allocated, as MEMORY USAGE counts them.
    var capacity: Int { bytes.capacity }
    var firstOffset: Int { Self.headerSize }
    var endOffset: Int { bytes.count - 1 }

    // MARK: Walking

    /// The offset of the entry after the one at `offset` (`endOffset` after the last).
    func offset(after offset: Int) -> Int {
        let size = entrySize(at: offset)
        return offset + size + Self.backlenSize(size)
    }

    /// The offset of the entry before `offset` (an entry or `endOffset`).
    func offset(before offset: Int) -> Int {
        var end = offset - 1
        var size = Int(bytes[end] & 127)
        var shift = 7
        while bytes[end] & 128 != 0 {
            end -= 1
            size |= Int(bytes[end] & 127) << shift
            shift += 7
        }
        return end - size
    }

    /// The bytes of the entry's encoding and data, without its back length.
    private func entrySize(at offset: Int) -> Int {
        let first = bytes[offset]
        if first & 0x80 == 0 { return 1 }
        if first & 0xC0 == 0x80 { return 1 + Int(first & 0x3F) }
        if first & 0xE0 == 0xC0 { return 2 }
        if first & 0xF0 == 0xE0 { return 2 + (Int(first & 0x0F) << 8 | Int(bytes[offset + 1])) }
        switch first {
        case 0xF0: return 5 + stringLength32(at: offset)
        case 0xF1: return 3
        case 0xF2: return 4
        case 0xF3: return 5
        default: return 9
        }
    }

    private func stringLength32(at offset: Int) -> Int {
        Int(bytes[offset + 1]) | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]) << 16 | Int(bytes[offset + 4]) << 24
    }

    /// Where a string entry's bytes are, or its integer.
    private enum Content {
        case string(Range<Int>)
        case integer(Int64)
    }

    private func content(at offset: Int) -> Content {
        let first = bytes[offset]
        func signed(_ width: Int) -> Int64 {
            var value: UInt64 = 0
            for index in 0..<width { value |= UInt64(bytes[offset + 1 + index]) << (8 * index) }
            let shift = UInt64(64 - 8 * width)
            return Int64(bitPattern: value << shift) >> Int64(shift)
        }
        if first & 0x80 == 0 { return .integer(Int64(first)) }
        if first & 0xC0 == 0x80 { return .string(offset + 1..<offset + 1 + Int(first & 0x3F)) }
        if first & 0xE0 == 0xC0 {
            let raw = Int64(first & 0x1F) << 8 | Int64(bytes[offset + 1])
            return .integer(raw >= 1 << 12 ? raw - (1 << 13) : raw)
        }
        if first & 0xF0 == 0xE0 {
            return .string(offset + 2..<offset + 2 + (Int(first & 0x0F) << 8 | Int(bytes[offset + 1])))
        }
        switch first {
        case 0xF0: return .string(offset + 5..<offset + 5 + stringLength32(at: offset))
        case 0xF1: return .integer(signed(2))
        case 0xF2: return .integer(signed(3))
        case 0xF3: return .integer(signed(4))
        default: return .integer(signed(8))
        }
    }

    /// Calls `body` with the elements from the entry at `offset` on, in
    /// order, at most `limit` of them; returns how many it called it with.
    func forEachElement(from offset: Int, limit: Int, _ body: (Bytes) -> Void) -> Int {
        var offset = offset
        var done = 0
        while done < limit && offset != endOffset {
            body(element(at: offset))
            offset = self.offset(after: offset)
            done += 1
        }
        return done
    }

    /// The element at `offset`.
    func element(at offset: Int) -> Bytes {
        switch content(at: offset) {
        case .integer(let value): return Bytes(value)
        case .string(let range):
            return bytes.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    /// Whether the element at `offset` is `element`, compared in place.
    func element(at offset: Int, equals element: Bytes) -> Bool {
        switch content(at: offset) {
        case .integer(let value):
            return PackedEncodings.listpackInteger(element) == value
        case .string(let range):
            guard range.count == element.count else { return false }
            guard !range.isEmpty else { return true }
            return bytes.withUnsafeBytes { mine in
                element.withUnsafeBytes { memcmp(mine.baseAddress! + range.lowerBound, $0.baseAddress!, range.count) == 0 }
            }
        }
    }

    /// The offset of the element at `index` (0-based from the front), by walking.
    func offset(ofIndex index: Int) -> Int {
        if index <= count / 2 {
            var offset = firstOffset
            for _ in 0..<index { offset = self.offset(after: offset) }
            return offset
        }
        var offset = endOffset
        for _ in index..<count { offset = self.offset(before: offset) }
        return offset
    }

    // MARK: Changing

    /// Inserts `element` at `offset` (an entry, which moves after it, or `endOffset`).
    mutating func insert(_ element: Bytes, at offset: Int) {
        if offset == endOffset {
            bytes.removeLast()
            Self.appendEntry(element, to: &bytes)
            bytes.append(0xFF)
        } else {
            var entry: [UInt8] = []
            Self.appendEntry(element, to: &entry)
            bytes.insert(contentsOf: entry, at: offset)
        }
        count += 1
        updateHeader()
    }

    /// Replaces the element at `offset`.
    mutating func replace(at offset: Int, with element: Bytes) {
        var entry: [UInt8] = []
        Self.appendEntry(element, to: &entry)
        let old = offset..<self.offset(after: offset)
        if entry.count == old.count {
            bytes.withUnsafeMutableBytes { target in
                entry.withUnsafeBytes { (target.baseAddress! + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        } else {
            bytes.replaceSubrange(old, with: entry)
            updateHeader()
        }
    }

    /// Removes the `removed` elements between two offsets.
    mutating func remove(_ range: Range<Int>, elements removed: Int) {
        bytes.removeSubrange(range)
        count -= removed
        updateHeader()
    }

    /// Gives back the room beyond its bytes (an array doubles as it grows),
    /// once it is more than an eighth, as a listpack is reallocated to its size.
    mutating func trim() {
        bytes.giveBackSlack()
    }

    private mutating func updateHeader() {
        let total = UInt32(truncatingIfNeeded: bytes.count)
        let stored = UInt16(min(count, 65535))
        bytes.withUnsafeMutableBytes { header in
            header.storeBytes(of: total.littleEndian, toByteOffset: 0, as: UInt32.self)
            header.storeBytes(of: stored.littleEndian, toByteOffset: 4, as: UInt16.self)
        }
    }

    // MARK: Encoding

    /// Appends `element` as an entry (`lpEncodeString`/`lpEncodeIntegerGetType`, then the back length).
    static func appendEntry(_ element: Bytes, to bytes: inout [UInt8]) {
        let start = bytes.count
        if let integer = PackedEncodings.listpackInteger(element) {
            appendInteger(integer, to: &bytes)
        } else {
            let length = element.count
            if length < 64 {
                bytes.append(0x80 | UInt8(length))
            } else if length < 4096 {
                bytes.append(0xE0 | UInt8(length >> 8))
                bytes.append(UInt8(length & 0xFF))
            } else {
                bytes.append(0xF0)
                withUnsafeBytes(of: UInt32(length).littleEndian) { bytes += $0 }
            }
            element.withUnsafeBytes { bytes += $0 }
        }
        appendBacklen(bytes.count - start, to: &bytes)
    }

    private static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        func little(_ value: Int64, _ count: Int) {
            for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
        }
        switch value {
        case 0...127: bytes.append(UInt8(value))
        case -4096...4095:
            let encoded = value < 0 ? (1 << 13) + value : value
            bytes.append(UInt8(encoded >> 8) | 0xC0)
            bytes.append(UInt8(encoded & 0xFF))
        case -32768...32767: bytes.append(0xF1); little(value, 2)
        case -8_388_608...8_388_607: bytes.append(0xF2); little(value, 3)
        case -2_147_483_648...2_147_483_647: bytes.append(0xF3); little(value, 4)
        default: bytes.append(0xF4); little(value, 8)
        }
    }

    /// The bytes `lpEncodeBacklen` takes for an entry of `size` bytes; it
    /// steps at Redis's own bounds (16383 takes three bytes).
    static func backlenSize(_ size: Int) -> Int {
        switch size {
        case ...127: return 1
        case ..<16383: return 2
        case ..<2_097_151: return 3
        case ..<268_435_455: return 4
        default: return 5
        }
    }

    /// `lpEncodeBacklen`: the entry's size, to be read backwards.
    private static func appendBacklen(_ size: Int, to bytes: inout [UInt8]) {
        let width = backlenSize(size)
        for index in 0..<width {
            let group = UInt8(truncatingIfNeeded: size >> (7 * (width - 1 - index)))
            bytes.append(index == 0 ? group & 127 : (group & 127) | 128)
        }
    }
}
