import NIOSSL
import StoreEngine

/// One server redi works with: a standalone server, or a cluster's master.
/// Its connections: the UI's session (RESP3 where the server has it), the
/// reader, and, while the table follows changes, a subscriber.
struct RemoteNode: Sendable {
    let host: String
    let port: Int
    let reader: RedisConnection
    let session: RedisConnection
    var events: RedisConnection?
    /// The session connection's CLIENT ID, for CLIENT UNBLOCK.
    let sessionClientID: Int64

    /// `host:port`, as MOVED names a node.
    var address: String { reader.address }

    /// Connects the reader and the session, logged in, in `database`.
    static func open(
        host: String, port: Int, _ settings: RemoteSettings, tls: NIOSSLContext?, database: Int
    ) async throws(RemoteError) -> RemoteNode {
        let reader = try await connection(host: host, port: port, settings, tls: tls, protocolVersion: 2, database: database)
        do {
            let session = try await connection(host: host, port: port, settings, tls: tls, protocolVersion: 3, database: database)
            let id = try await session.send(["CLIENT", "ID"], timeout: settings.connectTimeout).integer ?? 0
            return RemoteNode(host: host, port: port, reader: reader, session: session, events: nil, sessionClientID: id)
        } catch {
            reader.close()
            throw error
        }
    }

    /// One more connection to the same server (a subscriber, MONITOR).
    static func connection(
        host: String, port: Int, _ settings: RemoteSettings, tls: NIOSSLContext?, protocolVersion: Int, database: Int,
        onPush: (@Sendable (Reply) -> Void)? = nil, onClose: (@Sendable () -> Void)? = nil
    ) async throws(RemoteError) -> RedisConnection {
        try await RemoteLogin.open(
            host: host, port: port, settings, tls: tls, protocolVersion: protocolVersion, database: database, onPush: onPush, onClose: onClose)
    }

    func close() {
        reader.close()
        session.close()
        events?.close()
    }
}
