/// How `redi connect` reaches a server and what it may do there.
public struct RemoteSettings: Sendable {
    public var url: RedisURL
    /// Refuse every write before it reaches the server (`--read-only`).
    public var readOnly = false
    /// The longest wait for a connection and for each reply of the handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// Treat the server as a cluster node even if INFO does not say so (`--cluster`).
    public var cluster = false
    /// Keys described per SCAN page.
    public var pageSize = 1000
    /// Files for TLS (`rediss://` or `--tls`).
    public var tls = TLSFiles()

    public init(url: RedisURL) {
        self.url = url
    }
}

/// What TLS is checked against and shown: redis-cli's `--cacert`,
/// `--cert`, `--key` and `--insecure`.
public struct TLSFiles: Sendable {
    /// PEM file of the authorities to trust; the system's when `nil`.
    public var caCertificate: String?
    /// PEM certificate and key, for a server that checks its clients.
    public var certificate: String?
    public var key: String?
    /// Do not check the server's certificate at all.
    public var insecure = false

    public init() {}
}
