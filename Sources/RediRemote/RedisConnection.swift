import DequeModule
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import StoreEngine

/// One connection to a Redis (or Valkey, or redi) server: commands go out
/// pipelined, their replies come back in order. Replies nobody waits for
/// (pub/sub messages, RESP3 pushes) go to `onPush`.
final class RedisConnection: Sendable {
    private let channel: any Channel
    /// `host:port`, for messages.
    let address: String
    /// Why the connection ended, once it has: the first error seen, or the close.
    private let closed: EventLoopFuture<RemoteError>

    private init(channel: any Channel, address: String, closed: EventLoopFuture<RemoteError>) {
        self.channel = channel
        self.address = address
        self.closed = closed
    }

    /// Opens a TCP connection, and its TLS session where asked, within `timeout`.
    static func open(
        host: String, port: Int, timeout: Duration, tls: NIOSSLContext? = nil,
        onPush: (@Sendable (Reply) -> Void)? = nil, onClose: (@Sendable () -> Void)? = nil
    ) async throws(RemoteError) -> RedisConnection {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        // SNI and the certificate's name: a host name; an IP address is checked against the certificate's addresses.
        let serverHostname = (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let ready = loop.makePromise(of: Void.self), closed = loop.makePromise(of: RemoteError.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(
                        address: address, waitsForTLS: tls != nil, ready: ready, closed: closed, onPush: onPush, onClose: onClose))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let reason = RemoteError.unreachable(address, reason: RemoteError.describe(error))
            ready.fail(reason)
            closed.succeed(reason)
            throw reason
        }
        // A TLS handshake that fails does so here, before any command: it never connected.
        let scheduled = loop.scheduleTask(in: TimeAmount(timeout)) { ready.fail(RemoteError.timedOut(address)) }
        do {
            try await ready.futureResult.get()
            scheduled.cancel()
        } catch {
            channel.close(promise: nil)
            switch error as? RemoteError {
            case .disconnected(_, let reason)?: throw .unreachable(address, reason: reason)
            case .timedOut?: throw .unreachable(address, reason: "no answer to TLS in time (a port without TLS? redis://)")
            default: throw .unreachable(address, reason: RemoteError.describe(error))
            }
        }
        return RedisConnection(channel: channel, address: address, closed: closed.futureResult)
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
        // A write to a closed channel never reaches the handler: it fails the
        // wait with the reason the connection ended (a TLS alert, a reset).
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { [channel, closed] _ in
            channel.close(promise: nil)
            closed.whenSuccess { promise.fail($0) }
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
    /// Succeeds once commands can go: at once, or when TLS has shaken hands.
    private let ready: EventLoopPromise<Void>
    private let waitsForTLS: Bool
    /// Why the connection ended, completed when it does.
    private let closed: EventLoopPromise<RemoteError>
    /// The first error seen, the reason given when the connection ends.
    private var failure: RemoteError?

    init(
        address: String, waitsForTLS: Bool, ready: EventLoopPromise<Void>, closed: EventLoopPromise<RemoteError>,
        onPush: (@Sendable (Reply) -> Void)?, onClose: (@Sendable () -> Void)?
    ) {
        self.address = address
        self.waitsForTLS = waitsForTLS
        self.ready = ready
        self.closed = closed
        self.onPush = onPush
        self.onClose = onClose
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitsForTLS { ready.succeed(()) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { ready.succeed(()) }
        context.fireUserInboundEventTriggered(event)
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
        end()
        onClose?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = RemoteError.disconnected(address, reason: RemoteError.describe(error))
        if failure == nil { failure = reason }
        fail(reason)
        ready.fail(reason)
        context.close(promise: nil)
    }

    /// Never leaves a promise behind, even for a channel that never became active.
    func handlerRemoved(context: ChannelHandlerContext) {
        end()
    }

    /// Fails what waits with the first error seen, or else the close.
    private func end() {
        let reason = failure ?? RemoteError.disconnected(address, reason: "the connection closed")
        fail(reason)
        ready.fail(reason)
        closed.succeed(reason)
    }
}
