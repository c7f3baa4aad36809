import Logging
import NIOCore
import NIOPosix
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// redi's network front: Redis's protocol on a TCP port, served by one
/// SwiftNIO event loop that also runs the store, so that commands from every
/// connection execute one at a time on one thread, as in Redis.
public final class RediServer: Sendable {
    /// The store, running on the server's event loop.
    public let host: StoreHost
    public let settings: ServerSettings
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let logger: Logger
    private let state: NIOLoopBoundBox<ServerState>

    /// Where the server listens (the port chosen when 0 was asked for).
    public var localAddress: SocketAddress? { channel.localAddress }

    /// An event loop for a store and its server, and the host running on it.
    /// Load the snapshot into `engine` first; start the host after subscribing.
    public static func makeHost(engine: sending Engine) -> (StoreHost, ServerLoop) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let runner = EventLoopRunner(eventLoop: group.next())
        return (StoreHost(engine: engine, runLoop: runner), ServerLoop(group: group))
    }

    /// Listens on `settings.bindAddress`:`settings.port`.
    public static func start(
        host: StoreHost, loop: ServerLoop, settings: ServerSettings, logger: Logger
    ) async throws -> RediServer {
        let eventLoop = loop.group.next()
        let state = NIOLoopBoundBox.makeBoxSendingValue(ServerState(settings: settings, host: host, eventLoop: eventLoop), eventLoop: eventLoop)
        // The server's commands join the store's table: every session runs them, the UI's too.
        try await eventLoop.submit { ServerCommand.register(in: host, state: state) }.get()
        let bootstrap = ServerBootstrap(group: loop.group)
            .serverChannelOption(ChannelOptions.backlog, value: 511)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ClientHandler(host: host, state: state.value, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: settings.bindAddress, port: settings.port).get()
        } catch let error as IOError {
            throw ListenError(description: String(cString: strerror(error.errnoCode)))
        } catch {
            throw ListenError(description: "\(error)")
        }
        let address = channel.localAddress
        try await eventLoop.submit { state.value.localAddress = address }.get()
        // Ten samples a second of the commands processed, for INFO's
        // instantaneous_ops_per_sec (Redis's hz 10).
        eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            let processed = host.assumeIsolated { $0.withEngine { $0.stats.commandsProcessed } }
            state.value.sampleCommands(processed)
        }
        logger.info("ready to accept connections", metadata: ["address": "\(channel.localAddress.map(Clients.describe) ?? "?")"])
        return RediServer(host: host, settings: settings, group: loop.group, channel: channel, logger: logger, state: state)
    }

    private init(
        host: StoreHost, settings: ServerSettings, group: MultiThreadedEventLoopGroup, channel: any Channel, logger: Logger,
        state: NIOLoopBoundBox<ServerState>
    ) {
        self.host = host
        self.settings = settings
        self.group = group
        self.channel = channel
        self.logger = logger
        self.state = state
    }

    /// `host:port` as clients reach it.
    public var address: String {
        channel.localAddress.map(Clients.describe) ?? "\(settings.bindAddress):\(settings.port)"
    }

    /// How many clients are connected.
    public func clientCount() async -> Int {
        let state = self.state
        return (try? await channel.eventLoop.submit { state.value.clients.count }.get()) ?? 0
    }

    /// Calls `handler` with every command clients run, as MONITOR shows
    /// them; `nil` stops.
    public func followCommands(_ handler: (@Sendable (String) -> Void)?) async {
        let state = self.state
        try? await channel.eventLoop.submit { state.value.commandFeed = handler }.get()
    }

    /// Stops listening and closes every connection.
    public func close() async {
        try? await channel.close()
        let state = self.state
        try? await channel.eventLoop.submit {
            for client in state.value.clients.all.values { client.channel.close(promise: nil) }
        }.get()
        logger.info("stopped listening; connections closed")
    }
}

/// Why the server could not listen, in words (`Address already in use`).
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// The event loop a server's store runs on, from `RediServer.makeHost`.
public struct ServerLoop: Sendable {
    let group: MultiThreadedEventLoopGroup
}
