/// A command's answer, in Redis's reply types.
public enum Reply: Sendable, Hashable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error, whose text starts with its code (`ERR`, `WRONGTYPE`).
    case error(String)
    /// A signed 64-bit integer.
    case integer(Int64)
    /// A bulk string.
    case bulk(Bytes)
    /// The null bulk string: a missing key.
    case null
    /// The null array (ZMPOP finding nothing): `*-1` in RESP2, `_` in RESP3.
    case nullArray
    /// A floating-point number (a sorted set's score): RESP3's double, a
    /// bulk string of its `%.17g` digits in RESP2.
    case double(Double)
    /// A sequence of replies, possibly nested.
    case array([Reply])
    /// Keys and values, alternating: RESP3's map, an array in RESP2 (and at
    /// the prompt).
    case map([Reply])
    /// Out-of-band data such as a pub/sub message: RESP3's push, an array in RESP2.
    case push([Reply])
    /// Pairs, alternating (a field and its value, a member and its score):
    /// RESP3 sends an array of two-element arrays, RESP2 (and the prompt)
    /// one flat array, as Redis 7.0 answers HRANDFIELD WITHVALUES.
    case pairs([Reply])
    /// An unordered collection (SMEMBERS, SINTER...): RESP3's set, an array
    /// in RESP2.
    case set([Reply])
    /// RESP3's boolean (a script's `true` under `redis.setresp(3)`): the
    /// integer 1 or 0 in RESP2.
    case boolean(Bool)
    /// RESP3's big number, its decimal digits: a bulk string in RESP2.
    case bigNumber(String)
    /// RESP3's verbatim string with its three-letter format (`txt`): a
    /// bulk string of the text in RESP2.
    case verbatim(format: String, text: Bytes)

    static let ok = Reply.status("OK")
    static let zero = Reply.integer(0)
    static let one = Reply.integer(1)
    public static let syntaxError = Reply.error("ERR syntax error")
    public static let notInteger = Reply.error("ERR value is not an integer or out of range")
    static let wrongType = Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value")
    static let noSuchKey = Reply.error("ERR no such key")

    /// Redis's error for a command (or `container|subcommand`) given the
    /// wrong number of arguments.
    public static func wrongArity(_ name: String) -> Reply {
        .error("ERR wrong number of arguments for '\(name)' command")
    }

    /// A HELP answer: one status line per line, as Redis writes them.
    public static func lines(_ lines: [String]) -> Reply {
        .array(lines.map { .status($0) })
    }

    /// Whether this is an error reply.
    public var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
