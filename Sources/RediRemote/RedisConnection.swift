import DequeModule
import NIOCore
import NIOPosix
import NIOSSL
import StoreEngine

/// One connection to a Redis (or Valkey, or redi) server: commands go out
/// pipelined, their replies come back in order. Replies nobody waits for
/// (pub/sub messages, RESP3 pushes) go to `onPush`.
final class RedisConnection: Sendable {
    private let channel: any Channel
    /// `host:port`, for messages.
    let address: String

    private init(channel: any Channel, address: String) {
        self.channel = channel
        self.address = address
    }

    /// Opens a TCP connection within `timeout`.
    static func open(
        host: String, port: Int, timeout: Duration, tls: NIOSSLContext? = nil,
        onPush: (@Sendable (Reply) -> Void)? = nil, onClose: (@Sendable () -> Void)? = nil
    ) async throws(RemoteError) -> RedisConnection {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        // SNI and the certificate's name: a host name; an IP address is checked against the certificate's addresses.
        let serverHostname = (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(address: address, onPush: onPush, onClose: onClose))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            return RedisConnection(channel: channel, address: address)
        } catch {
            throw RemoteError.unreachable(address, reason: RemoteError.describe(error))
        }
    }

    /// Sends `commands` in one write and returns their replies, in order;
    /// fails if the connection closes first, or after `timeout`.
    func send(_ commands: [[Bytes]], timeout: Duration? = nil) async throws(RemoteError) -> [Reply] {
        let promise = channel.eventLoop.makePromise(of: [Reply].self)
        if let timeout {
            let scheduled = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [address] in
                promise.fail(RemoteError.timedOut(address))
            }
            promise.futureResult.whenComplete { _ in scheduled.cancel() }
        }
        // A closed channel never reaches the handler: the failed write fails the wait.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { [address] error in
            promise.fail(RemoteError.disconnected(address, reason: RemoteError.describe(error)))
        }
        channel.writeAndFlush(Outgoing(commands: commands, promise: promise), promise: written)
        do {
            return try await promise.futureResult.get()
        } catch let error as RemoteError {
            throw error
        } catch {
            throw RemoteError.disconnected(address, reason: RemoteError.describe(error))
        }
    }

    /// Sends one command and returns its reply.
    func send(_ command: [Bytes], timeout: Duration? = nil) async throws(RemoteError) -> Reply {
        try await send([command], timeout: timeout)[0]
    }

    /// Sends commands whose replies go to `onPush` (SUBSCRIBE and its kin).
    func sendUnanswered(_ commands: [[Bytes]]) {
        channel.writeAndFlush(Outgoing(commands: commands, promise: nil), promise: nil)
    }

    /// Closes the connection; what waits fails.
    func close() {
        channel.close(promise: nil)
    }
}

/// Commands on their way out, and who waits for their replies.
private struct Outgoing: Sendable {
    var commands: [[Bytes]]
    var promise: EventLoopPromise<[Reply]>?
}

/// Encodes commands, decodes replies and hands each to whoever waits for it,
/// on the channel's event loop.
private final class ReplyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Outgoing
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var expected: Int
        var replies: [Reply]
        let promise: EventLoopPromise<[Reply]>
    }

    private var waiting = Deque<Waiting>()
    private var input: ByteBuffer?
    private let onPush: (@Sendable (Reply) -> Void)?
    private let onClose: (@Sendable () -> Void)?
    private let address: String

    init(address: String, onPush: (@Sendable (Reply) -> Void)?, onClose: (@Sendable () -> Void)?) {
        self.address = address
        self.onPush = onPush
        self.onClose = onClose
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outgoing = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64 * outgoing.commands.count)
        for command in outgoing.commands { buffer.writeCommand(command) }
        if let replies = outgoing.promise {
            if outgoing.commands.isEmpty {
                replies.succeed([])
            } else {
                waiting.append(Waiting(expected: outgoing.commands.count, replies: [], promise: replies))
            }
        }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var input = self.input {
            self.input = nil
            input.writeBuffer(&bytes)
            bytes = input
        }
        do {
            while let reply = try ReplyDecoder.next(&bytes) {
                deliver(reply)
            }
        } catch {
            fail(RemoteError.unexpected(address, reason: "\(error)"))
            context.close(promise: nil)
            return
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            input = bytes
        }
    }

    private func deliver(_ reply: Reply) {
        if case .push = reply, let onPush {
            onPush(reply)
            return
        }
        guard var first = waiting.popFirst() else {
            onPush?(reply)
            return
        }
        first.replies.append(reply)
        if first.replies.count == first.expected {
            first.promise.succeed(first.replies)
        } else {
            waiting.prepend(first)
        }
    }

    private func fail(_ error: RemoteError) {
        while let next = waiting.popFirst() { next.promise.fail(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(RemoteError.disconnected(address, reason: "the connection closed"))
        onClose?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(RemoteError.disconnected(address, reason: RemoteError.describe(error)))
        context.close(promise: nil)
    }
}
