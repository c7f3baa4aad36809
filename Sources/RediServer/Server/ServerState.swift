import NIOCore
import StoreEngine

/// What the server knows beyond the store: its settings (some changed by
/// CONFIG SET), the connected clients and the counters INFO reports. Lives
/// on the store's event loop, like the connections that use it.
final class ServerState {
    var settings: ServerSettings
    let clients = Clients()
    /// `total_connections_received` and `rejected_connections`.
    var totalConnections = 0
    var rejectedConnections = 0
    let startedAt = ContinuousClock.now
    /// Where the server listens, once bound.
    var localAddress: SocketAddress?

    init(settings: ServerSettings) {
        self.settings = settings
    }

    var uptimeSeconds: Int64 {
        (ContinuousClock.now - startedAt).components.seconds
    }
}
