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
        // Locals, not properties, in the loop: no exclusivity checks per command.
        var input: ByteBuffer
        if var pending = self.input, pending.readableBytes > 0 {
            pending.writeBuffer(&bytes)
            input = pending
        } else {
            input = bytes
        }
        self.input = nil
        var parser = self.parser
        var output = self.output!
        self.output = nil
        parse: while !closing {
            // Runs of ordinary commands go to the store together, under one
            // isolation check; the connection's own commands (and everything
            // before AUTH, parsed under tighter limits) go one at a time.
            var batch: [[Bytes]] = []
            var next: RequestParser.Outcome = .needMoreData
            while batch.count < 1024 {
                let outcome = parser.next(&input)
                if case .command(let words) = outcome, authenticated, Self.special(words[0]) == nil {
                    batch.append(words)
                    continue
                }
                next = outcome
                break
            }
            if let last = batch.last {
                client.lastCommand = last[0]
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
                run(words, output: &output, context: context)
                parser.unauthenticated = !authenticated
            case .needMoreData:
                if batch.count < 1024 { break parse }
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

    /// Commands the connection answers itself, by lower-case name.
    private enum Special {
        case auth, hello, quit
        /// EXIT and HELP belong to redi's own prompt, not to the protocol.
        case frontEndOnly
        /// Redis's cross-protocol guard: an HTTP request sent to the port.
        case http
    }

    /// The commands the table marks as redi's prompt's own (EXIT, HELP).
    private static let frontEndOnly = CommandTable.all
        .filter { $0.flags.contains("frontend") && $0.name != "QUIT" }
        .map { Bytes($0.name.lowercased()) }

    /// Which special command `name` is, if any: compared by length first,
    /// so the data commands pass through with no hashing or copying.
    private static func special(_ name: Bytes) -> Special? {
        switch name.count {
        case 4:
            if name.equalsIgnoringCase("AUTH") { return .auth }
            if name.equalsIgnoringCase("QUIT") { return .quit }
            if name.equalsIgnoringCase("POST") { return .http }
        case 5:
            if name.equalsIgnoringCase("HELLO") { return .hello }
            if name.equalsIgnoringCase("HOST:") { return .http }
        default:
            break
        }
        guard frontEndOnly.contains(where: { $0.count == name.count }) else { return nil }
        return frontEndOnly.contains(name.asciiLowercased()) ? .frontEndOnly : nil
    }

    /// Runs one command: the connection's own, or one sent before AUTH.
    private func run(_ words: [Bytes], output: inout ByteBuffer, context: ChannelHandlerContext) {
        client.lastCommand = words[0]
        if let special = Self.special(words[0]) {
            switch special {
            case .auth: output.writeReply(auth(words), version: version)
            case .hello: hello(words, output: &output)
            case .quit:
                output.writeReply(.status("OK"), version: version)
                closing = true
            case .http:
                logger.warning("Possible SECURITY ATTACK detected: a client sent an HTTP request to redi's port. Connection aborted.",
                               metadata: ["address": "\(client.address)"])
                closing = true
                output.clear()
                context.close(promise: nil)
            case .frontEndOnly:
                output.writeReply(authenticated ? .error(Engine.unknownCommandMessage(words)) : Self.noAuth, version: version)
            }
            return
        }
        guard authenticated else {
            output.writeReply(Self.noAuth, version: version)
            return
        }
        let selected = client.database
        let (reply, database) = host.assumeIsolated { host in
            var database = selected
            return (host.execute(words, database: &database), database)
        }
        client.database = database
        output.writeReply(reply, version: version)
    }

    private static let noAuth = Reply.error("NOAUTH Authentication required.")

    /// AUTH [username] password, as Redis with only the default user.
    private func auth(_ words: [Bytes]) -> Reply {
        guard words.count == 2 || words.count == 3 else {
            return .error("ERR wrong number of arguments for 'auth' command")
        }
        return authenticate(user: words.count == 3 ? words[1] : nil, password: words[words.count - 1])
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
        return .status("OK")
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]].
    private func hello(_ words: [Bytes], output: inout ByteBuffer) {
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
