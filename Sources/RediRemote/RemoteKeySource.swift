import NIOSSL
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Redis, Valkey or redi server as the UI's `KeySource` (`redi connect`).
///
/// Three connections: the UI's session (typed commands, which may block),
/// a reader (SCAN pages and their descriptions, detail pages, INFO), and a
/// subscriber to the shown database's keyspace notifications. A notified
/// key is described again on the reader, after any page already asked
/// for, so the table never goes back to an older state of a key.
public actor RemoteKeySource: KeySource {
    let settings: RemoteSettings
    /// The TLS context every connection shares, when TLS is on.
    private let tls: NIOSSLContext?
    private var reader: RedisConnection
    private var session: RedisConnection
    private var events: RedisConnection?
    /// The session connection's CLIENT ID, for CLIENT UNBLOCK.
    private var sessionClientID: Int64 = 0
    private var sessionState: SessionState
    /// PEXPIRETIME is there (Redis 7.0 and later); else PTTL plus the reply's time.
    private var hasExpireTime = true
    private var commands = ServerCommands()
    private var watchers: [SubscriptionToken: @Sendable ([KeyChange]) -> Void] = [:]
    private var nextToken = 1
    /// The database the table shows, and a number that changes with each load.
    private var shown = 0
    private var generation = 0
    /// The glob the shown load asked the server for (SCAN MATCH), if any.
    private var match: Bytes?
    private var loaded = 0
    private var total = 0
    private var loading = false
    /// Whether the server sends the keyspace notifications the table follows.
    private(set) var live = false
    /// Notified keys waiting to be described, with their last event.
    private var pending: [Bytes: String] = [:]
    private var pendingOrder: [Bytes] = []
    private var describing = false
    private var disconnectedReason: String?
    private var reconnecting = false
    private let eventStream: AsyncStream<Reply>
    private let eventSink: AsyncStream<Reply>.Continuation
    private var subscribed: CheckedContinuation<Void, Never>?
    private var readingEvents = false
    private var monitor: RedisConnection?

    private init(settings: RemoteSettings, tls: NIOSSLContext?, reader: RedisConnection, session: RedisConnection) {
        self.settings = settings
        self.tls = tls
        self.reader = reader
        self.session = session
        sessionState = SessionState(database: settings.url.database)
        shown = settings.url.database
        (eventStream, eventSink) = AsyncStream<Reply>.makeStream()
    }

    /// Connects, logs in and learns what the server has; the error says
    /// which server and why, within the connect timeout.
    public static func connect(_ settings: RemoteSettings) async throws(RemoteError) -> RemoteKeySource {
        let tls = settings.url.tls ? try makeTLSContext(settings.tls) : nil
        let reader = try await open(settings, tls: tls, protocolVersion: 2, onClose: nil)
        let session: RedisConnection
        do {
            session = try await open(settings, tls: tls, protocolVersion: 3, onClose: nil)
        } catch {
            reader.close()
            throw error
        }
        let source = RemoteKeySource(settings: settings, tls: tls, reader: reader, session: session)
        try await source.learn()
        await source.startFollowing()
        return source
    }

    /// One connection, logged in (AUTH), speaking `protocolVersion` where the
    /// server can (HELLO), in the URL's database.
    private static func open(
        _ settings: RemoteSettings, tls: NIOSSLContext?, protocolVersion: Int,
        onPush: (@Sendable (Reply) -> Void)? = nil, onClose: (@Sendable () -> Void)?
    ) async throws(RemoteError) -> RedisConnection {
        let url = settings.url
        let connection = try await RedisConnection.open(
            host: url.host, port: url.port, timeout: settings.connectTimeout, tls: tls, onPush: onPush, onClose: onClose)
        do throws(RemoteError) {
            if let password = url.password {
                let auth: [Bytes] = url.user.map { ["AUTH", Bytes($0), Bytes(password)] } ?? ["AUTH", Bytes(password)]
                if case .error(let text) = try await connection.send(auth, timeout: settings.connectTimeout) {
                    throw RemoteError.authentication(url.address, reason: text)
                }
            }
            if protocolVersion == 3 {
                // A server before Redis 6 has no HELLO: RESP2 it is.
                let reply = try await connection.send(["HELLO", "3"], timeout: settings.connectTimeout)
                if case .error(let text) = reply, text.hasPrefix("NOAUTH") {
                    throw RemoteError.authentication(url.address, reason: text)
                }
            } else if case .error(let text) = try await connection.send(["PING"], timeout: settings.connectTimeout) {
                throw text.hasPrefix("NOAUTH") ? RemoteError.authentication(url.address, reason: text + " (give a password in the URL, REDISCLI_AUTH or --askpass)")
                    : RemoteError.unexpected(url.address, reason: text)
            }
            if url.database != 0, case .error(let text) = try await connection.send(["SELECT", Bytes(Int64(url.database))], timeout: settings.connectTimeout) {
                throw RemoteError.unexpected(url.address, reason: "SELECT \(url.database): \(text)")
            }
        } catch {
            connection.close()
            // Lost before the first answer (a failed TLS handshake): it never connected.
            switch error {
            case .disconnected(let address, let reason) where tls == nil && (reason == "connection reset" || reason == "the connection closed"):
                throw .unreachable(address, reason: reason + " (a TLS port? rediss:// or --tls)")
            case .disconnected(let address, let reason):
                throw .unreachable(address, reason: reason)
            case .timedOut(let address) where tls != nil:
                throw .unreachable(address, reason: "no answer to TLS in time (a port without TLS? redis://)")
            default:
                throw error
            }
        }
        return connection
    }

    /// The client side of TLS from redis-cli's flags; a file that cannot be read is named.
    private static func makeTLSContext(_ files: TLSFiles) throws(RemoteError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        for path in [files.caCertificate, files.certificate, files.key].compactMap({ $0 }) where access(path, R_OK) != 0 {
            throw .tlsFiles("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        func certificates(_ path: String) throws(RemoteError) -> [NIOSSLCertificate] {
            guard let loaded = try? NIOSSLCertificate.fromPEMFile(path), !loaded.isEmpty else {
                throw .tlsFiles("\(path) holds no PEM certificate")
            }
            return loaded
        }
        if let authority = files.caCertificate { configuration.trustRoots = .certificates(try certificates(authority)) }
        if let certificate = files.certificate { configuration.certificateChain = try certificates(certificate).map { .certificate($0) } }
        if let key = files.key {
            guard let privateKey = try? NIOSSLPrivateKey(file: key, format: .pem) else { throw .tlsFiles("\(key) holds no PEM private key") }
            configuration.privateKey = .privateKey(privateKey)
        }
        if files.insecure { configuration.certificateVerification = .none }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsFiles("\(error)")
        }
    }

    /// The server's version, its commands, the session's client id, whether notifications are on.
    private func learn() async throws(RemoteError) {
        let replies = try await reader.send(
            [["INFO", "server"], ["COMMAND"], ["CONFIG", "GET", "notify-keyspace-events"]], timeout: settings.connectTimeout)
        if let info = replies[0].text, let version = Self.field("redis_version", in: info),
           let major = Int(version.split(separator: ".").first ?? "") {
            hasExpireTime = major >= 7
        }
        commands = ServerCommands(replies[1])
        live = Self.notificationsCover(replies[2])
        if case .integer(let id) = try await session.send(["CLIENT", "ID"], timeout: settings.connectTimeout) { sessionClientID = id }
    }

    /// Whether CONFIG GET notify-keyspace-events's answer has keyspace
    /// events (`K`) for every kind the table follows.
    static func notificationsCover(_ reply: Reply) -> Bool {
        guard let elements = reply.elements, elements.count >= 2, let flags = elements[1].text else { return false }
        guard flags.contains("K") else { return false }
        return flags.contains("A") || "g$lshzxe".allSatisfy { flags.contains($0) }
    }

    /// Whether the server's keyspace notifications are off (or miss kinds the table follows).
    public var needsNotifications: Bool { !live }

    /// Turns on the keyspace notifications the table follows (CONFIG SET,
    /// keeping what was on); asked of the user first.
    public func enableNotifications() async throws(RemoteError) {
        let current = try await reader.send(["CONFIG", "GET", "notify-keyspace-events"])
        let flags = current.elements.flatMap { $0.count >= 2 ? $0[1].text : nil } ?? ""
        let wanted = Set(flags + "KA").subtracting(["A"]).isEmpty ? "KA" : String(Set(flags + "KA"))
        if case .error(let text) = try await reader.send(["CONFIG", "SET", "notify-keyspace-events", Bytes(wanted)]) {
            throw RemoteError.unexpected(settings.url.address, reason: "CONFIG SET notify-keyspace-events: \(text)")
        }
        live = true
        if let events { events.close() }
        events = nil
        await startFollowing()
    }

    // MARK: Following changes

    /// Opens the subscriber connection and the loop that reads its messages.
    private func startFollowing() async {
        guard live, events == nil else { return }
        let sink = eventSink
        do {
            events = try await Self.open(settings, tls: tls, protocolVersion: 2, onPush: { sink.yield($0) }, onClose: nil)
        } catch {
            live = false
            return
        }
        if !readingEvents {
            readingEvents = true
            Task { await self.readEvents() }
        }
        await subscribe(to: shown)
    }

    private func readEvents() async {
        for await message in eventStream {
            note(message)
        }
    }

    /// Follows `database`'s notifications only, and waits until the server confirms.
    private func subscribe(to database: Int) async {
        guard let events else { return }
        await withCheckedContinuation { continuation in
            subscribed = continuation
            events.sendUnanswered([["PUNSUBSCRIBE"], ["PSUBSCRIBE", Bytes("__keyspace@\(database)__:*")]])
        }
    }

    /// A message from the subscriber connection.
    private func note(_ message: Reply) {
        guard let parts = message.elements, let kind = parts.first?.text else { return }
        if kind == "psubscribe" {
            subscribed?.resume()
            subscribed = nil
            return
        }
        guard kind == "pmessage", parts.count == 4, let channel = parts[2].bytes, let event = parts[3].text else { return }
        let prefix = "__keyspace@\(shown)__:"
        let array = channel.array
        guard array.starts(with: prefix.utf8) else { return }
        let key = Bytes(array[prefix.utf8.count...])
        if pending.updateValue(event, forKey: key) == nil { pendingOrder.append(key) }
        if !describing {
            describing = true
            Task { await self.describePending() }
        }
    }

    /// Describes notified keys in batches and posts their rows.
    private func describePending() async {
        defer { describing = false }
        while !pendingOrder.isEmpty {
            let batch = Array(pendingOrder.prefix(settings.pageSize))
            pendingOrder.removeFirst(batch.count)
            let events = batch.map { pending.removeValue(forKey: $0) ?? "set" }
            let database = shown
            let startedIn = generation
            guard let infos = try? await describe(batch) else { return }
            guard startedIn == generation else { continue }
            var changes: [KeyChange] = []
            for (index, key) in batch.enumerated() {
                if let info = infos[index] {
                    changes.append(.updated(info, database: database))
                } else {
                    changes.append(.removed(key, events[index] == "expired" ? .expired : .del, database: database))
                }
            }
            post(changes)
        }
    }

    private func post(_ changes: [KeyChange]) {
        guard !changes.isEmpty else { return }
        for handler in watchers.values { handler(changes) }
    }

    // MARK: Describing keys

    /// How much of a string a row holds: what a wide table shows, a quarter
    /// of the local store's preview, as every row of a million is fetched and kept.
    static let previewLength = 64

    /// What the table shows of each key, in two pipelined rounds: TYPE,
    /// the deadline and MEMORY USAGE, then the length (and a string's first
    /// bytes) by type. `nil` for a key gone meanwhile.
    func describe(_ keys: [Bytes]) async throws(RemoteError) -> [KeyInfo?] {
        guard !keys.isEmpty else { return [] }
        var first: [[Bytes]] = []
        first.reserveCapacity(keys.count * 3)
        for key in keys {
            first.append(["TYPE", key])
            first.append([hasExpireTime ? "PEXPIRETIME" : "PTTL", key])
            first.append(["MEMORY", "USAGE", key])
        }
        let replies = try await reader.send(first)
        let now = SystemClock().now()
        var types: [String?] = []
        var second: [[Bytes]] = []
        for (index, key) in keys.enumerated() {
            let type = replies[index * 3].text ?? "none"
            types.append(type == "none" ? nil : type)
            switch type {
            case "string":
                second.append(["STRLEN", key])
                second.append(["GETRANGE", key, "0", Bytes(Int64(Self.previewLength - 1))])
            case "hash": second.append(["HLEN", key])
            case "list": second.append(["LLEN", key])
            case "set": second.append(["SCARD", key])
            case "zset": second.append(["ZCARD", key])
            case "stream": second.append(["XLEN", key])
            default: break
            }
        }
        let lengths = try await reader.send(second)
        var next = 0
        var infos: [KeyInfo?] = []
        infos.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            guard let type = types[index] else {
                infos.append(nil)
                continue
            }
            var deadline: Int64?
            if case .integer(let value) = replies[index * 3 + 1], value >= 0 {
                deadline = hasExpireTime ? value : now + value
            }
            let size = Int(replies[index * 3 + 2].integer ?? 0)
            var length = 0
            var preview = Bytes()
            switch type {
            case "string":
                length = Int(lengths[next].integer ?? 0)
                preview = lengths[next + 1].bytes ?? Bytes()
                next += 2
            case "hash", "list", "set", "zset", "stream":
                length = Int(lengths[next].integer ?? 0)
                next += 1
            default: break
            }
            var info = KeyInfo(key: key, typeName: type, size: size, deadline: deadline, preview: preview, length: length)
            info.previewIsCut = type == "string" && length > preview.count
            infos.append(info)
        }
        return infos
    }

    // MARK: KeySource

    public func describeKeys(in database: Int, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) async {
        await describeKeys(in: database, matching: nil, deliver: deliver)
    }

    /// Loads the keys `pattern` matches (SCAN MATCH), or all of them.
    public func describeKeys(
        in database: Int, matching pattern: Bytes?, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void
    ) async {
        match = pattern
        generation += 1
        let current = generation
        shown = database
        pending.removeAll()
        pendingOrder.removeAll()
        loaded = 0
        loading = true
        do {
            _ = try await reader.send(["SELECT", Bytes(Int64(database))])
            await subscribe(to: database)
            total = Int(try await reader.send(["DBSIZE"]).integer ?? 0)
            // The first rows before this returns; the rest in the background.
            var cursor = Bytes("0")
            var first = true
            repeat {
                let (next, keys) = try await scanPage(from: cursor)
                let infos = try await describe(keys).compactMap { $0 }
                guard current == generation else { return }
                cursor = next
                if first || !infos.isEmpty {
                    loaded += infos.count
                    deliver(infos, first)
                    first = false
                }
            } while first && cursor != "0"
            if cursor == "0" {
                loading = false
                return
            }
            Task { await self.loadRest(from: cursor, generation: current, deliver: deliver) }
        } catch {
            if current == generation { connectionLost(error) }
        }
    }

    private func loadRest(from start: Bytes, generation current: Int, deliver: @escaping @Sendable ([KeyInfo], Bool) -> Void) async {
        var cursor = start
        do {
            while cursor != "0" {
                let (next, keys) = try await scanPage(from: cursor)
                let infos = try await describe(keys).compactMap { $0 }
                guard current == generation else { return }
                loaded += infos.count
                if !infos.isEmpty { deliver(infos, false) }
                cursor = next
            }
            loading = false
        } catch {
            if current == generation { connectionLost(error) }
        }
    }

    private func scanPage(from cursor: Bytes) async throws(RemoteError) -> (Bytes, [Bytes]) {
        let reply = try await reader.send(["SCAN", cursor, "COUNT", Bytes(Int64(settings.pageSize))] + (match.map { ["MATCH", $0] } ?? []))
        guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes else {
            throw RemoteError.unexpected(settings.url.address, reason: "SCAN answered \(reply)")
        }
        return (next, (parts[1].elements ?? []).compactMap(\.bytes))
    }

    public func refresh(_ keys: [Bytes], in database: Int) async {
        guard database == shown, disconnectedReason == nil, !keys.isEmpty else { return }
        let startedIn = generation
        guard let infos = try? await describe(keys), startedIn == generation else { return }
        post(zip(keys, infos).map { key, info in
            info.map { .updated($0, database: database) } ?? .removed(key, .del, database: database)
        })
    }

    public func watchKeys(_ handler: @escaping @Sendable ([KeyChange]) -> Void) -> SubscriptionToken {
        let token = SubscriptionToken(id: nextToken)
        nextToken += 1
        watchers[token] = handler
        return token
    }

    /// A remote server saves nothing redi hears of: no snapshot events.
    public func subscribe(_ interest: EventInterest, _ handler: @escaping @Sendable ([EngineEvent]) -> Void) -> SubscriptionToken {
        let token = SubscriptionToken(id: nextToken)
        nextToken += 1
        return token
    }

    public func unsubscribe(_ token: SubscriptionToken) {
        watchers[token] = nil
    }

    public func detailPage(of key: Bytes, in database: Int, from offset: Int, count: Int, filter: Bytes?) async -> DetailPage? {
        do {
            return try await RemoteDetail(reader: reader, key: key, offset: offset, count: count, filter: filter).page()
        } catch {
            return nil
        }
    }

    public func persistence() async -> PersistenceStatus {
        // Asked once a second: also how a server gone quiet is noticed.
        let reply: Reply
        do {
            reply = try await reader.send(["INFO", "persistence"], timeout: settings.connectTimeout)
        } catch {
            connectionLost(error)
            return PersistenceStatus()
        }
        guard let info = reply.text else { return PersistenceStatus() }
        return PersistenceStatus(unsaved: Int(Self.field("rdb_changes_since_last_save", in: info) ?? "") ?? 0)
    }

    public func openSession() -> SessionID {
        SessionID(rawValue: 1)
    }

    public func execute(_ command: [Bytes], session id: SessionID) async -> Reply {
        guard let first = command.first else { return .error("ERR empty command") }
        if settings.readOnly && commands.refuses(command) {
            return .error("ERR redi is read-only (--read-only): \(String(decoding: first.array, as: UTF8.self).uppercased()) not sent")
        }
        if let disconnectedReason { return .error("ERR not connected to \(settings.url.address): \(disconnectedReason)") }
        let reply: Reply
        do {
            reply = try await session.send(command)
        } catch {
            connectionLost(error)
            return .error("ERR \(error.description)")
        }
        track(command, reply)
        return reply
    }

    /// Keeps the prompt's database and MULTI state as the server has them.
    private func track(_ command: [Bytes], _ reply: Reply) {
        guard !reply.isError || command[0].equalsIgnoringCase("EXEC") else { return }
        if command[0].equalsIgnoringCase("SELECT"), command.count == 2, let database = command[1].int64Value {
            sessionState.database = Int(database)
        } else if command[0].equalsIgnoringCase("MULTI") {
            sessionState.isInTransaction = true
        } else if command[0].equalsIgnoringCase("EXEC") || command[0].equalsIgnoringCase("DISCARD") {
            sessionState.isInTransaction = false
        } else if command[0].equalsIgnoringCase("RESET") {
            sessionState = SessionState()
        }
    }

    public func state(of session: SessionID) -> SessionState {
        sessionState
    }

    public func setDatabase(_ database: Int, of id: SessionID) async {
        if case .status = (try? await session.send(["SELECT", Bytes(Int64(database))])) ?? .null {
            sessionState.database = database
        }
    }

    @discardableResult
    public func unblock(_ session: SessionID, error: Bool) async -> Bool {
        let command: [Bytes] = ["CLIENT", "UNBLOCK", Bytes(sessionClientID)] + (error ? ["ERROR"] : [])
        return (try? await reader.send(command))?.integer == 1
    }

    public func stopWaiting(_ id: SessionID) async {
        await unblock(id, error: false)
    }

    public func remoteStatus() -> RemoteStatus? {
        RemoteStatus(
            address: settings.url.address, disconnectedReason: disconnectedReason, loadedKeys: loaded,
            totalKeys: max(total, loaded), loading: loading, live: live, readOnly: settings.readOnly)
    }

    /// Connected clients (INFO clients), for the status line.
    public func clientCount() async -> Int {
        guard let info = try? await reader.send(["INFO", "clients"], timeout: settings.connectTimeout).text else { return 0 }
        return Int(Self.field("connected_clients", in: info) ?? "") ?? 0
    }

    /// Follows every client's commands (the server's MONITOR, on a
    /// connection of its own), or stops (`nil`).
    public func follow(_ handler: (@Sendable (String) -> Void)?) async {
        monitor?.close()
        monitor = nil
        guard let handler else { return }
        monitor = try? await Self.open(settings, tls: tls, protocolVersion: 2, onPush: { reply in
            if case .status(let line) = reply, line != "OK" { handler(line) }
        }, onClose: nil)
        monitor?.sendUnanswered([["MONITOR"]])
    }

    /// Closes every connection.
    public func close() {
        reconnecting = true
        reader.close()
        session.close()
        events?.close()
        monitor?.close()
        eventSink.finish()
    }

    // MARK: Losing the server and finding it again

    private func connectionLost(_ error: RemoteError) {
        guard disconnectedReason == nil else { return }
        if case .disconnected(_, let reason) = error {
            disconnectedReason = reason
        } else {
            disconnectedReason = error.description
        }
        loading = false
        guard !reconnecting else { return }
        reconnecting = true
        Task { await self.reconnect() }
    }

    /// Tries again with a growing pause (100 ms to 2 s) until the server is
    /// back, then asks the UI to load the shown database again.
    private func reconnect() async {
        var pause = Duration.milliseconds(100)
        reader.close()
        session.close()
        events?.close()
        events = nil
        while true {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
            do {
                reader = try await Self.open(settings, tls: tls, protocolVersion: 2, onClose: nil)
                session = try await Self.open(settings, tls: tls, protocolVersion: 3, onClose: nil)
                if sessionState.database != settings.url.database {
                    _ = try await session.send(["SELECT", Bytes(Int64(sessionState.database))])
                }
                sessionState.isInTransaction = false
                try await learn()
                break
            } catch {
                reader.close()
                disconnectedReason = {
                    if case .unreachable(_, let reason) = error { return reason }
                    return error.description
                }()
                continue
            }
        }
        disconnectedReason = nil
        reconnecting = false
        await startFollowing()
        post([.reloaded(database: shown)])
    }

    /// A field of an INFO reply.
    static func field(_ name: String, in info: String) -> String? {
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
