/// What the UI shows of a network server beside it (`redi --port`): its
/// address, how many clients are connected, and, when asked, every command
/// they run (the log's follow mode, like MONITOR).
public struct ServerLink: Sendable {
    /// `host:port`.
    public var address: String
    /// Asked about once a second; `nil` where the source's vitals carry
    /// the count (a remote server's INFO).
    public var clientCount: (@Sendable () async -> Int)?
    /// Starts following the clients' commands (a handler gets each, as
    /// MONITOR prints it) or stops (`nil`).
    public var follow: @Sendable ((@Sendable (String) -> Void)?) async -> Void

    public init(
        address: String, clientCount: (@Sendable () async -> Int)?,
        follow: @escaping @Sendable ((@Sendable (String) -> Void)?) async -> Void
    ) {
        self.address = address
        self.clientCount = clientCount
        self.follow = follow
    }
}
