#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A binary-safe byte string: the type of every key, value and argument.
///
/// Strings of up to 14 bytes live inline, so the keys and values that
/// dominate real keyspaces cost no heap allocation; longer ones share a
/// copy-on-write array. The representation is canonical (inline exactly
/// when `count <= 14`), so equality and hashing never compare across forms.
public struct Bytes: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        case inline(InlineBuffer)
        case heap([UInt8])
    }

    @usableFromInline
    var storage: Storage

    /// The longest string stored without a heap allocation.
    public static let inlineCapacity = 14

    /// The empty string.
    public init() {
        storage = .inline(InlineBuffer())
    }

    /// Copies the bytes of a raw buffer.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        if buffer.count <= Bytes.inlineCapacity {
            storage = .inline(InlineBuffer(buffer))
        } else {
            storage = .heap([UInt8](buffer))
        }
    }

    /// Copies a sequence of bytes.
    @inlinable
    public init(_ bytes: some Sequence<UInt8>) {
        let array = bytes as? [UInt8] ?? Array(bytes)
        if array.count <= Bytes.inlineCapacity {
            storage = array.withUnsafeBytes { .inline(InlineBuffer($0)) }
        } else {
            storage = .heap(array)
        }
    }

    /// The UTF-8 bytes of a string.
    @inlinable
    public init(_ string: String) {
        var string = string
        self = string.withUTF8 { Bytes(UnsafeRawBufferPointer($0)) }
    }

    /// The number of bytes.
    @inlinable
    public var count: Int {
        switch storage {
        case .inline(let buffer): return Int(buffer.length)
        case .heap(let array): return array.count
        }
    }

    /// Whether there are no bytes.
    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// Calls `body` with the bytes, valid only for the duration of the call.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .inline(let buffer):
            return try Swift.withUnsafeBytes(of: buffer) { raw in
                try body(UnsafeRawBufferPointer(rebasing: raw[0..<Int(buffer.length)]))
            }
        case .heap(let array):
            return try array.withUnsafeBytes(body)
        }
    }

    /// The bytes as an array.
    public var array: [UInt8] {
        switch storage {
        case .inline: return withUnsafeBytes { [UInt8]($0) }
        case .heap(let array): return array
        }
    }

    /// A copy with ASCII letters lowered, as Redis compares command names.
    public func asciiLowercased() -> Bytes {
        withUnsafeBytes { raw in
            if !raw.contains(where: { $0 >= 65 && $0 <= 90 }) { return self }
            // On the stack for command names: no heap allocation.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { lowered in
                for index in 0..<raw.count { lowered[index] = asciiLower(raw[index]) }
                return Bytes(UnsafeRawBufferPointer(lowered))
            }
        }
    }

    /// Whether the bytes equal an ASCII keyword, ignoring case (`strcasecmp`).
    @inlinable
    public func equalsIgnoringCase(_ keyword: StaticString) -> Bool {
        guard keyword.utf8CodeUnitCount == count else { return false }
        return withUnsafeBytes { raw in
            let word = UnsafeRawBufferPointer(start: keyword.utf8Start, count: keyword.utf8CodeUnitCount)
            for index in 0..<raw.count where asciiLower(raw[index]) != asciiLower(word[index]) {
                return false
            }
            return true
        }
    }

    /// Concatenation.
    /// The bytes as redis-cli prints them in quotes (`sdscatrepr`), for
    /// messages that name a key: printable ASCII as it is, `\n \r \t \a \b`,
    /// `\\` and `\"` escaped, every other byte as `\xHH`.
    public var escaped: String {
        var text = ""
        withUnsafeBytes { raw in
            for byte in raw {
                switch byte {
                case UInt8(ascii: "\\"): text += "\\\\"
                case UInt8(ascii: "\""): text += "\\\""
                case 10: text += "\\n"
                case 13: text += "\\r"
                case 9: text += "\\t"
                case 7: text += "\\a"
                case 8: text += "\\b"
                case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = Array("0123456789abcdef")
                    text += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
                }
            }
        }
        return text
    }

    /// The bytes kept on the heap (with the allocation's header), or 0 for
    /// bytes kept inline.
    var heapBytes: Int {
        count <= Bytes.inlineCapacity ? 0 : count + 32
    }

    /// Whether the bytes begin with `prefix`.
    public func hasPrefix(_ prefix: Bytes) -> Bool {
        guard prefix.count <= count else { return false }
        return withUnsafeBytes { mine in
            prefix.withUnsafeBytes { theirs in theirs.elementsEqual(mine.prefix(theirs.count)) }
        }
    }

    public static func + (lhs: Bytes, rhs: Bytes) -> Bytes {
        var array = lhs.array
        rhs.withUnsafeBytes { array.append(contentsOf: $0) }
        return Bytes(array)
    }
}

/// Folds `A`-`Z` to lower case and leaves every other byte alone.
@inlinable
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= 65 && byte <= 90 ? byte | 0x20 : byte
}

/// Fourteen bytes of payload and a length, fifteen bytes in all, so that
/// `Bytes` (and `Optional<Bytes>`) take sixteen.
@usableFromInline
struct InlineBuffer: Sendable {
    @usableFromInline var word0: UInt64 = 0
    @usableFromInline var word1: UInt32 = 0
    @usableFromInline var word2: UInt16 = 0
    @usableFromInline var length: UInt8 = 0

    @inlinable
    init() {}

    @inlinable
    init(_ source: UnsafeRawBufferPointer) {
        Swift.withUnsafeMutableBytes(of: &self) { raw in
            raw.baseAddress!.copyMemory(from: source.baseAddress ?? UnsafeRawPointer(raw.baseAddress!), byteCount: source.count)
        }
        length = UInt8(source.count)
    }
}

extension Bytes: Hashable {
    @inlinable
    public static func == (lhs: Bytes, rhs: Bytes) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.inline(let a), .inline(let b)):
            return a.word0 == b.word0 && a.word1 == b.word1 && a.word2 == b.word2 && a.length == b.length
        case (.heap(let a), .heap(let b)):
            return a == b
        default:
            return false
        }
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .inline(let buffer):
            hasher.combine(buffer.word0)
            hasher.combine(UInt64(buffer.word1) | UInt64(buffer.word2) << 32 | UInt64(buffer.length) << 48)
        case .heap(let array):
            array.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

extension Bytes: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}

extension Bytes: CustomStringConvertible {
    /// The bytes decoded as UTF-8, invalid sequences replaced.
    public var description: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}

extension Bytes {
    /// Redis's `sdscmp`: the bytes compared unsigned, then the shorter first.
    public func compare(to other: Bytes) -> Int {
        withUnsafeBytes { mine in
            other.withUnsafeBytes { theirs in
                let common = Swift.min(mine.count, theirs.count)
                if common > 0 {
                    let order = memcmp(mine.baseAddress!, theirs.baseAddress!, common)
                    if order != 0 { return Int(order) }
                }
                return mine.count - theirs.count
            }
        }
    }
}
