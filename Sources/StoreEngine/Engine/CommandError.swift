/// A command's error, thrown from anywhere in its handler (typed throws) and
/// answered as its reply: Redis's `addReplyError` at the point of failure,
/// without a `switch` on a result at every call.
public struct CommandError: Error, Sendable, Equatable {
    /// The error reply the client gets.
    public let reply: Reply

    public init(_ text: String) {
        reply = .error(text)
    }

    /// An error reply made elsewhere (`Reply.wrongArity`...).
    init(_ reply: Reply) {
        self.reply = reply
    }

    static let wrongType = CommandError("WRONGTYPE Operation against a key holding the wrong kind of value")
    static let syntax = CommandError("ERR syntax error")
    static let notInteger = CommandError("ERR value is not an integer or out of range")
    static let notFloat = CommandError("ERR value is not a valid float")
    static let overflow = CommandError("ERR increment or decrement would overflow")
}
