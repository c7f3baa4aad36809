/// A key's value, by Redis type. A string's cases differ only in the
/// encoding OBJECT ENCODING reports (they cost no memory); a collection
/// knows its own encoding (`HashValue`).
public enum Value: Sendable {
    /// A string as SET and most commands store it.
    case string(Bytes)
    /// A string changed in place by APPEND, SETRANGE or SETBIT, which Redis
    /// keeps in its `raw` encoding (OBJECT ENCODING tells). The same bytes
    /// otherwise; the cases cost no memory.
    case rawString(Bytes)
    /// A string Redis makes without trying the integer encoding
    /// (INCRBYFLOAT, DEBUG POPULATE): `embstr` or `raw` by its length.
    case plainString(Bytes)
    /// A string COPY made: encoded as `string` is, but a small integer in it
    /// is an object of its own, not Redis's shared one (OBJECT REFCOUNT 1).
    case copiedString(Bytes)
    /// A list of elements in order.
    indirect case list(ListValue)
    /// A hash: fields and their values.
    case hash(HashValue)
    /// A set of distinct members.
    case set(SetValue)
    /// Distinct members ordered by score.
    case sortedSet(SortedSetValue)

    /// The value COPY writes: the same, but never Redis's shared integer.
    var copied: Value {
        if case .string(let bytes) = self { return .copiedString(bytes) }
        return self
    }

    /// A string's bytes, whichever way it was written; `nil` for another type.
    public var string: Bytes? {
        switch self {
        case .string(let bytes), .rawString(let bytes), .plainString(let bytes), .copiedString(let bytes): return bytes
        case .list, .hash, .set, .sortedSet: return nil
        }
    }

    /// A string's bytes, for a command on strings: WRONGTYPE for another type.
    func stringBytes() throws(CommandError) -> Bytes {
        guard let string else { throw .wrongType }
        return string
    }

    /// OBJECT ENCODING's answer, as Redis 7.0 gives it.
    public var encodingName: String {
        switch self {
        case .rawString: return "raw"
        case .plainString(let bytes): return bytes.count <= 44 ? "embstr" : "raw"
        case .string(let bytes), .copiedString(let bytes):
            return bytes.count <= 20 && bytes.int64Value != nil ? "int" : bytes.count <= 44 ? "embstr" : "raw"
        case .list(let list): return list.encodingName
        case .hash(let hash): return hash.encodingName
        case .set(let set): return set.encodingName
        case .sortedSet(let sortedSet): return sortedSet.encodingName
        }
    }

    /// OBJECT REFCOUNT's answer: Redis shares the integers 0 to 9999
    /// (`OBJ_SHARED_REFCOUNT`), but not in a copy; every other value has one.
    var referenceCount: Int {
        guard case .string(let bytes) = self, bytes.count <= 20, let integer = bytes.int64Value, (0..<10_000).contains(integer) else {
            return 1
        }
        return Int(Int32.max)
    }

    /// The name TYPE answers and SCAN's TYPE filter matches.
    public var typeName: String {
        switch self {
        case .string, .rawString, .plainString, .copiedString: return "string"
        case .list: return "list"
        case .hash: return "hash"
        case .set: return "set"
        case .sortedSet: return "zset"
        }
    }

    /// The number of elements: a string's length, a hash's fields.
    public var length: Int {
        switch self {
        case .list(let list): return list.count
        case .hash(let hash): return hash.count
        case .set(let set): return set.count
        case .sortedSet(let sortedSet): return sortedSet.count
        default: return string?.count ?? 0
        }
    }

    /// The bytes the value takes on the heap, beyond its slot (MEMORY USAGE).
    var memoryBytes: Int {
        switch self {
        case .list(let list):
            return 48 + list.nodes.count * 32 + list.nodes.reduce(0) { $0 + $1.capacity }
        case .hash(let hash):
            switch hash.storage {
            case .packed(let list):
                return 32 + list.buffer.capacity
            case .table(let table):
                var total = 32 + table.heapBytes
                for entry in table.entries { total += entry.key.heapBytes + entry.value.heapBytes }
                return total
            }
        case .set(let set):
            switch set.storage {
            case .integers(let integers):
                return 32 + integers.count * MemoryLayout<Int64>.stride
            case .table(let table):
                var total = 32 + table.heapBytes
                for entry in table.entries { total += entry.key.heapBytes }
                return total
            }
        case .sortedSet(let sortedSet):
            switch sortedSet.storage {
            case .packed(let list):
                return 32 + list.buffer.capacity
            case .indexed(let index):
                var total = 64 + index.scores.heapBytes
                for chunk in index.entries.chunks { total += 32 + chunk.capacity * MemoryLayout<ScoredMember>.stride }
                for entry in index.scores.entries { total += entry.key.heapBytes }
                return total
            }
        default:
            return string?.heapBytes ?? 0
        }
    }

    /// The start of the value as a front end previews it, at most about
    /// `Engine.previewLength` bytes: a string's first bytes, a hash as
    /// `{field: value, ...}`.
    var preview: (text: Bytes, isCut: Bool) {
        switch self {
        case .list(let list):
            var preview = CollectionPreview(open: "[", close: "]")
            list.forEachWhile { preview.add([$0]) }
            return preview.finished
        case .hash(let hash):
            var preview = CollectionPreview(open: "{", close: "}")
            hash.forEachWhile { field, value in preview.add([field, value], joinedBy: ": ") }
            return preview.finished
        case .set(let set):
            var preview = CollectionPreview(open: "{", close: "}")
            set.forEachWhile { preview.add([$0]) }
            return preview.finished
        case .sortedSet(let sortedSet):
            var preview = CollectionPreview(open: "[", close: "]")
            sortedSet.forEachWhile { preview.add([$0.member, Score.format($0.score)], joinedBy: " ") }
            return preview.finished
        default:
            let bytes = string ?? Bytes()
            guard bytes.count > Engine.previewLength else { return (bytes, false) }
            return (bytes.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[0..<Engine.previewLength])) }, true)
        }
    }

    /// The bytes the value's data takes, in O(1) (a front end reads it on
    /// every change): a string's length, a collection's packed buffer or
    /// table slots.
    public var byteCount: Int {
        switch self {
        case .list(let list): return list.byteCount
        case .hash(let hash): return hash.byteCount
        case .set(let set): return set.byteCount
        case .sortedSet(let sortedSet): return sortedSet.byteCount
        default: return string?.count ?? 0
        }
    }
}

/// A collection's preview as it is built: its elements after the opening
/// bracket, separated by `, `, until about `Engine.previewLength` bytes.
private struct CollectionPreview {
    private var text: [UInt8]
    private let close: UInt8

    init(open: Unicode.Scalar, close: Unicode.Scalar) {
        text = [UInt8(ascii: open)]
        self.close = UInt8(ascii: close)
    }

    /// Adds an element made of `parts`; false once the preview is full.
    mutating func add(_ parts: [Bytes], joinedBy separator: String = "") -> Bool {
        guard text.count < Engine.previewLength else { return false }
        if text.count > 1 { text += [UInt8(ascii: ","), 32] }
        for (index, part) in parts.enumerated() {
            if index > 0 { text += separator.utf8 }
            part.withUnsafeBytes { text += $0 }
        }
        return true
    }

    /// The preview, closed when the whole collection fit, else cut.
    var finished: (text: Bytes, isCut: Bool) {
        text.count < Engine.previewLength ? (Bytes(text + [close]), false) : (Bytes(text.prefix(Engine.previewLength)), true)
    }
}
