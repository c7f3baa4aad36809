import Logging
import NIOCore
import StoreEngine

/// One client connection: reads requests (pipelined or not), runs each on
/// the store, and writes the replies in order, one write per read batch.
///
/// It runs on the store's event loop, so commands execute synchronously
/// (`StoreHost.assumeIsolated`), as in Redis's single thread.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let host: StoreHost
    private let settings: ServerSettings
    private let clients: Clients
    private let logger: Logger
    private var client: Client!
    private var parser = RequestParser()
    /// Bytes read but not yet parsed.
    private var input: ByteBuffer?
    private var output: ByteBuffer!
    private var version = ProtocolVersion.resp2
    private var authenticated: Bool
    /// Set by QUIT or a protocol error: reply, then close.
    private var closing = false

    init(host: StoreHost, settings: ServerSettings, clients: Clients, logger: Logger) {
        self.host = host
        self.settings = settings
        self.clients = clients
        self.logger = logger
        authenticated = settings.password == nil
        parser.maxBulkLength = settings.maxBulkLength
        parser.unauthenticated = !authenticated
    }

    func channelActive(context: ChannelHandlerContext) {
        output = context.channel.allocator.buffer(capacity: 1024)
        if clients.count >= settings.maxClients {
            output.writeReply(.error("ERR max number of clients reached"), version: version)
            closeAfterReply(context)
            return
        }
        client = clients.connect(address: context.channel.remoteAddress)
        logger.debug("client connected", metadata: ["id": "\(client.id)", "address": "\(client.address)"])
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let client {
            clients.disconnect(client.id)
            logger.debug("client disconnected", metadata: ["id": "\(client.id)"])
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var bytes = unwrapInboundIn(data)
        if input == nil || input!.readableBytes == 0 {
            input = bytes
        } else {
            input!.writeBuffer(&bytes)
        }
        parse: while !closing {
            switch parser.next(&input!) {
            case .command(let words):
                run(words, context: context)
            case .needMoreData:
                break parse
            case .error(let text):
                logger.info("protocol error, closing the connection", metadata: ["id": "\(client.id)", "error": "\(text)"])
                output.writeReply(.error(text), version: version)
                closing = true
            }
        }
        if input!.readableBytes == 0 {
            input = nil
        } else if input!.readerIndex > 64 * 1024 {
            input!.discardReadBytes()
        }
        if output.readableBytes > 0 {
            context.write(wrapOutboundOut(output), promise: nil)
            output = context.channel.allocator.buffer(capacity: 1024)
        }
        if closing { closeAfterReply(context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A client that reads its replies slowly stops being read from, so its
    /// unsent replies stay bounded by the channel's write buffer watermark.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let channel = context.channel
        let writable = channel.isWritable
        channel.setOption(ChannelOptions.autoRead, value: writable).whenSuccess {
            if writable { channel.read() }
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

    // MARK: Commands

    private func run(_ words: [Bytes], context: ChannelHandlerContext) {
        let name = words[0]
        // Redis's cross-protocol guard: an HTTP request sent to the port.
        if name.equalsIgnoringCase("POST") || name.equalsIgnoringCase("HOST:") {
            logger.warning("Possible SECURITY ATTACK detected: a client sent an HTTP request to redi's port. Connection aborted.",
                           metadata: ["address": "\(client.address)"])
            closing = true
            context.close(promise: nil)
            return
        }
        client.lastCommand = name.asciiLowercased()
        if name.equalsIgnoringCase("AUTH") { return auth(words) }
        if name.equalsIgnoringCase("HELLO") { return hello(words) }
        if name.equalsIgnoringCase("QUIT") {
            output.writeReply(.status("OK"), version: version)
            closing = true
            return
        }
        guard authenticated else {
            output.writeReply(.error("NOAUTH Authentication required."), version: version)
            return
        }
        if let spec = CommandTable.spec(named: name), spec.flags.contains("frontend") {
            // EXIT and HELP belong to redi's own prompt, not to the protocol.
            output.writeReply(.error(Engine.unknownCommandMessage(words)), version: version)
            return
        }
        let reply = host.assumeIsolated { $0.execute(words) }
        output.writeReply(reply, version: version)
    }

    /// AUTH [username] password, as Redis with only the default user.
    private func auth(_ words: [Bytes]) {
        guard words.count == 2 || words.count == 3 else {
            output.writeReply(.error("ERR wrong number of arguments for 'auth' command"), version: version)
            return
        }
        output.writeReply(authenticate(user: words.count == 3 ? words[1] : nil, password: words[words.count - 1]), version: version)
    }

    private func authenticate(user: Bytes?, password: Bytes) -> Reply {
        guard let required = settings.password else {
            if user == nil {
                return .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            return user == "default" ? .status("OK") : .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        guard user == nil || user == "default", password == Bytes(required) else {
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        authenticated = true
        parser.unauthenticated = false
        return .status("OK")
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]].
    private func hello(_ words: [Bytes]) {
        var index = 1
        var requested = version
        if words.count > 1 {
            guard let number = words[1].int64Value else {
                output.writeReply(.error("ERR Protocol version is not an integer or out of range"), version: version)
                return
            }
            guard let chosen = ProtocolVersion(rawValue: Int(clamping: number)) else {
                output.writeReply(.error("NOPROTO unsupported protocol version"), version: version)
                return
            }
            requested = chosen
            index = 2
        }
        var name: Bytes?
        while index < words.count {
            let option = words[index]
            if option.equalsIgnoringCase("AUTH"), index + 2 < words.count {
                let reply = authenticate(user: words[index + 1], password: words[index + 2])
                if reply.isError {
                    output.writeReply(reply, version: version)
                    return
                }
                index += 3
            } else if option.equalsIgnoringCase("SETNAME"), index + 1 < words.count {
                name = words[index + 1]
                index += 2
            } else {
                output.writeReply(.error("ERR Syntax error in HELLO option '\(option.description)'"), version: version)
                return
            }
        }
        guard authenticated else {
            output.writeReply(.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"), version: version)
            return
        }
        if let name { client.name = name }
        version = requested
        output.writeMap([
            ("server", .bulk("redis")),
            ("version", .bulk(Bytes(compatibleRedisVersion))),
            ("proto", .integer(Int64(version.rawValue))),
            ("id", .integer(Int64(client.id))),
            ("mode", .bulk("standalone")),
            ("role", .bulk("master")),
            ("modules", .array([])),
        ], version: version)
    }
}

/// The Redis version redi answers to clients that ask (HELLO, INFO): the one
/// whose commands and replies it follows.
let compatibleRedisVersion = "7.0.15"
