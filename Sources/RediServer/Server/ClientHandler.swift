import DequeModule
import Logging
import NIOCore
import StoreEngine

/// One client connection: reads requests (pipelined or not), runs each on
/// the store, and writes the replies in order, one write per read batch.
///
/// It runs on the store's event loop, so commands execute synchronously
/// (`StoreHost.onLoop`), as in Redis's single thread. Commands about
/// the connection or the server (AUTH, CLIENT, INFO, CONFIG...) are answered
/// here (`ServerCommand`); the rest go to the store.
final class ClientHandler {
    let host: StoreHost
    let state: ServerState
    let logger: Logger
    var client: Client!
    private var parser = RequestParser()
    /// Bytes read but not yet parsed.
    private var input: ByteBuffer?
    private var output: ByteBuffer!
    /// A batch of commands and their replies: kept from call to call of
    /// `process`, so that a request allocates neither array.
    private var batch: [[Bytes]] = []
    private var replies: [Reply] = []
    /// Replies made but not yet written while a slow reader catches up.
    private var pendingReplies = Deque<Reply>()
    /// The protocol the client speaks (its `Client`'s, which HELLO sets).
    var version: ProtocolVersion {
        get { client?.version ?? .resp2 }
        set { client.version = newValue }
    }
    /// Whether commands must wait for AUTH: a password is set and this
    /// client's session has not given it (Redis's `authRequired`).
    var authRequired: Bool {
        guard state.settings.password != nil, let client else { return false }
        let id = client.session
        return state.engine { $0.session(id)?.isAuthenticated != true }
    }
    /// Set by QUIT, CLIENT KILL or a protocol error: reply, then close.
    var closing = false
    /// Set while a slow reader's replies wait to be sent (`outputLimit`).
    private var paused = false
    /// Set while `process` runs: a write inside it may make NIO read (or
    /// close) at once, which must not start a second `process`.
    private var processing = false
    /// Set while a blocking command waits (BLPOP...): nothing else of the
    /// client's runs until its reply comes (`unblocked`).
    private var blocked = false
    /// What was parsed after the blocked command, run once it is answered.
    private var waiting = Deque<RequestParser.Outcome>()
    /// The socket; set by `start`.
    private(set) var connection: Connection!
    static let allocator = ByteBufferAllocator()
    /// Stands in for `output` while `process` writes into it (never written to).
    private static let placeholder = allocator.buffer(capacity: 0)

    init(host: StoreHost, state: ServerState, logger: Logger) {
        self.host = host
        self.state = state
        self.logger = logger
    }

    /// Starts serving a new connection.
    func start(on connection: Connection) {
        self.connection = connection
        connection.handler = self
        output = Self.allocator.buffer(capacity: 1024)
        if state.clients.count >= state.settings.maxClients {
            state.rejectedConnections += 1
            output.writeReply(.error("ERR max number of clients reached"), version: version)
            closeAfterReply()
            return
        }
        state.totalConnections += 1
        // As in Redis, a client that connects while no password is set
        // stays authenticated if one is set later.
        let authenticated = state.settings.password == nil
        let session = host.onLoop(state.loop) { host in
            let id = host.openSession()
            host.withEngine { $0.session(id)?.isAuthenticated = authenticated }
            return id
        }
        client = state.clients.connect(connection, session: session)
        state.connections[session] = self
        // A blocked command's reply is written at once (the store runs on
        // this loop); what the client sent after it runs on a later turn.
        let handler = LoopBound(self, loop: connection.loop)
        host.onLoop(state.loop) { host in
            host.whenUnblocked(session) { reply in handler.value.unblocked(reply) }
        }
        connection.start()
        logger.debug("client connected", metadata: ["id": "\(client.id)", "address": "\(client.address)"])
    }

    /// The connection ended (the client left, or it was closed).
    func closed() {
        if let client {
            state.pubsub.remove(client)
            stopMonitoring()
            state.clients.disconnect(client.id)
            state.connections[client.session] = nil
            let session = client.session
            host.onLoop(state.loop) { $0.closeSession(session) }
            logger.debug("client disconnected", metadata: ["id": "\(client.id)"])
        }
    }

    /// Bytes the client sent.
    func received(_ bytes: ByteBuffer) {
        guard !closing else { return }
        var bytes = bytes
        state.netInputBytes += bytes.readableBytes
        if var pending = input, pending.readableBytes > 0 {
            // Unique while appended to: no copy of what is already pending.
            input = nil
            pending.writeBuffer(&bytes)
            input = pending
        } else {
            input = bytes
        }
        // What a client sends while its command waits (or while it reads
        // slowly) is kept, up to Redis's client-query-buffer-limit.
        if (input?.readableBytes ?? 0) > Self.queryBufferLimit {
            logger.warning("closing a client whose unread commands passed 1 GB", metadata: ["id": "\(client?.id ?? 0)"])
            closing = true
            connection.close()
            return
        }
        if !paused && !blocked { process() }
    }

    /// A blocked command's reply, called while the store serves it: written
    /// and flushed now; what the client sent after it runs on the loop's
    /// next turn, outside the store's command.
    private func unblocked(_ reply: Reply) {
        guard connection.isActive, blocked else { return }
        var output = Self.allocator.buffer(capacity: 64)
        emit(reply, into: &output)
        send(output, flush: true)
        connection.loop.execute { [self] in resume() }
    }

    /// After a blocked command's reply: the commands pipelined after it,
    /// then the rest of the client's input.
    private func resume() {
        guard connection.isActive, blocked else { return }
        blocked = false
        var output = self.output!
        while !blocked && !closing, let outcome = waiting.popFirst() {
            dispatch(outcome, output: &output)
        }
        if output.readableBytes > 0 { send(output) }
        self.output = Self.allocator.buffer(capacity: 1024)
        if closing {
            closeAfterReply()
        } else if !blocked && !paused {
            process()
        }
        state.flushReplies(connection)
    }

    /// Runs what the parser found after a command that blocked.
    private func dispatch(_ outcome: RequestParser.Outcome, output: inout ByteBuffer) {
        switch outcome {
        case .command(let words):
            client.noteCommand(words)
            if Self.alone[words[0]] != nil {
                run(words, output: &output)
            } else {
                let session = client.session
                let replies = host.onLoop(state.loop) { $0.execute([words], session: session) }
                if replies.isEmpty { blocked = true }
                for reply in replies { emit(reply, into: &output) }
            }
        case .error(let text):
            state.countError(text)
            emit(.error(text), into: &output)
            closing = true
        case .needMoreData:
            break
        }
    }

    /// Unsent replies past which a client that reads slowly stops being
    /// served until it catches up: its memory stays bounded.
    static let outputLimit = 1 << 20
    /// Commands run together.
    static let batchLimit = 256
    /// Bytes of commands not yet run past which a client is closed (Redis's
    /// `client-query-buffer-limit`).
    static let queryBufferLimit = 1 << 30

    /// Runs the commands in `input` until it needs more bytes, or until the
    /// client's unsent replies pass `outputLimit` while it does not read:
    /// then it pauses, and goes on when the connection is writable again.
    private func process() {
        guard !processing, client != nil else { return }
        processing = true
        client.isProcessing = true
        defer {
            processing = false
            client.isProcessing = false
        }
        // Locals, not properties, in the loop: no exclusivity checks per command.
        // The last turn's buffer again, once the socket has sent it (else
        // `clear` gives new storage, as the sent bytes are not ours).
        var output = self.output!
        self.output = Self.placeholder
        if output.readableBytes == 0 { output.clear() }
        // The arrays of the last call, taken out while in use (so not copied).
        var batch = self.batch
        var replies = self.replies
        (self.batch, self.replies) = ([], [])
        defer {
            batch.removeAll(keepingCapacity: true)
            replies.removeAll(keepingCapacity: true)
            (self.batch, self.replies) = (batch, replies)
        }
        var parser = self.parser
        parser.maxBulkLength = state.settings.maxBulkLength
        parser.unauthenticated = authRequired
        // Replies held back by an earlier pause go first.
        while !paused, let reply = pendingReplies.popFirst() {
            emit(reply, into: &output)
        }
        parse: while !paused && !blocked && !closing && connection.isActive {
            // New bytes may have come in (read inside a write) since the last turn.
            guard var input = self.input else { break }
            self.input = nil
            // Runs of ordinary commands go to the store together, under one
            // isolation check; the connection's and the server's own commands
            // (and everything before AUTH, parsed under tighter limits, from a
            // subscriber or while monitored) go one at a time.
            batch.removeAll(keepingCapacity: true)
            var next: RequestParser.Outcome = .needMoreData
            let batchable = !authRequired && client.channels.isEmpty && client.patterns.isEmpty && !state.isMonitored
            while batch.count < Self.batchLimit {
                let outcome = parser.next(&input)
                if batchable, case .command(let words) = outcome, Self.alone[words[0]] == nil {
                    batch.append(words)
                    continue
                }
                next = outcome
                break
            }
            self.input = input.readableBytes > 0 ? input : nil
            if let last = batch.last {
                client.noteCommand(last)
                let session = client.session
                replies.removeAll(keepingCapacity: true)
                host.onLoop(state.loop) { $0.execute(batch, session: session, into: &replies) }
                for reply in replies { emit(reply, into: &output) }
                if replies.count < batch.count {
                    // One blocked: the rest waits for its reply (CLIENT LIST names it).
                    client.noteCommand(batch[replies.count])
                    blocked = true
                    waiting = Deque(batch[(replies.count + 1)...].map { .command($0) } + [next])
                    break parse
                }
            }
            switch next {
            case .command(let words):
                client.noteCommand(words)
                run(words, output: &output)
                parser.unauthenticated = authRequired
                parser.maxBulkLength = state.settings.maxBulkLength
            case .needMoreData:
                if batch.count < Self.batchLimit { break parse }
            case .error(let text):
                logger.info("protocol error, closing the connection", metadata: ["id": "\(client.id)", "error": "\(text)"])
                state.countError(text)
                emit(.error(text), into: &output)
                closing = true
            }
        }
        self.parser = parser
        if var input = self.input, input.readerIndex > 64 * 1024 {
            input.discardReadBytes()
            self.input = input
        }
        if output.readableBytes > 0 {
            send(output)
            output.moveReaderIndex(to: output.writerIndex)
        }
        self.output = output
        if closing { closeAfterReply() }
    }

    /// Writes a reply into `output`, element by element for arrays, handing
    /// the buffer to the connection whenever it passes `outputLimit`: no
    /// buffer grows past one element beyond the limit. Once the connection is
    /// not writable (the client reads slowly), what follows waits in
    /// `pendingReplies` and the client is paused.
    private func emit(_ reply: Reply, into output: inout ByteBuffer) {
        if paused {
            pendingReplies.append(reply)
            return
        }
        switch reply {
        case .array(let elements) where elements.count > 1, .map(let elements) where elements.count > 1,
             .push(let elements) where elements.count > 1:
            output.writeAggregateHeader(of: reply, version: version)
            for element in elements { write(element, into: &output) }
        default:
            write(reply, into: &output)
        }
    }

    /// Writes one reply (nested aggregates whole), handing full buffers on;
    /// once the socket holds more than it can take, what follows this reply waits.
    private func write(_ reply: Reply, into output: inout ByteBuffer) {
        output.writeReply(reply, version: version)
        if output.readableBytes >= Self.outputLimit {
            send(output, flush: true)
            output = Self.allocator.buffer(capacity: 1024)
            if !connection.isWritable { paused = true }
        }
    }

    /// Hands replies to the connection, counting them for INFO.
    private func send(_ buffer: ByteBuffer, flush: Bool = false) {
        state.netOutputBytes += buffer.readableBytes
        connection.write(buffer)
        if flush { state.flushReplies(connection) }
    }

    /// The end of a read's commands: their replies go.
    func readComplete() {
        state.flushReplies(connection)
    }

    /// A client that reads its replies slowly stops being read from and
    /// served (`process`), so its unsent replies stay bounded.
    func writabilityChanged() {
        let writable = connection.isWritable
        connection.setReading(writable)
        if writable && paused {
            paused = false
            process()
            state.flushReplies(connection)
        }
    }

    private func closeAfterReply() {
        closing = true
        if output.readableBytes > 0 {
            send(output)
            output = Self.allocator.buffer(capacity: 0)
        }
        // The last replies leave, and the connection closes, once what they acknowledge is in the file.
        let connection = self.connection!
        state.afterReplies(of: connection) { connection.closeAfterSending() }
    }

    /// Runs one command on its own, through the store's processor (which
    /// checks it in Redis's order: known, right arity, authenticated,
    /// allowed in subscribe mode); MONITOR sees it after it ran. An HTTP
    /// request closes the connection; QUIT answers and closes it; the
    /// prompt's own commands (EXIT, HELP) are unknown here.
    private func run(_ words: [Bytes], output: inout ByteBuffer) {
        let alone = Self.alone[words[0]]
        if alone == .http {
            logger.warning("Possible SECURITY ATTACK detected: a client sent an HTTP request to redi's port. Connection aborted.",
                           metadata: ["address": "\(client.address)"])
            closing = true
            output.clear()
            connection.close()
            return
        }
        if alone == .quit {
            closing = true
            emit(.status("OK"), into: &output)
            return
        }
        if alone == .frontEnd {
            emit(.error(Engine.unknownCommandMessage(words)), into: &output)
            return
        }
        let spec = CommandTable.spec(named: words[0])
        let session = client.session
        // Through the host, as a batch goes: its timer learns of a new deadline.
        let (reply, ran, database) = host.onLoop(state.loop) { host in
            let before = host.withEngine { $0.stats.commandsProcessed }
            let reply = host.execute([words], session: session).first
            return host.withEngine { engine in (reply, engine.stats.commandsProcessed != before, engine.session(session)?.database ?? 0) }
        }
        // A blocking command answers later (`unblocked`).
        if reply == nil { blocked = true }
        // An accepted SHUTDOWN answers nothing: the connection ends with the process.
        if reply == .status("OK"), words[0].equalsIgnoringCase("SHUTDOWN") {
            closing = true
            return
        }
        // Messages published to this client while it ran come before its reply.
        let replies = client.pushQueue + (reply.map { [$0] } ?? [])
        client.pushQueue = []
        for reply in replies { emit(reply, into: &output) }
        if state.isMonitored, ran, let spec, Self.isMonitorable(spec) {
            state.feedMonitors(Self.redacted(words), from: client, database: database)
            // A monitor sees its own commands too, after their replies.
            for line in client.pushQueue { emit(line, into: &output) }
            client.pushQueue = []
        }
    }

    /// Commands a connection runs one at a time, never in a batch.
    enum Alone: Sendable {
        /// The server's commands (SUBSCRIBE answers per channel, AUTH
        /// changes what may follow...).
        case server
        /// Closes the connection after its answer.
        case quit
        /// The prompt's own (EXIT, HELP): unknown to a connection.
        case frontEnd
        /// Redis's cross-protocol guard: `POST` or `Host:` as a command name.
        case http
    }

    /// Found by name without hashing, once per command.
    static let alone = CommandNameTable<Alone>(
        ServerCommand.allCases.map { ($0.rawValue, .server) } + [("quit", .quit), ("post", .http), ("host:", .http)]
            + CommandTable.all.filter { $0.flags.contains("frontend") && $0.name != "QUIT" }.map { ($0.name, .frontEnd) })

    /// As Redis, MONITOR does not show AUTH, HELLO or administrative
    /// commands (CONFIG, DEBUG, SAVE, MONITOR...).
    static func isMonitorable(_ spec: CommandSpec) -> Bool {
        !spec.flags.contains("admin")
    }

    /// A command as monitors see it: passwords replaced by `(redacted)`, as
    /// Redis's `redactClientCommandArgument` does for AUTH and HELLO's AUTH.
    static func redacted(_ words: [Bytes]) -> [Bytes] {
        let hidden = Bytes("(redacted)")
        if words[0].equalsIgnoringCase("AUTH") {
            return [words[0]] + words.dropFirst().map { _ in hidden }
        }
        guard words[0].equalsIgnoringCase("HELLO"), words.count > 2 else { return words }
        var shown = words
        var index = 2
        while index < shown.count {
            if shown[index].equalsIgnoringCase("AUTH"), index + 2 < shown.count {
                shown[index + 1] = hidden
                shown[index + 2] = hidden
                index += 3
            } else {
                // SETNAME's value is a name, whatever it spells.
                index += shown[index].equalsIgnoringCase("SETNAME") ? 2 : 1
            }
        }
        return shown
    }

    func stopMonitoring() {
        guard client.monitoring else { return }
        client.monitoring = false
        state.monitors.removeAll { $0 === client }
    }
}
