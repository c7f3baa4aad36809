import NIOCore
import StoreEngine

/// A connected client, as CLIENT LIST shows it; on the store's event loop.
final class Client {
    let id: Int
    let address: String
    let connectedAt: ContinuousClock.Instant
    var name = Bytes()
    var lastCommand = Bytes()
    /// The selected database (SELECT).
    var database = 0

    init(id: Int, address: String) {
        self.id = id
        self.address = address
        connectedAt = .now
    }
}

/// The connected clients. Lives on the store's event loop, like the
/// connections that use it.
final class Clients {
    private var nextID = 1
    private(set) var all: [Int: Client] = [:]

    init() {}

    var count: Int { all.count }

    func connect(address: SocketAddress?) -> Client {
        defer { nextID += 1 }
        let client = Client(id: nextID, address: address.map(Self.describe) ?? "?")
        all[client.id] = client
        return client
    }

    func disconnect(_ id: Int) {
        all[id] = nil
    }

    /// `ip:port`, as Redis writes a client's address.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return address.description }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
