import NIOSSL
import StoreEngine

/// A Redis, Valkey or redi server, or a Redis Cluster, as the UI's
/// `KeySource` (`redi connect`).
///
/// Each server (a standalone one, or each master of a cluster) gets three
/// connections: the UI's session (typed commands, which may block), a
/// reader (SCAN pages and their descriptions, detail pages, INFO), and a
/// subscriber to the shown database's keyspace notifications. A notified
/// key is described again on its server's reader, after any page already
/// asked for, so the table never goes back to an older state of a key. In
/// a cluster every master is scanned, and a key's commands go to the master
/// of its slot, following MOVED and ASK.
public actor RemoteKeySource: KeySource {
    let settings: RemoteSettings
    /// The TLS context every connection shares, when TLS is on.
    private let tls: NIOSSLContext?
    /// The servers: one, or a cluster's masters.
    private var nodes: [RemoteNode]
    /// A cluster's slot → index in `nodes`; `nil` for a standalone server.
    private var slots: [Int]?
    /// The node the session's last command went to (MULTI stays there, CLIENT UNBLOCK goes there).
    private var sessionNode = 0
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
    /// Whether the servers send the keyspace notifications the table follows.
    private(set) var live = false
    /// Notified keys waiting to be described, with their last event.
    private var pending: [Bytes: String] = [:]
    private var pendingOrder: [Bytes] = []
    private var describing = false
    private var disconnectedReason: String?
    private var reconnecting = false
    private var closed = false
    private let eventStream: AsyncStream<Reply>
    private let eventSink: AsyncStream<Reply>.Continuation
    /// Subscriptions the servers have not confirmed yet, and who waits for them.
    private var unconfirmed = 0
    private var subscribed: CheckedContinuation<Void, Never>?
    private var readingEvents = false
    private var monitors: [RedisConnection] = []
    /// Counts the times every connection was opened anew (a reconnection):
    /// a connection of an earlier round that closes is no news.
    private var connections = 0

    private init(settings: RemoteSettings, tls: NIOSSLContext?, nodes: [RemoteNode], slots: [Int]?) {
        self.settings = settings
        self.tls = tls
        self.nodes = nodes
        self.slots = slots
        sessionState = SessionState(database: slots == nil ? settings.url.database : 0)
        shown = sessionState.database
        (eventStream, eventSink) = AsyncStream<Reply>.makeStream()
    }

    /// Connects, logs in and learns what the server has (a cluster: its
    /// masters and their slots); the error says which server and why,
    /// within the connect timeout.
    public static func connect(_ settings: RemoteSettings) async throws(RemoteError) -> RemoteKeySource {
        let tls = settings.url.tls ? try RemoteLogin.makeTLSContext(settings.tls) : nil
        let (nodes, slots) = try await discover(settings, tls: tls, from: [(settings.url.host, settings.url.port)])
        let source = RemoteKeySource(settings: settings, tls: tls, nodes: nodes, slots: slots)
        try await source.learn()
        await source.startFollowing()
        return source
    }

    /// The servers to work with, found from the first of `seeds` that answers:
    /// it alone, or, where INFO says `cluster_enabled:1` (or `--cluster`), the
    /// masters CLUSTER SHARDS (or CLUSTER SLOTS) names, each connected.
    private static func discover(
        _ settings: RemoteSettings, tls: NIOSSLContext?, from seeds: [(String, Int)]
    ) async throws(RemoteError) -> ([RemoteNode], [Int]?) {
        var lastError = RemoteError.unreachable(settings.url.address, reason: "no server to try")
        for (host, port) in seeds {
            let seed: RemoteNode
            do {
                seed = try await RemoteNode.open(host: host, port: port, settings, tls: tls, database: settings.url.database)
            } catch {
                lastError = error
                continue
            }
            do throws(RemoteError) {
                let info = try await seed.reader.send(["INFO", "cluster"], timeout: settings.connectTimeout).text ?? ""
                guard settings.cluster || RemoteKeySource.field("cluster_enabled", in: info) == "1" else { return ([seed], nil) }
                let topology = try await topology(of: seed, settings: settings)
                var nodes: [RemoteNode] = []
                var slots = [Int](repeating: 0, count: HashSlot.count)
                var seedUsed = false
                for master in topology.masters {
                    let isSeed = master.host == host && master.port == port
                    seedUsed = seedUsed || isSeed
                    let node = isSeed ? seed : try await RemoteNode.open(host: master.host, port: master.port, settings, tls: tls, database: 0)
                    for range in master.slots { for slot in range where slot < HashSlot.count { slots[slot] = nodes.count } }
                    nodes.append(node)
                }
                if !seedUsed { seed.close() }
                return (nodes, slots)
            } catch {
                seed.close()
                lastError = error
            }
        }
        throw lastError
    }

    private static func topology(of seed: RemoteNode, settings: RemoteSettings) async throws(RemoteError) -> ClusterTopology {
        let shards = try await seed.reader.send(["CLUSTER", "SHARDS"], timeout: settings.connectTimeout)
        if let topology = ClusterTopology(shards: shards, tls: settings.url.tls) { return topology }
        let slots = try await seed.reader.send(["CLUSTER", "SLOTS"], timeout: settings.connectTimeout)
        guard let topology = ClusterTopology(slots: slots) else {
            throw .unexpected(seed.address, reason: "not a cluster, or one with no slots served: CLUSTER SLOTS answered \(slots)")
        }
        return topology
    }

    /// The server's version, its commands, whether notifications are on.
    private func learn() async throws(RemoteError) {
        let replies = try await nodes[0].reader.send(
            [["INFO", "server"], ["COMMAND"], ["CONFIG", "GET", "notify-keyspace-events"]], timeout: settings.connectTimeout)
        if let info = replies[0].text, let version = Self.field("redis_version", in: info),
           let major = Int(version.split(separator: ".").first ?? "") {
            hasExpireTime = major >= 7
        }
        commands = ServerCommands(replies[1])
        live = Self.notificationsCover(replies[2])
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

    /// Turns on the keyspace notifications the table follows on every
    /// server (CONFIG SET, keeping what was on); asked of the user first.
    public func enableNotifications() async throws(RemoteError) {
        for node in nodes {
            let current = try await node.reader.send(["CONFIG", "GET", "notify-keyspace-events"])
            let flags = current.elements.flatMap { $0.count >= 2 ? $0[1].text : nil } ?? ""
            let wanted = String(Set(flags + "KA").sorted())
            if case .error(let text) = try await node.reader.send(["CONFIG", "SET", "notify-keyspace-events", Bytes(wanted)]) {
                throw RemoteError.unexpected(node.address, reason: "CONFIG SET notify-keyspace-events: \(text)")
            }
        }
        live = true
        await startFollowing()
    }

    // MARK: Where a key lives

    /// The node serving `key`'s slot (the only one, standalone).
    private func node(of key: Bytes) -> Int {
        slots.map { $0[HashSlot.of(key)] } ?? 0
    }

    /// The node of a connection's address, connected if the cluster has
    /// not named it before (a MOVED to a new master).
    private func node(at address: String) async throws(RemoteError) -> Int {
        if let index = nodes.firstIndex(where: { $0.address == address }) { return index }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw .unexpected(address, reason: "a redirection to an address redi cannot read")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let node = try await RemoteNode.open(host: host, port: port, settings, tls: tls, database: 0)
        nodes.append(node)
        if live { await follow(on: nodes.count - 1) }
        return nodes.count - 1
    }

    // MARK: Following changes

    /// Opens each server's subscriber connection and the loop that reads their messages.
    private func startFollowing() async {
        guard live else { return }
        if !readingEvents {
            readingEvents = true
            Task { await self.readEvents() }
        }
        for index in nodes.indices where nodes[index].events == nil { await follow(on: index) }
    }

    /// Subscribes a node's own notifications (a cluster's node tells only of its keys).
    private func follow(on index: Int) async {
        let sink = eventSink
        let node = nodes[index]
        let round = connections
        do {
            // A subscriber that goes away (CLIENT KILL, a proxy's timeout) would
            // leave the table quietly stale: it counts as losing the server.
            let events = try await RemoteNode.connection(
                host: node.host, port: node.port, settings, tls: tls, protocolVersion: 2, database: 0, onPush: { sink.yield($0) },
                onClose: { Task { await self.subscriberClosed(node.address, round: round) } })
            guard index < nodes.count, nodes[index].address == node.address else {
                events.close()
                return
            }
            nodes[index].events = events
        } catch {
            live = false
            return
        }
        await subscribe([nodes[index]], to: shown)
    }

    private func subscriberClosed(_ address: String, round: Int) {
        guard round == connections else { return }
        connectionLost(.disconnected(address, reason: "the subscriber connection closed"))
    }

    private func readEvents() async {
        for await message in eventStream {
            note(message)
        }
    }

    /// Follows `database`'s notifications only, on `nodes`, and waits until they confirm.
    private func subscribe(_ nodes: [RemoteNode], to database: Int) async {
        let subscribers = nodes.compactMap(\.events)
        guard !subscribers.isEmpty else { return }
        // A wait this one supersedes (another load, a node found by MOVED) ends now.
        releaseSubscriptionWait()
        await withCheckedContinuation { continuation in
            subscribed = continuation
            unconfirmed = subscribers.count
            for events in subscribers {
                events.sendUnanswered([["PUNSUBSCRIBE"], ["PSUBSCRIBE", Bytes("__keyspace@\(database)__:*")]])
            }
        }
    }

    /// Lets whoever waits for subscriptions go on: they are confirmed, or
    /// superseded, or the connections that were to confirm them are gone.
    private func releaseSubscriptionWait() {
        subscribed?.resume()
        subscribed = nil
    }

    /// A message from a subscriber connection.
    private func note(_ message: Reply) {
        guard let parts = message.elements, let kind = parts.first?.text else { return }
        if kind == "psubscribe" {
            unconfirmed -= 1
            if unconfirmed <= 0 { releaseSubscriptionWait() }
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
            // The event names the type of most keys: TYPE and a round trip spared.
            guard let infos = try? await describe(batch, types: events.map(Self.type(after:))) else { return }
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

    /// Hands changes to the watchers in parts of at most `postLimit`: the UI
    /// checks its frame budget between parts, so a page of a thousand
    /// described keys never holds a frame up.
    private func post(_ changes: [KeyChange]) {
        for start in stride(from: 0, to: changes.count, by: Self.postLimit) {
            let part = Array(changes[start..<min(start + Self.postLimit, changes.count)])
            for handler in watchers.values { handler(part) }
        }
    }

    static let postLimit = 100

    // MARK: Describing keys

    /// How much of a string a row holds: what a wide table shows, a quarter
    /// of the local store's preview, as every row of a million is fetched and kept.
    static let previewLength = 64

    /// What the table shows of each key, `nil` for a key gone meanwhile;
    /// each key asked of the node serving it.
    func describe(_ keys: [Bytes], types: [String?]? = nil) async throws(RemoteError) -> [KeyInfo?] {
        guard slots != nil else { return try await describe(keys, types: types, on: nodes[0]).map(\.info) }
        var infos = [KeyInfo?](repeating: nil, count: keys.count)
        var unplaced = Array(keys.indices)
        // A slot that moved answers MOVED: the map learns it and the key is asked again there, once.
        for _ in 0..<2 where !unplaced.isEmpty {
            var byNode: [Int: [Int]] = [:]
            for index in unplaced { byNode[node(of: keys[index]), default: []].append(index) }
            unplaced = []
            for (node, indexes) in byNode {
                let described = try await describe(indexes.map { keys[$0] }, types: types.map { types in indexes.map { types[$0] } }, on: nodes[node])
                for (index, outcome) in zip(indexes, described) {
                    if let moved = outcome.movedTo {
                        slots?[HashSlot.of(keys[index])] = try await self.node(at: moved)
                        unplaced.append(index)
                    } else {
                        infos[index] = outcome.info
                    }
                }
            }
        }
        return infos
    }

    /// What one server says of a key: its row, or that the key's slot is
    /// served elsewhere now (MOVED's address).
    private struct Described {
        var info: KeyInfo?
        var movedTo: String?
    }

    /// Pipelined rounds on one server: TYPE (unless `types` knows it), the
    /// deadline and MEMORY USAGE, with the length (and a string's first
    /// bytes) of a key whose type is known; then the lengths of the others
    /// by the type TYPE told. A known type that proves wrong (the key
    /// changed type since) is asked again, the long way.
    private func describe(_ keys: [Bytes], types known: [String?]? = nil, on node: RemoteNode) async throws(RemoteError) -> [Described] {
        guard !keys.isEmpty else { return [] }
        var first: [[Bytes]] = []
        first.reserveCapacity(keys.count * 4)
        // Each key's deadline reply in the first round, and its length
        // replies: in the first round for a known type, else in the second.
        var deadlines: [Int] = []
        var lengthReplies: [Range<Int>] = []
        deadlines.reserveCapacity(keys.count)
        lengthReplies.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            let type = known?[index]
            if type == nil { first.append(["TYPE", key]) }
            deadlines.append(first.count)
            first.append([hasExpireTime ? "PEXPIRETIME" : "PTTL", key])
            first.append(["MEMORY", "USAGE", key])
            let lengths = type.map { Self.lengthCommands($0, key) } ?? []
            lengthReplies.append(first.count..<(first.count + lengths.count))
            first += lengths
        }
        let replies = try await node.reader.send(first)
        let now = SystemClock().now()
        var types = known ?? [String?](repeating: nil, count: keys.count)
        var second: [[Bytes]] = []
        for (index, key) in keys.enumerated() where known?[index] == nil {
            guard let told = replies[deadlines[index] - 1].text, told != "none" else { continue }
            types[index] = told
            let lengths = Self.lengthCommands(told, key)
            lengthReplies[index] = second.count..<(second.count + lengths.count)
            second += lengths
        }
        let lengths = second.isEmpty ? [] : try await node.reader.send(second)
        var infos: [Described] = []
        infos.reserveCapacity(keys.count)
        var wrong: [Int] = []
        for (index, key) in keys.enumerated() {
            let deadlineReply = replies[deadlines[index]]
            // A key whose slot moved answers MOVED to every command.
            if case .error(let text) = deadlineReply, text.hasPrefix("MOVED ") {
                infos.append(Described(info: nil, movedTo: text.split(separator: " ").last.map(String.init)))
                continue
            }
            // A key gone (TYPE says none; PTTL and PEXPIRETIME say -2), or of another type than its event said.
            guard let type = types[index], deadlineReply != .integer(-2) else {
                infos.append(Described(info: nil))
                continue
            }
            let sizes = known?[index] != nil ? replies[lengthReplies[index]] : lengths[lengthReplies[index]]
            if case .error(let text)? = sizes.first, text.hasPrefix("WRONGTYPE") {
                wrong.append(index)
                infos.append(Described(info: nil))
                continue
            }
            var deadline: Int64?
            if case .integer(let value) = deadlineReply, value >= 0 {
                deadline = hasExpireTime ? value : now + value
            }
            let size = Int(replies[deadlines[index] + 1].integer ?? 0)
            let length = Int(sizes.first?.integer ?? 0)
            let preview = type == "string" ? sizes.dropFirst().first?.bytes ?? Bytes() : Bytes()
            var info = KeyInfo(key: key, typeName: type, size: size, deadline: deadline, preview: preview, length: length)
            info.previewIsCut = type == "string" && length > preview.count
            infos.append(Described(info: info))
        }
        if !wrong.isEmpty {
            let again = try await describe(wrong.map { keys[$0] }, on: node)
            for (index, described) in zip(wrong, again) { infos[index] = described }
        }
        return infos
    }

    /// A key's length by its type (and a string's first bytes).
    private static func lengthCommands(_ type: String, _ key: Bytes) -> [[Bytes]] {
        switch type {
        case "string": return [["STRLEN", key], ["GETRANGE", key, "0", Bytes(Int64(previewLength - 1))]]
        case "hash": return [["HLEN", key]]
        case "list": return [["LLEN", key]]
        case "set": return [["SCARD", key]]
        case "zset": return [["ZCARD", key]]
        case "stream": return [["XLEN", key]]
        default: return []
        }
    }

    /// The type a keyspace event shows its key has, where it does: the
    /// event of a string command names a string, and so on.
    static func type(after event: String) -> String? { eventTypes[event] }

    static let eventTypes: [String: String] = {
        var types: [String: String] = [:]
        for (type, events) in [
            ("string", ["set", "setrange", "incrby", "incrbyfloat", "append"]),
            ("hash", ["hset", "hdel", "hincrby", "hincrbyfloat"]),
            ("list", ["lpush", "rpush", "lpop", "rpop", "linsert", "lset", "lrem", "ltrim"]),
            ("set", ["sadd", "srem", "spop", "sinterstore", "sunionstore", "sdiffstore"]),
            ("zset", ["zadd", "zincr", "zrem", "zremrangebyscore", "zremrangebyrank", "zremrangebylex", "zinterstore", "zunionstore",
                      "zdiffstore", "zpopmin", "zpopmax", "zrangestore"]),
            ("stream", ["xadd", "xtrim", "xdel", "xsetid"]),
        ] {
            for event in events { types[event] = type }
        }
        return types
    }()

    // MARK: KeySource

    public func describeKeys(in database: Int, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) async {
        await describeKeys(in: database, matching: nil, deliver: deliver)
    }

    /// Loads the keys `pattern` matches (SCAN MATCH), or all of them, from
    /// every server: the first page before this returns, the rest after.
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
        // A cluster has database 0 only (SELECT is refused there): any other is empty.
        if slots != nil && database != 0 {
            total = 0
            loading = false
            deliver([], true)
            return
        }
        loading = true
        do {
            var sizes = 0
            for node in nodes {
                if slots == nil { _ = try await node.reader.send(["SELECT", Bytes(Int64(database))]) }
                sizes += Int(try await node.reader.send(["DBSIZE"]).integer ?? 0)
            }
            total = sizes
            await subscribe(nodes, to: database)
            guard current == generation else { return }
            var place = ScanPlace()
            var first = true
            repeat {
                let infos = try await nextPage(&place)
                guard current == generation else { return }
                if first || !infos.isEmpty {
                    loaded += infos.count
                    deliver(infos, first)
                    first = false
                }
            } while first && !place.done(nodes.count)
            if place.done(nodes.count) {
                loading = false
                return
            }
            Task { await self.loadRest(from: place, generation: current, deliver: deliver) }
        } catch {
            if current == generation { connectionLost(error) }
        }
    }

    /// Where a load is: which node, and the SCAN cursor there.
    private struct ScanPlace {
        var node = 0
        var cursor = Bytes("0")

        func done(_ nodes: Int) -> Bool { node >= nodes }
    }

    /// One SCAN page of the current node, described; moves on to the next node when its scan ends.
    private func nextPage(_ place: inout ScanPlace) async throws(RemoteError) -> [KeyInfo] {
        let node = nodes[place.node]
        let reply = try await node.reader.send(["SCAN", place.cursor, "COUNT", Bytes(Int64(settings.pageSize))] + (match.map { ["MATCH", $0] } ?? []))
        guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes else {
            throw RemoteError.unexpected(node.address, reason: "SCAN answered \(reply)")
        }
        let keys = (parts[1].elements ?? []).compactMap(\.bytes)
        let infos = try await describe(keys, on: node).compactMap(\.info)
        if next == "0" {
            place = ScanPlace(node: place.node + 1)
        } else {
            place.cursor = next
        }
        return infos
    }

    private func loadRest(from start: ScanPlace, generation current: Int, deliver: @escaping @Sendable ([KeyInfo], Bool) -> Void) async {
        var place = start
        do {
            while !place.done(nodes.count) {
                let infos = try await nextPage(&place)
                guard current == generation else { return }
                loaded += infos.count
                if !infos.isEmpty { deliver(infos, false) }
            }
            loading = false
        } catch {
            if current == generation { connectionLost(error) }
        }
    }

    public func refresh(_ keys: [Bytes], in database: Int) async {
        guard database == shown, disconnectedReason == nil, !keys.isEmpty else { return }
        let startedIn = generation
        guard let infos = try? await describe(keys), startedIn == generation else { return }
        post(zip(keys, infos).map { key, info in
            info.map { .updated($0, database: database) } ?? .removed(key, .del, database: database)
        })
    }

    /// The server's own commands and their arguments (COMMAND DOCS), for the bar's hints and completion.
    public func commandArguments() async -> [String: [ArgumentSpec]]? {
        guard let reply = try? await nodes[0].reader.send(["COMMAND", "DOCS"], timeout: settings.connectTimeout), !reply.isError else { return nil }
        let arguments = CommandDocs.arguments(reply)
        return arguments.isEmpty ? nil : arguments
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
        let node = nodes[node(of: key)]
        do {
            var page = try await RemoteDetail(reader: node.reader, key: key, offset: offset, count: count, filter: filter).page()
            if slots != nil { page?.location = "\(node.address), slot \(HashSlot.of(key))" }
            return page
        } catch {
            return nil
        }
    }

    public func vitals() async -> StoreVitals {
        // Asked once a second: also how a server gone quiet is noticed.
        // INFO's default sections, summed over a cluster's masters.
        var unsaved = 0, clients = 0
        var counters = StoreCounters(commandsProcessed: 0, expiredKeys: 0, keys: 0, volatileKeys: 0, memory: 0)
        for node in nodes {
            do {
                let info = try await node.reader.send(["INFO"], timeout: settings.connectTimeout).text ?? ""
                func number(_ name: String) -> Int { Int(Self.field(name, in: info) ?? "") ?? 0 }
                unsaved += number("rdb_changes_since_last_save")
                clients += number("connected_clients")
                counters.commandsProcessed += number("total_commands_processed")
                counters.expiredKeys += number("expired_keys")
                counters.memory += number("used_memory")
                let (keys, volatile) = Self.keyspaceCounts(in: info)
                counters.keys += keys
                counters.volatileKeys += volatile
            } catch {
                connectionLost(error)
                return StoreVitals(unsaved: unsaved)
            }
        }
        return StoreVitals(unsaved: unsaved, counters: counters, clients: clients)
    }

    /// Keys and volatile keys over every database of INFO's keyspace
    /// section (`db0:keys=3,expires=1,avg_ttl=0`).
    static func keyspaceCounts(in info: String) -> (keys: Int, volatile: Int) {
        var keys = 0, volatile = 0
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("db") && line.contains(":keys=") {
            for pair in line.split(separator: ":", maxSplits: 1).last!.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let value = Int(parts[1]) else { continue }
                if parts[0] == "keys" { keys += value }
                if parts[0] == "expires" { volatile += value }
            }
        }
        return (keys, volatile)
    }

    public func openSession() -> SessionID {
        SessionID(rawValue: 1)
    }

    /// Runs a typed command on the server (in a cluster, on the master of
    /// its first key's slot, following MOVED and ASK); `--read-only`
    /// refuses writes before they leave.
    public func execute(_ command: [Bytes], session id: SessionID) async -> Reply {
        guard let first = command.first else { return .error("ERR empty command") }
        if settings.readOnly && commands.refuses(command) {
            return .error("ERR redi is read-only (--read-only): \(String(decoding: first.array, as: UTF8.self).uppercased()) not sent")
        }
        if let disconnectedReason { return .error("ERR not connected to \(settings.url.address): \(disconnectedReason)") }
        if slots != nil && !sessionState.isInTransaction, let key = Self.firstKey(of: command) { sessionNode = node(of: key) }
        var reply: Reply
        do {
            reply = try await nodes[sessionNode].session.send(command)
            // A cluster moves slots: follow the server's redirections, a few at most.
            for _ in 0..<5 {
                guard slots != nil, case .error(let text) = reply else { break }
                let parts = text.split(separator: " ")
                guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]) else { break }
                let target = try await node(at: String(parts[2]))
                if parts[0] == "MOVED" {
                    slots?[slot] = target
                    sessionNode = target
                    reply = try await nodes[target].session.send(command)
                } else {
                    reply = try await nodes[target].session.send([["ASKING"], command])[1]
                }
            }
        } catch {
            connectionLost(error)
            return .error("ERR \(error.description)")
        }
        track(command, reply)
        return reply
    }

    /// The first key of a command line, by the command table's key specs.
    static func firstKey(of command: [Bytes]) -> Bytes? {
        guard let name = command.first, var spec = CommandTable.spec(named: name) else { return nil }
        if let subcommands = spec.subcommands, !subcommands.isEmpty, command.count >= 2, let sub = spec.subcommand(named: command[1]) {
            spec = sub
        }
        guard let position = spec.keyPositions(in: command)?.first?.position, position < command.count else { return nil }
        return command[position]
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
        guard slots == nil else { return }
        if case .status = (try? await nodes[0].session.send(["SELECT", Bytes(Int64(database))])) ?? .null {
            sessionState.database = database
        }
    }

    @discardableResult
    public func unblock(_ session: SessionID, error: Bool) async -> Bool {
        let node = nodes[min(sessionNode, nodes.count - 1)]
        let command: [Bytes] = ["CLIENT", "UNBLOCK", Bytes(node.sessionClientID)] + (error ? ["ERROR"] : [])
        return (try? await node.reader.send(command))?.integer == 1
    }

    public func stopWaiting(_ id: SessionID) async {
        await unblock(id, error: false)
    }

    public func remoteStatus() async -> RemoteStatus? {
        RemoteStatus(
            address: settings.url.address, disconnectedReason: disconnectedReason, loadedKeys: loaded,
            totalKeys: max(total, loaded), loading: loading, live: live, readOnly: settings.readOnly,
            clusterNodes: slots == nil ? nil : nodes.count)
    }

    /// Follows every client's commands (each server's MONITOR, on
    /// connections of their own), or stops (`nil`).
    public func follow(_ handler: (@Sendable (String) -> Void)?) async {
        for monitor in monitors { monitor.close() }
        monitors = []
        guard let handler else { return }
        for node in nodes {
            let prefix = slots == nil ? "" : node.address + " "
            guard let monitor = try? await RemoteNode.connection(
                host: node.host, port: node.port, settings, tls: tls, protocolVersion: 2, database: 0,
                onPush: { reply in if case .status(let line) = reply, line != "OK" { handler(prefix + line) } }) else { continue }
            monitor.sendUnanswered([["MONITOR"]])
            monitors.append(monitor)
        }
    }

    /// Closes every connection.
    public func close() {
        closed = true
        connections += 1
        releaseSubscriptionWait()
        for node in nodes { node.close() }
        for monitor in monitors { monitor.close() }
        eventSink.finish()
    }

    // MARK: Losing the server and finding it again

    private func connectionLost(_ error: RemoteError) {
        releaseSubscriptionWait()
        guard disconnectedReason == nil, !closed else { return }
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

    /// Tries again with a growing pause (100 ms to 2 s) until the server (or
    /// any master the cluster had) is back, then asks the UI to load the
    /// shown database again.
    private func reconnect() async {
        var pause = Duration.milliseconds(100)
        let seeds = [(settings.url.host, settings.url.port)] + nodes.map { ($0.host, $0.port) }
        connections += 1
        for node in nodes { node.close() }
        generation += 1
        while !closed {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
            do {
                let (found, foundSlots) = try await Self.discover(settings, tls: tls, from: seeds)
                if closed {
                    for node in found { node.close() }
                    return
                }
                nodes = found
                slots = foundSlots
                sessionNode = 0
                if slots == nil && sessionState.database != settings.url.database {
                    _ = try await nodes[0].session.send(["SELECT", Bytes(Int64(sessionState.database))])
                }
                sessionState.isInTransaction = false
                try await learn()
                break
            } catch {
                for node in nodes { node.close() }
                disconnectedReason = {
                    if case .unreachable(_, let reason) = error { return reason }
                    return error.description
                }()
            }
        }
        guard !closed else { return }
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
