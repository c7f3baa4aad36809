#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte strings packed one after another in one buffer, each after its
/// length (a LEB128 varint), behind a four-byte count: a small collection
/// in one allocation of about its bytes, as Redis's listpack keeps one.
/// Elements are compared in place, never copied out to be compared.
struct PackedList: Sendable {
    /// The count (four bytes, little-endian), then each element's length and bytes.
    private(set) var buffer: [UInt8] = [0, 0, 0, 0]

    init() {}

    /// An empty list, shared: a placeholder costs no allocation.
    static let empty = PackedList()

    init(_ elements: some Sequence<Bytes>) {
        for element in elements { append(element) }
    }

    var count: Int {
        Int(buffer[0]) | Int(buffer[1]) << 8 | Int(buffer[2]) << 16 | Int(buffer[3]) << 24
    }

    /// A list whose buffer is already in this format (a loader's).
    init(buffer: [UInt8]) {
        self.buffer = buffer
    }

    private mutating func setCount(_ count: Int) {
        for index in 0..<4 { buffer[index] = UInt8(truncatingIfNeeded: count >> (8 * index)) }
    }

    /// Where each element's bytes are.
    struct Position {
        /// The start of the element's length.
        var start: Int
        /// Its bytes.
        var bytes: Range<Int>
    }

    /// Calls `body` with each element's position in order while it returns true.
    func forEachPosition(_ body: (Position) throws -> Bool) rethrows {
        try buffer.withUnsafeBytes { try Self.forEachPosition(in: $0, body) }
    }

    /// Calls `body` with each element's position in a list's buffer, in
    /// order, while it returns true.
    static func forEachPosition(in raw: UnsafeRawBufferPointer, _ body: (Position) throws -> Bool) rethrows {
        var offset = 4
        while offset < raw.count {
            let start = offset
            var length = 0, shift = 0
            while true {
                let byte = raw[offset]
                offset += 1
                length |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            let bytes = offset..<offset + length
            offset += length
            if try !body(Position(start: start, bytes: bytes)) { return }
        }
    }

    /// The element at `position`.
    func element(_ position: Position) -> Bytes {
        buffer.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[position.bytes])) }
    }

    /// Whether the element at `position` is `bytes`.
    func element(_ position: Position, equals bytes: Bytes) -> Bool {
        guard position.bytes.count == bytes.count else { return false }
        guard !bytes.isEmpty else { return true }
        return buffer.withUnsafeBytes { mine in
            bytes.withUnsafeBytes { theirs in
                memcmp(mine.baseAddress! + position.bytes.lowerBound, theirs.baseAddress!, theirs.count) == 0
            }
        }
    }

    /// Whether the elements at two positions of a buffer are equal.
    static func elements(_ first: Position, _ second: Position, equalIn raw: UnsafeRawBufferPointer) -> Bool {
        let length = first.bytes.count
        guard length == second.bytes.count else { return false }
        guard length > 0 else { return true }
        let (one, other) = (raw.baseAddress! + first.bytes.lowerBound, raw.baseAddress! + second.bytes.lowerBound)
        // Short elements (most fields) are compared here, without a call.
        guard length > 8 else {
            for offset in 0..<length where one.load(fromByteOffset: offset, as: UInt8.self) != other.load(fromByteOffset: offset, as: UInt8.self) {
                return false
            }
            return true
        }
        return memcmp(one, other, length) == 0
    }

    /// A 64-bit FNV-1a hash of the element at `position`: equal elements
    /// hash alike, so a loader compares elements only when hashes repeat.
    func fingerprint(_ position: Position) -> UInt64 {
        buffer.withUnsafeBytes { raw in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in raw[position.bytes] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return hash
        }
    }

    mutating func append(_ element: Bytes) {
        element.withUnsafeBytes { raw in
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: Self.encodedSize(raw.count)))
            buffer.withUnsafeMutableBufferPointer { _ = Self.write(raw, to: $0.baseAddress! + start) }
        }
        setCount(count + 1)
    }

    /// The bytes an element of `count` bytes takes: its length, then itself.
    private static func encodedSize(_ count: Int) -> Int {
        var size = count + 1
        var length = count >> 7
        while length > 0 {
            size += 1
            length >>= 7
        }
        return size
    }

    /// Writes `element` as the buffer holds one (its length, then its
    /// bytes) at `target`, which has room for it.
    /// - Returns: the bytes written.
    static func write(_ element: UnsafeRawBufferPointer, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var length = element.count
        var written = 0
        repeat {
            target[written] = UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0)
            written += 1
            length >>= 7
        } while length > 0
        if let source = element.baseAddress {
            UnsafeMutableRawPointer(target + written).copyMemory(from: source, byteCount: element.count)
        }
        return written + element.count
    }

    /// Inserts `elements` at `offset`: a position's `start`, or the end
    /// of the buffer (the positions after it move).
    mutating func insert(_ elements: [Bytes], at offset: Int) {
        buffer.insert(contentsOf: elements.flatMap(Self.encoded), at: offset)
        setCount(count + elements.count)
    }

    /// Gives back the room a growing buffer took beyond its bytes (an
    /// array doubles), once it is more than an eighth: a small collection
    /// keeps about its own size, as Redis's listpack does.
    mutating func trim() {
        buffer.giveBackSlack()
    }

    /// Makes room for `bytes` more bytes of elements and lengths.
    mutating func reserve(_ bytes: Int) {
        buffer.reserveCapacity(buffer.count + bytes)
    }

    /// Replaces the element at `position` (the positions after it move).
    mutating func replace(_ position: Position, with element: Bytes) {
        guard element.count == position.bytes.count else {
            buffer.replaceSubrange(position.start..<position.bytes.upperBound, with: Self.encoded(element))
            return
        }
        // The same length (an HSET of a new value of the same size): in place.
        buffer.withUnsafeMutableBytes { target in
            element.withUnsafeBytes { source in
                guard let from = source.baseAddress else { return }
                (target.baseAddress! + position.bytes.lowerBound).copyMemory(from: from, byteCount: source.count)
            }
        }
    }

    /// Removes the elements from `first` through `last` (positions after them move).
    mutating func remove(from first: Position, through last: Position, elements: Int) {
        buffer.removeSubrange(first.start..<last.bytes.upperBound)
        setCount(count - elements)
    }

    private static func encoded(_ element: Bytes) -> [UInt8] {
        element.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: encodedSize(raw.count)) { target, initialized in
                initialized = write(raw, to: target.baseAddress!)
            }
        }
    }

    /// Every element, in order.
    var elements: [Bytes] {
        var elements: [Bytes] = []
        elements.reserveCapacity(count)
        forEachPosition { elements.append(element($0)); return true }
        return elements
    }
}

extension Array where Element == UInt8 {
    /// Reallocates to the bytes held once the room beyond them (an array
    /// doubles as it grows) is more than an eighth, as Redis reallocates a
    /// listpack to its size: what `PackedList` and `Listpack` give back.
    mutating func giveBackSlack() {
        guard capacity - count > count / 8 + 8 else { return }
        self = Array(unsafeUninitializedCapacity: count) { target, initialized in
            initialized = withUnsafeBufferPointer { target.initialize(fromContentsOf: $0) }
        }
    }
}
