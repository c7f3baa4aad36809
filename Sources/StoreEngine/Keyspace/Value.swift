/// A value in the keyspace. redi stores strings; the other Redis types are
/// refused when a snapshot holds them.
public enum Value: Sendable, Hashable {
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

    /// The value COPY writes: the same, but never Redis's shared integer.
    var copied: Value {
        if case .string(let bytes) = self { return .copiedString(bytes) }
        return self
    }

    /// The string's bytes, whichever way it was written.
    public var bytes: Bytes {
        switch self {
        case .string(let bytes), .rawString(let bytes), .plainString(let bytes), .copiedString(let bytes): return bytes
        }
    }

    /// The name TYPE answers and SCAN's TYPE filter matches.
    public var typeName: String {
        switch self {
        case .string, .rawString, .plainString, .copiedString: return "string"
        }
    }

    /// The value's size in bytes.
    public var byteCount: Int { bytes.count }
}
