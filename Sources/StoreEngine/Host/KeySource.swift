/// What a front end such as the terminal UI needs of a store, and all it
/// may use: describe the keys, follow their changes, page through one
/// key's value, and run commands in a session of its own. The local store
/// (`StoreHost`) is one; a remote server, reached over the network, will
/// be another.
public protocol KeySource: Sendable {
    /// Every live key of `database`, described (a table's load), handed to
    /// `deliver` in order with the `watchKeys` feed: no change falls
    /// between the keys read and the changes after them.
    /// A remote source may hand them over in parts: the first call holds
    /// the first keys (`replacing` true), the calls after it the rest, in
    /// order with the feed (a key may come again, described anew).
    func describeKeys(in database: Int, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) async
    /// Calls `handler` with each batch of key changes, as they happen.
    func watchKeys(_ handler: @escaping @Sendable ([KeyChange]) -> Void) async -> SubscriptionToken
    /// Calls `handler` with each batch of events of the kinds in `interest`.
    func subscribe(_ interest: EventInterest, _ handler: @escaping @Sendable ([EngineEvent]) -> Void) async -> SubscriptionToken
    /// Ends a watch or a subscription.
    func unsubscribe(_ token: SubscriptionToken) async
    /// A page of a key's value (`Engine.detailPage`); `nil` when the key is gone.
    func detailPage(of key: Bytes, in database: Int, from offset: Int, count: Int, filter: Bytes?) async -> DetailPage?
    /// What the status line and the dashboard show, read about once a
    /// second: changes not yet saved, the append-only file's state, and
    /// the store's counters.
    func vitals() async -> StoreVitals
    /// A session for the front end's commands.
    func openSession() async -> SessionID
    /// Runs a command line in a session.
    func execute(_ command: [Bytes], session: SessionID) async -> Reply
    /// The database a session works in (SELECT changes it) and whether it is in MULTI.
    func state(of session: SessionID) async -> SessionState
    /// Makes a session work in `database`.
    func setDatabase(_ database: Int, of session: SessionID) async
    /// Ends the wait of a session's blocking command: it answers as if its
    /// time ran out (`error`: with an error). Whether it was waiting.
    @discardableResult
    func unblock(_ session: SessionID, error: Bool) async -> Bool
    /// For a front end that leaves: ends the session's wait, and a blocking
    /// command it still sends answers at once, as if its time ran out.
    func stopWaiting(_ session: SessionID) async
    /// A remote server's state (connected, keys loaded); `nil` for the local store.
    func remoteStatus() async -> RemoteStatus?
    /// As `describeKeys(in:deliver:)`, only the keys `pattern` matches where
    /// the source can ask for them so (a server's SCAN MATCH); the local
    /// store describes every key, which is as fast.
    func describeKeys(in database: Int, matching pattern: Bytes?, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) async
    /// Describes `keys` again and posts what changed to the `watchKeys`
    /// feed: for a source that cannot follow changes (a server without
    /// keyspace notifications), the rows on screen, once a second.
    func refresh(_ keys: [Bytes], in database: Int) async
    /// Every command's arguments by name, for hints and completion, where
    /// they are not redi's own (a server's COMMAND DOCS); `nil` otherwise.
    func commandArguments() async -> [String: [ArgumentSpec]]?
}

extension KeySource {
    public func remoteStatus() async -> RemoteStatus? { nil }
    public func describeKeys(in database: Int, matching pattern: Bytes?, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) async {
        await describeKeys(in: database, deliver: deliver)
    }
    public func refresh(_ keys: [Bytes], in database: Int) async {}
    public func commandArguments() async -> [String: [ArgumentSpec]]? { nil }
}

extension StoreHost: KeySource {
    public func describeKeys(in database: Int, deliver: @escaping @Sendable (_ keys: [KeyInfo], _ replacing: Bool) -> Void) {
        // On the engine's thread, where the change feed is posted too.
        deliver(withEngine { $0.allKeyInfos(in: database) }, true)
    }

    public func detailPage(of key: Bytes, in database: Int, from offset: Int, count: Int, filter: Bytes?) -> DetailPage? {
        withEngine { $0.detailPage(of: key, in: database, from: offset, count: count, filter: filter) }
    }

    public func vitals() -> StoreVitals {
        withEngine { engine in
            let databases = 0..<Engine.databaseCount
            return StoreVitals(
                unsaved: engine.dirty, appendOnly: engine.appendOnlyStatus,
                counters: StoreCounters(
                    commandsProcessed: engine.stats.commandsProcessed, expiredKeys: engine.stats.expiredKeys,
                    keys: databases.reduce(0) { $0 + engine.keyCount(in: $1) },
                    volatileKeys: databases.reduce(0) { $0 + engine.volatileKeyCount(in: $1) },
                    memory: ProcessMemory.resident()))
        }
    }
}

/// What the UI reads of a store about once a second: changes the snapshot
/// does not hold yet (Redis's `rdb_changes_since_last_save`), the
/// append-only file's state while it is on, and the counters the
/// dashboard charts.
public struct StoreVitals: Sendable, Equatable {
    public var unsaved: Int
    public var appendOnly: AppendOnlyStatus?
    /// `nil` where the store could not say (a server that did not answer).
    public var counters: StoreCounters?
    /// Connected clients, where the source itself is a server (INFO's
    /// `connected_clients`); the local store has none of its own.
    public var clients: Int?

    public init(unsaved: Int = 0, appendOnly: AppendOnlyStatus? = nil, counters: StoreCounters? = nil, clients: Int? = nil) {
        self.unsaved = unsaved
        self.appendOnly = appendOnly
        self.counters = counters
        self.clients = clients
    }
}

/// A store's counters at one moment, under INFO's meanings: the running
/// totals (`total_commands_processed`, `expired_keys`) and the levels (keys
/// and volatile keys over every database, `used_memory`).
public struct StoreCounters: Sendable, Equatable {
    public var commandsProcessed: Int
    public var expiredKeys: Int
    public var keys: Int
    public var volatileKeys: Int
    /// Bytes.
    public var memory: Int

    public init(commandsProcessed: Int, expiredKeys: Int, keys: Int, volatileKeys: Int, memory: Int) {
        self.commandsProcessed = commandsProcessed
        self.expiredKeys = expiredKeys
        self.keys = keys
        self.volatileKeys = volatileKeys
        self.memory = memory
    }
}

/// The append-only file's state as the UI shows it.
public struct AppendOnlyStatus: Sendable, Equatable {
    public let fsync: FsyncPolicy
    public let size: Int64
    public let rewriting: Bool
    /// Why writes are refused, if they are.
    public let writeError: String?

    public init(fsync: FsyncPolicy, size: Int64, rewriting: Bool, writeError: String?) {
        self.fsync = fsync
        self.size = size
        self.rewriting = rewriting
        self.writeError = writeError
    }
}

/// What the status line shows of a remote server (`redi connect`).
public struct RemoteStatus: Sendable, Equatable {
    /// `host:port`.
    public var address: String
    /// Whether the connection is up; when not, why, and redi is reconnecting.
    public var disconnectedReason: String?
    /// Keys of the shown database loaded so far, and how many it has (DBSIZE).
    public var loadedKeys: Int
    public var totalKeys: Int
    /// Whether the table is still being loaded (sort and filter see only what is loaded).
    public var loading: Bool
    /// Whether changes arrive as keyspace notifications (otherwise rows are re-read).
    public var live: Bool
    /// Whether writes are refused (`--read-only`).
    public var readOnly: Bool
    /// A cluster's masters, `nil` for one server.
    public var clusterNodes: Int?

    public init(address: String, disconnectedReason: String? = nil, loadedKeys: Int = 0, totalKeys: Int = 0,
                loading: Bool = false, live: Bool = false, readOnly: Bool = false, clusterNodes: Int? = nil) {
        self.clusterNodes = clusterNodes
        self.address = address
        self.disconnectedReason = disconnectedReason
        self.loadedKeys = loadedKeys
        self.totalKeys = totalKeys
        self.loading = loading
        self.live = live
        self.readOnly = readOnly
    }
}
