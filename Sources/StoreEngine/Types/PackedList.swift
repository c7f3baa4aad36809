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
        try buffer.withUnsafeBytes { raw in
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
    @inline(__always)
    static func write(_ element: UnsafeRawBufferPointer, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var length = element.count
        var written = 0
        repeat {
            target[written] = UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0)
            written += 1
            length >>= 7
        } while length > 0
        if let source = element.baseAddress {
            let destination = UnsafeMutableRawPointer(target + written)
            if element.count <= 16 {
                copySmall(from: source, to: destination, count: element.count)
            } else {
                destination.copyMemory(from: source, byteCount: element.count)
            }
        }
        return written + element.count
    }

    /// Copies at most 16 bytes in two overlapping loads and stores (most
    /// elements are this short, and a call to `memmove` would cost more).
    @inline(__always)
    private static func copySmall(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, count: Int) {
        if count >= 8 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: count - 4, as: UInt32.self)
        } else if count > 0 {
            // One to three bytes: the first, the middle and the last.
            let (first, middle, last) = (source.load(as: UInt8.self), source.load(fromByteOffset: count / 2, as: UInt8.self),
                                         source.load(fromByteOffset: count - 1, as: UInt8.self))
            target.storeBytes(of: first, as: UInt8.self)
            target.storeBytes(of: middle, toByteOffset: count / 2, as: UInt8.self)
            target.storeBytes(of: last, toByteOffset: count - 1, as: UInt8.self)
        }
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
