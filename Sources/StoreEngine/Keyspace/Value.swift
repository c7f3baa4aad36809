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

    /// The string's bytes, whichever way it was written.
    public var bytes: Bytes {
        switch self {
        case .string(let bytes), .rawString(let bytes), .plainString(let bytes): return bytes
        }
    }

    /// The name TYPE answers and SCAN's TYPE filter matches.
    public var typeName: String {
        switch self {
        case .string, .rawString, .plainString: return "string"
        }
    }

    /// The value's size in bytes.
    public var byteCount: Int { bytes.count }
}
