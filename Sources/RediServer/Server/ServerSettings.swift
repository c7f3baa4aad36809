/// How `redi --port` serves.
public struct ServerSettings: Sendable {
    /// The address to listen on; loopback unless chosen otherwise.
    public var bindAddress = "127.0.0.1"
    public var port: Int
    /// `requirepass`: clients must AUTH first when set.
    public var password: String?
    /// `maxclients`.
    public var maxClients = 10_000
    /// `proto-max-bulk-len`.
    public var maxBulkLength = 512 * 1024 * 1024
    /// What SHUTDOWN asks of the process (which saves as asked, then
    /// exits); without it SHUTDOWN is refused.
    public var onShutdown: (@Sendable (ShutdownSave) -> Void)?

    public init(port: Int) {
        self.port = port
    }

    /// Whether the address is reachable only from this machine.
    public var isLoopback: Bool {
        bindAddress == "127.0.0.1" || bindAddress == "::1" || bindAddress == "localhost"
            || bindAddress.hasPrefix("127.")
    }
}

/// How SHUTDOWN saves: as the save rules say (as on a signal), always, or not at all.
public enum ShutdownSave: Sendable {
    case asConfigured, always, never
}
