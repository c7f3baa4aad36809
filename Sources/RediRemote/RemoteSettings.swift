/// How `redi connect` reaches a server and what it may do there.
public struct RemoteSettings: Sendable {
    public var url: RedisURL
    /// Refuse every write before it reaches the server (`--read-only`).
    public var readOnly = false
    /// The longest wait for a connection and for each reply of the handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// Keys described per SCAN page.
    public var pageSize = 1000

    public init(url: RedisURL) {
        self.url = url
    }
}
