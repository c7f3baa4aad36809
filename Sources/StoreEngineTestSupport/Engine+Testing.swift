import StoreEngine

extension Engine {
    /// Runs a command typed as in redi's line mode, e.g. `SET "a b" 1 EX 10`.
    @discardableResult
    public func run(_ line: String) -> Reply {
        guard let words = InlineCommand.split(Array(line.utf8)) else {
            preconditionFailure("unbalanced quotes in test command: \(line)")
        }
        return execute(words)
    }
}

extension Reply {
    /// A bulk string reply from text.
    public static func bulk(_ text: String) -> Reply { .bulk(Bytes(text)) }

    /// An array of bulk strings.
    public static func bulks(_ texts: [String]) -> Reply { .array(texts.map { .bulk(Bytes($0)) }) }
}
