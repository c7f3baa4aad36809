import Logging
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// redi's network front: Redis's protocol on a TCP port, served by one
/// event loop (`SocketLoop`) that also runs the store, so that commands from
/// every connection execute one at a time on one thread, as in Redis.
public final class RediServer: Sendable {
    /// The store, running on the server's event loop.
    public let host: StoreHost
    public let settings: ServerSettings
    private let loop: SocketLoop
    private let listener: LoopBound<Listener>
    private let logger: Logger
    private let state: LoopBound<ServerState>
    /// The port it listens on (the one chosen when 0 was asked for).
    public let port: Int
    /// `host:port` as clients reach it.
    public let address: String

    /// An event loop for a store and its server, and the host running on it.
    /// Load the snapshot into `engine` first; start the host after subscribing.
    public static func makeHost(engine: sending Engine) -> (StoreHost, ServerLoop) {
        let loop = SocketLoop(name: "redi server")
        return (StoreHost(engine: engine, runLoop: loop), ServerLoop(loop: loop))
    }

    /// Listens on `settings.bindAddress`:`settings.port`.
    public static func start(
        host: StoreHost, loop: ServerLoop, settings: ServerSettings, logger: Logger
    ) async throws -> RediServer {
        let loop = loop.loop
        let (state, listener) = try await loop.submit {
            let state = LoopBound(ServerState(settings: settings, host: host, loop: loop), loop: loop)
            // The server's commands join the store's table: every session runs them, the UI's too.
            ServerCommand.register(in: host, state: state)
            let listener = try Listener(host: settings.bindAddress, port: settings.port, loop: loop)
            state.value.localAddress = SocketName.local(of: listener.descriptor)
            let input = ReadBuffer()
            listener.onAccept = { descriptor, address, localAddress in
                let connection = Connection(descriptor: descriptor, loop: loop, address: address, localAddress: localAddress, input: input)
                ClientHandler(host: host, state: state.value, logger: logger).start(on: connection)
            }
            listener.start()
            // Ten samples a second of the commands processed, for INFO's
            // instantaneous_ops_per_sec (Redis's hz 10).
            func sample() {
                let processed = state.value.engine { $0.stats.commandsProcessed }
                state.value.sampleCommands(processed)
                loop.schedule(in: .milliseconds(100), sample)
            }
            loop.schedule(in: .milliseconds(100), sample)
            return (state, LoopBound(listener, loop: loop))
        }
        let server = try await loop.submit { RediServer(host: host, settings: settings, loop: loop, listener: listener, logger: logger, state: state) }
        logger.info("ready to accept connections", metadata: ["address": "\(server.address)"])
        return server
    }

    private init(
        host: StoreHost, settings: ServerSettings, loop: SocketLoop, listener: LoopBound<Listener>, logger: Logger,
        state: LoopBound<ServerState>
    ) {
        self.host = host
        self.settings = settings
        self.loop = loop
        self.listener = listener
        self.logger = logger
        self.state = state
        port = listener.value.port
        address = listener.value.address
    }

    /// How many clients are connected.
    public func clientCount() async -> Int {
        let state = self.state
        return (try? await loop.submit { state.value.clients.count }) ?? 0
    }

    /// Calls `handler` with every command clients run, as MONITOR shows
    /// them; `nil` stops.
    public func followCommands(_ handler: (@Sendable (String) -> Void)?) async {
        let state = self.state
        _ = try? await loop.submit { state.value.commandFeed = handler }
    }

    /// Stops listening and closes every connection.
    public func close() async {
        let (state, listener) = (self.state, self.listener)
        _ = try? await loop.submit {
            listener.value.close()
            for client in state.value.clients.all.values { client.connection.close() }
        }
        logger.info("stopped listening; connections closed")
    }
}

/// Why the server could not listen, in words (`Address already in use`).
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// The event loop a server's store runs on, from `RediServer.makeHost`.
public struct ServerLoop: Sendable {
    let loop: SocketLoop
}
