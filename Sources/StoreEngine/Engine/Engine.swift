/// The store: a keyspace with Redis's command semantics.
///
/// Synchronous and single-threaded like Redis's main thread: whoever owns an
/// `Engine` calls it from one place at a time. `StoreHost` is that owner for
/// front ends and servers; tests and benchmarks call it directly.
public final class Engine {
    /// Where time comes from; read once per command.
    public let clock: any EngineClock
    /// The snapshot file and save rules, or `nil` for memory only.
    public internal(set) var persistence: PersistenceSettings?

    /// The selected database's keys: the ones commands work on.
    var keyspace = Keyspace()
    /// Every database but the selected one, by number; the selected one's
    /// place holds an empty keyspace while it is out (see `select`).
    var parked = [Keyspace](repeating: Keyspace(), count: Engine.databaseCount)
    /// The database in `keyspace`: the running session's, which `use`
    /// switches to before its command.
    public internal(set) var selectedDatabase = 0
    /// The session that runs commands no session was given for: tests,
    /// benchmarks, DEBUG RELOAD's own work.
    public let defaultSession: Session
    /// The session whose command is running (Redis's `server.current_client`);
    /// between commands, the last one's.
    public internal(set) var session: Session
    var sessions: [SessionID: Session] = [:]
    /// The sessions watching each key (WATCH).
    var watchers: [DatabaseKey: [Session]] = [:]
    /// The sessions a blocking command left waiting on each key, in the order they blocked.
    var blockedOn: [DatabaseKey: [Session]] = [:]
    /// Keys written while somebody waits on them, to serve after the command.
    var readyKeys: [DatabaseKey] = []
    var readyKeySet: Set<DatabaseKey> = []
    /// The blocked sessions' deadlines (keyed by session ID).
    var blockDeadlines = ExpiryQueue()
    var blockedSessions = 0
    var blockedWithTimeout = 0
    /// Commands running inside another (EXEC's): their events and
    /// propagations wait for the outermost to end.
    var callDepth = 0
    var lastSessionID = 0
    /// Whether sessions must AUTH first (a server's `requirepass` is set).
    public var requiresPassword = false
    /// The commands, by name: every one of `Resources/commands.json`, those
    /// of a front end (a server's CLIENT, INFO, PUBLISH...) once it
    /// `register`s them, answering until then that they need one. Made at
    /// the first command, not with the engine, with the commands' counters:
    /// a snapshot loads meanwhile (`prepareCommands`).
    lazy var commands: CommandNameTable<Entry> = {
        commandCounters = Array(repeating: CommandStatistic(), count: CommandStatisticSlots.names.count)
        return Engine.dispatch
    }()
    /// The front end's commands `register` put in `commands`.
    var registered: [String: Entry] = [:]
    /// The earliest deadline in the parked databases, kept by `select`: a
    /// parked database changes only once selected again.
    var parkedDeadline: Int64?
    /// The command's "now", in Unix milliseconds: read from the clock the
    /// first time the command needs it (a GET of a key without a TTL never
    /// does, as in Redis), then the same for the rest of the command.
    var now: Int64 {
        get {
            if let commandTime { return commandTime }
            let time = clock.now()
            commandTime = time
            return time
        }
        set { commandTime = newValue }
    }
    private var commandTime: Int64?
    let events = EventBus()
    /// EVAL's Lua, made the first time a script runs.
    var lua: LuaInterpreter {
        if let evalInterpreter { return evalInterpreter }
        let made = LuaInterpreter(engine: self)
        evalInterpreter = made
        return made
    }
    var evalInterpreter: LuaInterpreter?
    /// FUNCTION LOAD's libraries, in a Lua state of their own, made when first needed.
    var functionsLua: LuaInterpreter {
        if let functionsInterpreter { return functionsInterpreter }
        let made = LuaInterpreter(engine: self, kind: .functions)
        functionsInterpreter = made
        return made
    }
    var functionsInterpreter: LuaInterpreter?
    /// The script running (or suspended), as Redis's `curr_run_ctx`.
    var scriptRun: ScriptRun?
    /// The session a script's commands run in (Redis's Lua client): the
    /// caller's database at the start, its own SELECT and RESP version.
    lazy var scriptSession: Session = {
        let session = Session(id: SessionID(rawValue: -1))
        session.isScript = true
        return session
    }()
    /// Scripts run so far (Lua's collector gets a step every 50).
    var scriptsRun = 0
    /// CONFIG's `busy-reply-threshold` (`lua-time-limit`), in milliseconds:
    /// after it a running script lets others in, answered BUSY; 0 never.
    public var busyReplyThreshold: Int64 = 5000
    /// CONFIG's `maxmemory`, in bytes (0: none). Past it, with Redis's
    /// default policy (`noeviction`), commands that add data (`denyoom`) are
    /// refused with OOM; reads and deletions go on.
    public var maxMemory = 0
    /// Whether memory was past `maxMemory` when the running command began
    /// (Redis's `pre_command_oom_state`).
    var outOfMemory = false
    /// The last reading of resident memory and when it was taken: `maxmemory`
    /// is checked against one at most a millisecond old, as a read from the
    /// kernel per command costs more than most commands.
    private var residentSample: (bytes: Int, at: ContinuousClock.Instant)?
    static let outOfMemoryError = Reply.error("OOM command not allowed when used memory > 'maxmemory'.")
    /// CONFIG's `min-replicas-to-write` and `min-replicas-max-lag`: with
    /// both set, writes are refused (NOREPLICAS), as redi has no replicas.
    public var minReplicasToWrite = 0
    public var minReplicasMaxLag = 10
    /// Redis's `checkGoodReplicasStatus`, for a server with no replicas.
    var hasEnoughReplicas: Bool { minReplicasToWrite == 0 || minReplicasMaxLag == 0 }
    static let noReplicasError = Reply.error("NOREPLICAS Not enough good replicas to write.")
    /// Where the engine's log lines go (`redis.log`, a slow script), with
    /// Redis's levels: 0 debug, 1 verbose, 2 notice, 3 warning.
    public var log: ((Int, String) -> Void)?
    var random = SystemRandomNumberGenerator()

    /// When small collections give up their compact encodings (CONFIG's
    /// `hash-max-listpack-entries`...).
    public var encodingLimits = EncodingLimits()
    /// Changes since the last successful save.
    public internal(set) var dirty = 0
    /// Counters INFO reports.
    public internal(set) var stats = EngineStats()
    /// Error replies by code (INFO's `errorstats`).
    public internal(set) var errorStatistics = ErrorStatistics()
    /// Each command's counters, by `CommandStatisticSlots` slot (INFO's
    /// `commandstats`), made with `commands`, which every command reads first.
    var commandCounters: [CommandStatistic] = []
    /// Set for an error reply already counted where it arose (a script
    /// failing on `redis.call`'s error): its command fails, uncounted.
    var errorAlreadyCounted = false
    /// Whether keys are removed at their deadline by the host's timer
    /// (DEBUG SET-ACTIVE-EXPIRE); lazy expiry on access happens either way.
    public internal(set) var activeExpiry = true
    /// When the last successful save ended (or the engine started), in Unix seconds.
    public internal(set) var lastSave: Int64
    var saves = SaveState()

    /// Receives each command's writes once it ran, made deterministic
    /// (`Engine+Propagation.swift`): where an append-only file plugs in.
    public var propagate: (([Propagation]) -> Void)?
    var propagation = CommandPropagation.asTyped
    var pendingPropagation: [Propagation] = []
    /// The append-only file (`Persistence/AOF`), fed from `flushPropagation`.
    var appendOnly = AppendOnlyState()

    /// Runs a background save off the engine's thread; the owner installs it
    /// and reports back through `finishBackgroundSave`. Without one, BGSAVE
    /// saves before it answers.
    public var backgroundSaveRunner: ((SnapshotJob) -> Void)?

    public init(clock: any EngineClock = SystemClock(), persistence: PersistenceSettings? = nil) {
        self.clock = clock
        self.persistence = persistence
        lastSave = clock.now() / 1000
        defaultSession = Session(id: SessionID(rawValue: 0))
        session = defaultSession
    }

    /// Runs one command line (the name and its arguments) in the default
    /// session and returns the reply.
    @discardableResult
    public func execute(_ command: [Bytes]) -> Reply {
        execute(command, in: defaultSession)
    }

    /// The processor every front end's commands go through, as Redis's
    /// `processCommand` then `call`: the command is looked up, its arity
    /// checked, then whether the session may run it (AUTH first, subscribe
    /// mode), then it runs in the session's database.
    public func execute(_ command: [Bytes], in session: Session) -> Reply {
        guard let name = command.first else { return .error("ERR empty command") }
        guard let entry = commands[name] else {
            flagTransaction(session)
            let message = Engine.unknownCommandMessage(command)
            countError(message)
            return .error(message)
        }
        /// Redis's `rejectCommand`: a refused command makes the session's EXEC
        /// abort; a refused EXEC ends the transaction at once.
        func reject(_ reply: Reply) -> Reply {
            commandCounters[statisticSlot(entry, command)].rejected += 1
            if case .error(let text) = reply { countError(text) }
            guard session.isInTransaction else { return reply }
            guard entry.isExec else {
                session.queueingFailed = true
                return reply
            }
            discardTransaction(session)
            // Redis formats these refusals without their ERR; a shared one (NOAUTH) keeps its code.
            guard case .error(let text) = reply else { return reply }
            return .error("EXECABORT Transaction discarded because of: \(text.hasPrefix("ERR ") ? String(text.dropFirst(4)) : text)")
        }
        let arityFits = entry.arity >= 0 ? command.count == entry.arity : command.count >= -entry.arity
        if entry.isContainer || !arityFits, let refusal = entry.spec.refusal(of: command) { return reject(refusal) }
        if requiresPassword && !session.isAuthenticated && !entry.worksBeforeAuth {
            return reject(.error("NOAUTH Authentication required."))
        }
        if session.subscriptions > 0 && session.protocolVersion == 2 && !entry.worksWhileSubscribed {
            let text = String(decoding: name.asciiLowercased().array.prefix(128), as: UTF8.self)
            return reject(.error(Engine.singleLine(
                "ERR Can't execute '\(text)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")))
        }
        if let busy = busyScriptError, !entry.has("allow_busy", command, else: entry.allowsBusy) { return reject(busy) }
        if maxMemory > 0 && scriptRun == nil {
            outOfMemory = residentMemory() > maxMemory
            if outOfMemory && deniesOnOOM(entry, command, in: session) { return reject(Engine.outOfMemoryError) }
        }
        if !hasEnoughReplicas && writes(entry, command, in: session) { return reject(Engine.noReplicasError) }
        if let refusal = appendOnlyWriteRefusal, entry.isPing || writes(entry, command, in: session) { return reject(refusal) }
        if session.isInTransaction && entry.refusedInTransaction {
            return reject(.error("ERR Command not allowed inside a transaction"))
        }
        if command.contains(where: { $0.count > Engine.maxStringLength }) {
            return reject(.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"))
        }
        if session.isInTransaction && !entry.controlsTransaction {
            // Nothing is queued once EXEC is bound to fail; QUEUED all the same.
            if !session.queueingFailed && !session.watchedKeyChanged { session.queued?.append(command) }
            return .status("QUEUED")
        }
        return call(entry, command, in: session)
    }

    /// Redis's `call`: runs a command that may run, in the session's
    /// database. The outermost call reads the clock afresh; its events and
    /// propagations are handed on when it ends, those of the commands it
    /// ran (EXEC's) with its own.
    func call(_ entry: Entry, _ command: [Bytes], in session: Session) -> Reply {
        if session.database != selectedDatabase { use(session.database) }
        // A pipelined batch runs in one session: no reference counting per command.
        if self.session !== session { self.session = session }
        if callDepth == 0 { commandTime = nil }
        stats.commandsProcessed += 1
        let dirtyBefore = dirty
        var reply: Reply
        callDepth += 1
        let started = monotonicMicroseconds()
        do {
            reply = try entry.run(self, command)
        } catch {
            reply = error.reply
        }
        let elapsed = monotonicMicroseconds() - started
        callDepth -= 1
        let slot = statisticSlot(entry, command)
        commandCounters[slot].calls += 1
        commandCounters[slot].microseconds += elapsed
        if case .error(let text) = reply {
            commandCounters[slot].failed += 1
            if errorAlreadyCounted { errorAlreadyCounted = false } else { countError(text) }
        }
        finishPropagation(of: command, changed: dirty > dirtyBefore)
        if callDepth == 0 && scriptRun?.suspended != true {
            if !readyKeys.isEmpty { serveBlockedSessions() }
            events.deliver()
        }
        if case .error(let text) = reply { reply = .error(Engine.singleLine(text)) }
        return reply
    }

    /// Resident memory, read again once the last reading is a millisecond old.
    private func residentMemory() -> Int {
        let now = ContinuousClock.now
        if let sample = residentSample, now - sample.at < .milliseconds(1) { return sample.bytes }
        let bytes = ProcessMemory.resident()
        residentSample = (bytes, now)
        return bytes
    }

    /// An error text fit for one protocol line, as Redis's
    /// `addReplyErrorFormat` makes it: trailing CR and LF dropped, inner ones
    /// turned into spaces (errors quote user input).
    static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 10 || $0 == 13 }) else { return text }
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, last == "\r" || last == "\n" { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
        return String(result)
    }

    /// Redis's text for an unknown command: the name and the first arguments,
    /// each cut to what 128 characters allow, newlines turned into spaces
    /// (the text never ends in one).
    public static func unknownCommandMessage(_ command: [Bytes]) -> String {
        func cString(_ bytes: Bytes, limit: Int) -> String {
            let array = bytes.array.prefix { $0 != 0 }.prefix(limit)
            return String(decoding: array, as: UTF8.self)
        }
        var args = ""
        for argument in command.dropFirst() where args.utf8.count < 128 {
            args += "'\(cString(argument, limit: 128 - args.utf8.count))' "
        }
        return singleLine("ERR unknown command '\(cString(command[0], limit: 128))', with args beginning with: \(args)")
    }

    // MARK: Observers

    /// Calls `handler` with each batch of events of the kinds in `interest`,
    /// in order, on the engine's thread, after the command that caused them.
    public func subscribe(_ interest: EventInterest, _ handler: @escaping ([EngineEvent]) -> Void) -> SubscriptionToken {
        events.subscribe(interest, handler)
    }

    /// Ends a subscription; its handler is not called again.
    public func unsubscribe(_ token: SubscriptionToken) {
        events.unsubscribe(token)
    }

    // MARK: State the front ends show

    /// The number of keys in the selected database, including expired ones not yet removed.
    public var keyCount: Int { keyspace.count }
    /// The number of keys with a deadline in the selected database.
    public var volatileKeyCount: Int { keyspace.volatileCount }
    /// The earliest deadline of any key in any database, in Unix
    /// milliseconds (possibly one already removed).
    public var nextDeadline: Int64? {
        guard let parkedDeadline else { return keyspace.earliestDeadline }
        return min(keyspace.earliestDeadline ?? .max, parkedDeadline)
    }
    /// The earliest deadline of a blocked command (possibly of one answered already).
    public var nextBlockDeadline: Int64? { blockDeadlines.earliestDeadline }
    /// Whether a background save is running.
    public var isSavingInBackground: Bool { saves.running != nil }
    /// Every database, by number, O(databases): the point-in-time image a save writes.
    public var databasesImage: [Keyspace] {
        var image = parked
        image[selectedDatabase] = keyspace
        return image
    }
}

extension Engine {
    // MARK: Keyspace access (Redis's db.c)

    /// The slot of a live key. A key past its deadline is removed first, and
    /// observers hear `expired` (Redis's lazy expiry in `lookupKey`).
    func lookup(_ key: Bytes) -> Int? {
        guard let slot = keyspace.find(key) else { return nil }
        if hasExpired(deadline: keyspace.deadline(at: slot), at: now) {
            removeExpired(at: slot)
            return nil
        }
        return slot
    }

    /// Whether a key is past its deadline at `time` (now > deadline).
    func isExpired(_ slot: KeyTable.Slot, at time: @autoclosure () -> Int64) -> Bool {
        hasExpired(deadline: slot.deadline, at: time())
    }

    /// Whether `deadline` has passed at `time`; never while the append-only
    /// file loads, whose commands ran when their keys were alive (Redis's
    /// `keyIsExpired`: nothing expires while loading).
    private func hasExpired(deadline: Int64, at time: @autoclosure () -> Int64) -> Bool {
        deadline != KeyTable.Slot.persistent && !appendOnly.loading && time() > deadline
    }

    /// The slot of a live key a command reads (Redis's `lookupKeyRead`):
    /// counted as a keyspace hit or miss, and a miss is a `keymiss` event.
    func lookupRead(_ key: Bytes) -> Int? {
        guard let slot = lookup(key) else {
            stats.keyspaceMisses += 1
            events.keyMiss(key)
            return nil
        }
        stats.keyspaceHits += 1
        return slot
    }

    /// The string at a live key a command reads (`lookupRead`); WRONGTYPE
    /// for a key of another type.
    func readString(_ key: Bytes) throws(CommandError) -> Bytes? {
        guard let slot = lookupRead(key) else { return nil }
        return try keyspace.value(at: slot).stringBytes()
    }

    /// The value of a live key a command reads, as `lookupRead` finds it.
    func value(of key: Bytes) -> Value? {
        lookupRead(key).map { keyspace.value(at: $0) }
    }

    func removeExpired(at slot: Int) {
        let removed = keyspace.remove(at: slot)
        stats.expiredKeys += 1
        if !watchers.isEmpty { touchWatchedKey(removed.key) }
        events.key(.expired, removed.key)
        // Replicas and the AOF delete it too (Redis's `propagateDeletion`).
        alsoPropagate(["DEL", removed.key])
    }

    /// Writes a value, as Redis's `setKey`: a new key is added (`new`); an
    /// existing one is overwritten and loses its deadline unless `keepTTL`.
    /// - Returns: the key's slot.
    @discardableResult
    func store(_ key: Bytes, _ value: Value, at slot: Int?, keepTTL: Bool = false) -> Int {
        if let slot {
            keyspace.replaceValue(at: slot, with: value)
            if !keepTTL && keyspace.deadline(at: slot) != KeyTable.Slot.persistent {
                keyspace.setDeadline(at: slot, to: KeyTable.Slot.persistent)
            }
            return slot
        }
        events.key(.new, key)
        return keyspace.insert(key, value: value)
    }

    /// Deletes a live key; `false` when there is none.
    func delete(_ key: Bytes) -> Bool {
        guard let slot = lookup(key) else { return false }
        keyspace.remove(at: slot)
        return true
    }

    /// The one place a command's change to a key goes through (Redis's
    /// `signalModifiedKey` with `notifyKeyspaceEvent`): counted in `dirty`
    /// (`changes`, 0 for a second event of the same change) and told to
    /// observers under Redis's event name; a session watching the key fails
    /// its EXEC.
    func signalWrite(_ event: KeyEvent, _ key: Bytes, changes: Int = 1) {
        dirty += changes
        if !watchers.isEmpty { touchWatchedKey(key) }
        if !blockedOn.isEmpty { signalKeyAsReady(key) }
        events.key(event, key)
    }

    /// Redis's `checkAlreadyExpired`: a deadline not after now deletes instead.
    /// Redis's `checkAlreadyExpired`: never while loading the append-only
    /// file, whose deadlines in the past are set and then expire as others do.
    func isPast(_ deadline: Int64) -> Bool {
        deadline <= now && !appendOnly.loading
    }
}
