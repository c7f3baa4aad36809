import Logging
import NIOCore
import StoreEngine

/// One client connection: reads requests (pipelined or not), runs each on
/// the store, and writes the replies in order, one write per read batch.
///
/// It runs on the store's event loop, so commands execute synchronously
/// (`StoreHost.assumeIsolated`), as in Redis's single thread. Commands about
/// the connection or the server (AUTH, CLIENT, INFO, CONFIG...) are answered
/// here (`ServerCommand`); the rest go to the store.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let host: StoreHost
    let state: ServerState
    let logger: Logger
    var client: Client!
    private var parser = RequestParser()
    /// Bytes read but not yet parsed.
    private var input: ByteBuffer?
    private var output: ByteBuffer!
    /// The protocol the client speaks (its `Client`'s, which HELLO sets).
    var version: ProtocolVersion {
        get { client?.version ?? .resp2 }
        set { client.version = newValue }
    }
    var authenticated: Bool
    /// Set by QUIT, CLIENT KILL or a protocol error: reply, then close.
    var closing = false
    /// Set while a slow reader's replies wait to be sent (`outputLimit`).
    private var paused = false

    init(host: StoreHost, state: ServerState, logger: Logger) {
        self.host = host
        self.state = state
        self.logger = logger
        authenticated = state.settings.password == nil
        parser.maxBulkLength = state.settings.maxBulkLength
        parser.unauthenticated = !authenticated
    }

    func channelActive(context: ChannelHandlerContext) {
        output = context.channel.allocator.buffer(capacity: 1024)
        state.totalConnections += 1
        if state.clients.count >= state.settings.maxClients {
            state.rejectedConnections += 1
            output.writeReply(.error("ERR max number of clients reached"), version: version)
            closeAfterReply(context)
            return
        }
        client = state.clients.connect(channel: context.channel)
        logger.debug("client connected", metadata: ["id": "\(client.id)", "address": "\(client.address)"])
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let client {
            state.pubsub.remove(client)
            stopMonitoring()
            state.clients.disconnect(client.id)
            logger.debug("client disconnected", metadata: ["id": "\(client.id)"])
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var bytes = unwrapInboundIn(data)
        if var pending = input, pending.readableBytes > 0 {
            pending.writeBuffer(&bytes)
            input = pending
        } else {
            input = bytes
        }
        if !paused { process(context) }
    }

    /// Unsent replies past which a client that reads slowly stops being
    /// served until it catches up: its memory stays bounded.
    static let outputLimit = 1 << 20
    /// Commands run together; also bounds the replies made before the
    /// output limit is checked again.
    static let batchLimit = 256

    /// Runs the commands in `input` until it needs more bytes, or until the
    /// client's unsent replies pass `outputLimit` while it does not read:
    /// then it pauses, and goes on when the channel is writable again.
    private func process(_ context: ChannelHandlerContext) {
        guard var input = self.input else { return }
        self.input = nil
        // Locals, not properties, in the loop: no exclusivity checks per command.
        var parser = self.parser
        var output = self.output!
        self.output = nil
        parse: while !closing {
            if output.readableBytes >= Self.outputLimit {
                context.writeAndFlush(wrapOutboundOut(output), promise: nil)
                output = context.channel.allocator.buffer(capacity: 1024)
                if !context.channel.isWritable {
                    paused = true
                    break parse
                }
            }
            // Runs of ordinary commands go to the store together, under one
            // isolation check; the connection's and the server's own commands
            // (and everything before AUTH, parsed under tighter limits, in
            // subscribe mode or while monitored) go one at a time.
            var batch: [[Bytes]] = []
            batch.reserveCapacity(16)
            var next: RequestParser.Outcome = .needMoreData
            while batch.count < Self.batchLimit {
                let outcome = parser.next(&input)
                if case .command(let words) = outcome, authenticated, ServerCommand.table[words[0]] == nil,
                   !client.inSubscribeMode, !state.isMonitored {
                    batch.append(words)
                    continue
                }
                next = outcome
                break
            }
            if let last = batch.last {
                client.lastCommand = last[0]
                client.lastArgument = last.count > 1 ? last[1] : nil
                client.lastInteraction = .now
                let selected = client.database
                let (replies, database) = host.assumeIsolated { host in
                    var database = selected
                    return (batch.map { host.execute($0, database: &database) }, database)
                }
                client.database = database
                for reply in replies { output.writeReply(reply, version: version) }
            }
            switch next {
            case .command(let words):
                client.lastCommand = words[0]
                client.lastArgument = words.count > 1 ? words[1] : nil
                client.lastInteraction = .now
                run(words, output: &output, context: context)
                parser.unauthenticated = !authenticated
                parser.maxBulkLength = state.settings.maxBulkLength
            case .needMoreData:
                if batch.count < Self.batchLimit { break parse }
            case .error(let text):
                logger.info("protocol error, closing the connection", metadata: ["id": "\(client.id)", "error": "\(text)"])
                output.writeReply(.error(text), version: version)
                closing = true
            }
        }
        self.parser = parser
        if input.readableBytes > 0 {
            if input.readerIndex > 64 * 1024 { input.discardReadBytes() }
            self.input = input
        }
        if output.readableBytes > 0 {
            context.write(wrapOutboundOut(output), promise: nil)
            output = context.channel.allocator.buffer(capacity: 1024)
        }
        self.output = output
        if closing { closeAfterReply(context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A client that reads its replies slowly stops being read from and
    /// served (`process`), so its unsent replies stay bounded.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let channel = context.channel
        let writable = channel.isWritable
        channel.setOption(ChannelOptions.autoRead, value: writable).whenSuccess {
            if writable { channel.read() }
        }
        if writable && paused {
            paused = false
            process(context)
            context.flush()
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["id": "\(client?.id ?? 0)", "error": "\(error)"])
        context.close(promise: nil)
    }

    private func closeAfterReply(_ context: ChannelHandlerContext) {
        closing = true
        if output.readableBytes > 0 {
            context.write(wrapOutboundOut(output), promise: nil)
            output = context.channel.allocator.buffer(capacity: 0)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Runs one command: the connection's or the server's own, or one sent
    /// before AUTH, in subscribe mode or while someone monitors.
    private func run(_ words: [Bytes], output: inout ByteBuffer, context: ChannelHandlerContext) {
        if client.inSubscribeMode, let refusal = refuseInSubscribeMode(words) {
            output.writeReply(refusal, version: version)
            return
        }
        if state.isMonitored, authenticated, Self.isMonitorable(words[0]) { state.feedMonitors(words, from: client) }
        if let command = ServerCommand.table[words[0]] {
            if command == .http {
                logger.warning("Possible SECURITY ATTACK detected: a client sent an HTTP request to redi's port. Connection aborted.",
                               metadata: ["address": "\(client.address)"])
                closing = true
                output.clear()
                context.close(promise: nil)
                return
            }
            guard authenticated || command.worksBeforeAuth else {
                output.writeReply(Self.noAuth, version: version)
                return
            }
            switch command {
            case .subscribe, .unsubscribe, .psubscribe, .punsubscribe:
                for reply in pubsub(command, words) { output.writeReply(reply, version: version) }
            default:
                output.writeReply(run(command, words), version: version)
            }
            return
        }
        guard authenticated else {
            output.writeReply(Self.noAuth, version: version)
            return
        }
        output.writeReply(execute(words), version: version)
    }

    /// Runs a command on the store, in this client's database.
    func execute(_ words: [Bytes]) -> Reply {
        let selected = client.database
        let (reply, database) = host.assumeIsolated { host in
            var database = selected
            return (host.execute(words, database: &database), database)
        }
        client.database = database
        return reply
    }

    static let noAuth = Reply.error("NOAUTH Authentication required.")

    /// As Redis, MONITOR does not show AUTH, HELLO or administrative
    /// commands (CONFIG, DEBUG, SAVE...), nor unknown ones.
    static func isMonitorable(_ name: Bytes) -> Bool {
        guard let spec = CommandTable.spec(named: name) else { return false }
        return !spec.flags.contains("admin") && spec.name != "AUTH" && spec.name != "HELLO" && !spec.flags.contains("frontend")
    }

    func stopMonitoring() {
        guard client.monitoring else { return }
        client.monitoring = false
        state.monitors.removeAll { $0 === client }
    }
}
