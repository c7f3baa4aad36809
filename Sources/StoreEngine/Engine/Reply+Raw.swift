extension Reply {
    /// The reply as redi's line mode prints it, one line per element
    /// (without the newlines): a string's bytes, an integer's digits,
    /// `(nil)`, `(error) ` and the message, arrays flattened, and
    /// `(empty array)` for an empty one.
    public var rawLines: [Bytes] {
        switch self {
        case .status(let text): return [Bytes(text)]
        case .error(let text): return [Bytes("(error) " + text)]
        case .integer(let value): return [Bytes(value)]
        case .bulk(let bytes): return [bytes]
        case .null, .nullArray: return ["(nil)"]
        case .double(let value): return [Score.format(value)]
        case .boolean(let value): return [value ? "1" : "0"]
        case .bigNumber(let digits): return [Bytes(digits)]
        case .verbatim(_, let text): return [text]
        case .array(let elements), .map(let elements), .push(let elements), .pairs(let elements), .set(let elements):
            if elements.isEmpty { return ["(empty array)"] }
            return elements.flatMap(\.rawLines)
        }
    }
}
