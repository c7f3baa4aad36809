/// A value in the keyspace. redi stores strings; the other Redis types are
/// refused when a snapshot holds them.
public enum Value: Sendable, Hashable {
    case string(Bytes)

    /// The name TYPE answers and SCAN's TYPE filter matches.
    public var typeName: String {
        switch self {
        case .string: return "string"
        }
    }

    /// The value's size in bytes.
    public var byteCount: Int {
        switch self {
        case .string(let bytes): return bytes.count
        }
    }
}
