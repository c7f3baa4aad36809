#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one owner of an engine: front ends and servers on any thread hand it
/// commands, and it runs them one at a time on a thread of its own
/// (`EngineThread`), as Redis's main thread does.
///
/// It also runs the engine's timers: active expiry, woken at the earliest
/// deadline and bounded per tick, so a key leaves on time even when a million
/// fall due together; the save rules, checked every second; and background
/// saves, written from a point-in-time copy off the engine's thread.
public actor StoreHost {
    private let engine: Engine
    private let runLoop: any EngineRunLoop
    private var started = false
    /// Set by `shutdown()`: commands after it are refused, so nothing is
    /// answered that the final save would miss.
    private var closing = false
    /// The one shutdown; later callers wait for its result.
    private var shutdownTask: Task<String?, Never>?
    private var saveWaiters: [CheckedContinuation<Void, Never>] = []
    /// When the save rules are checked next.
    private var nextCron = ContinuousClock.now
    /// Whether active expiry has more due keys than one batch removed.
    private var expiryBacklog = false
    /// The earliest deadline when the timer was last set.
    private var timerDeadline: Int64?

    /// The deadline the timer is armed for and the earliest blocked
    /// command's, read together (for tests of the timer).
    var timerAndBlockDeadlines: (armed: Int64?, blocked: Int64?) { (timerDeadline, engine.nextBlockDeadline) }

    /// The pause between slices of work the timer spreads over turns (an
    /// expiry backlog, a long script), in which the loop serves others.
    static let turnGap = Duration.microseconds(100)

    /// Keys removed per expiry tick before other work gets a turn.
    public static let expiryBatch = 2048

    /// The host runs on its run loop.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        runLoop.asUnownedSerialExecutor()
    }

    /// A host running `engine` on a thread of its own.
    public init(engine: sending Engine) {
        self.init(engine: engine, runLoop: EngineThread(name: "redi engine"))
    }

    /// A host running `engine` on `runLoop`, such as a server's event loop.
    public init(engine: sending Engine, runLoop: any EngineRunLoop) {
        self.engine = engine
        self.runLoop = runLoop
    }

    deinit {
        runLoop.stop()
    }

    /// Starts the timers. Call once, after subscribing to what you need at start.
    public func start() {
        guard !started else { return }
        started = true
        engine.backgroundSaveRunner = { [weak self] job in
            // Its own thread: a save blocks in write and fsync for its whole
            // length, which the shared pool should not pay for.
            let host = self
            DetachedThread.start(name: "redi save") {
                let result = job.run()
                Task { await host?.finishBackgroundSave(result, of: job) }
            }
        }
        runLoop.setTimerHandler { [weak self] in
            self?.assumeIsolated { $0.timerFired() }
        }
        nextCron = .now + .seconds(1)
        scheduleTimer()
    }

    /// Opens a session for a front end's commands (a connection, the
    /// prompt, the UI); close it when the front end goes.
    public func openSession() -> SessionID {
        let session = engine.openSession()
        session.canBlock = true
        return session.id
    }

    /// Hands a blocked command's reply to the front end of session `id`
    /// (a connection): `handler` runs on the engine's thread and must only
    /// pass the reply on. The async `execute` waits for it instead.
    public func whenUnblocked(_ id: SessionID, _ handler: @escaping (Reply) -> Void) {
        engine.session(id)?.whenUnblocked = handler
    }

    /// Ends the wait of session `id`'s blocked command, as CLIENT UNBLOCK
    /// does (`error`: with an error; else a null reply, as a timeout).
    /// - Returns: whether it was waiting.
    /// A long script the session waits for is killed instead (if it has not written).
    @discardableResult
    public func unblock(_ id: SessionID, error: Bool = false) -> Bool {
        engine.killScript(of: id) || engine.unblock(id, error: error)
    }

    /// Ends session `id`'s wait, and lets it wait no more (its front end leaves).
    public func stopWaiting(_ id: SessionID) {
        engine.session(id)?.canBlock = false
        engine.unblock(id)
    }

    /// Forgets a session.
    public func closeSession(_ id: SessionID) {
        engine.closeSession(id)
    }

    /// The database a session works in (SELECT changes it) and whether it is in MULTI.
    public func state(of id: SessionID) -> SessionState {
        guard let session = engine.session(id) else { return SessionState() }
        return SessionState(database: session.database, isInTransaction: session.isInTransaction)
    }

    /// Makes a session work in `database`, as SELECT would.
    public func setDatabase(_ database: Int, of id: SessionID) {
        precondition((0..<Engine.databaseCount).contains(database), "database \(database) out of range")
        engine.session(id)?.database = database
    }

    /// Runs one command line in the default session and returns its reply.
    @discardableResult
    public func execute(_ command: [Bytes]) -> Reply {
        // The default session never blocks: a reply comes at once.
        let reply = execute([command], session: engine.defaultSession.id)[0]
        engine.flushAppendOnly()
        return reply
    }

    /// Runs one command line in a session (its database, its name, its
    /// AUTH) and returns its reply; a blocking command's once it is served,
    /// times out or is unblocked (other sessions' commands run meanwhile).
    @discardableResult
    public func execute(_ command: [Bytes], session id: SessionID) async -> Reply {
        if let reply = execute([command], session: id).first {
            // Its writes reach the append-only file before the reply leaves.
            engine.flushAppendOnly()
            return reply
        }
        return await withCheckedContinuation { continuation in
            engine.session(id)?.whenUnblocked = { [weak self] reply in
                self?.assumeIsolated {
                    $0.engine.session(id)?.whenUnblocked = nil
                    $0.engine.flushAppendOnly()
                }
                continuation.resume(returning: reply)
            }
        }
    }

    /// What replies wait for: writes of this turn not yet in the
    /// append-only file (or, under `always`, not synced), or bytes to write
    /// behind a slow fsync.
    public var appendOnlyBacklog: AppendOnlyBacklog { engine.appendOnlyBacklog }

    /// Writes the append-only file's buffer (syncing under `always`), as
    /// Redis does before the replies of a turn leave.
    /// - Returns: what still waits (`.failing`: the disk refused the write).
    @discardableResult
    public func flushAppendOnly() -> AppendOnlyBacklog { engine.flushAppendOnly() }

    /// Runs several command lines in a session, one after the other (a
    /// connection's pipelined batch): the session is found once, the timer
    /// checked once after them.
    /// - Returns: a reply per command run: all of them, or those before
    ///   one that blocked (its reply goes to `whenUnblocked`; the commands
    ///   after it did not run).
    public func execute(_ commands: [[Bytes]], session id: SessionID) -> [Reply] {
        var replies: [Reply] = []
        replies.reserveCapacity(commands.count)
        execute(commands, session: id, into: &replies)
        return replies
    }

    /// `execute(_:session:)`, appending the replies to `replies` (a
    /// connection keeps one array for all its batches).
    public func execute(_ commands: [[Bytes]], session id: SessionID, into replies: inout [Reply]) {
        if closing { return replies += commands.map { _ in .error("ERR redi is shutting down") } }
        guard let session = engine.session(id) else { return replies += commands.map { _ in .error("ERR no such session") } }
        for command in commands {
            let reply = engine.execute(command, in: session)
            if session.isBlocked { break }
            replies.append(reply)
        }
        // Only a deadline earlier than the one the timer knows can move it:
        // most commands leave it alone and cost no clock read here.
        if started, engine.hasSuspendedScript || (earliestDue.map { $0 < timerDeadline ?? .max } ?? false) { scheduleTimer() }
    }

    /// Runs `body` with the engine, for reads the command set does not offer.
    public func withEngine<R: Sendable>(_ body: (Engine) throws -> R) rethrows -> R {
        try body(engine)
    }

    /// Calls `handler` with each batch of events of the kinds in `interest`,
    /// in order. It runs on the engine's thread: hand the events on, do not block.
    public func subscribe(
        _ interest: EventInterest, _ handler: @escaping @Sendable ([EngineEvent]) -> Void
    ) -> SubscriptionToken {
        engine.subscribe(interest, handler)
    }

    /// Ends a subscription; its handler is not called again.
    public func unsubscribe(_ token: SubscriptionToken) {
        engine.unsubscribe(token)
    }

    /// Refuses further commands, stops the timers, waits for a running
    /// background save, and saves if anything changed since the last save.
    /// Calling it again waits for the first call's outcome.
    /// - Returns: the error text if that save failed.
    /// `saving`: `nil` saves if anything changed (a signal, EXIT); `true`
    /// saves whatever (SHUTDOWN SAVE); `false` does not (SHUTDOWN NOSAVE).
    public func shutdown(saving: Bool? = nil) async -> String? {
        if let shutdownTask { return await shutdownTask.value }
        closing = true
        let task = Task { await self.closeAndSave(saving: saving) }
        shutdownTask = task
        return await task.value
    }

    private func closeAndSave(saving: Bool?) async -> String? {
        started = false
        runLoop.setTimer(nil)
        // The append-only file is written and synced whatever the snapshot does, as Redis's shutdown.
        let appendOnlyError = engine.finishAppendOnly()
        guard saving != false else { return appendOnlyError }
        while engine.isSavingInBackground {
            await withCheckedContinuation { saveWaiters.append($0) }
        }
        return engine.saveForShutdown(force: saving == true) ?? appendOnlyError
    }

    private func finishBackgroundSave(_ result: Result<SnapshotReport, SnapshotError>, of job: SnapshotJob) {
        engine.finishBackgroundSave(result, of: job)
        if !engine.isSavingInBackground {
            let waiters = saveWaiters
            saveWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }

    // MARK: Timers

    /// Active expiry at the earliest deadline (at once while a backlog
    /// remains) and the save rules once a second, on one timer.
    private func timerFired() {
        guard started else { return }
        // A long script goes on a slice at a time; nothing expires or saves meanwhile, as in Redis.
        if engine.hasSuspendedScript {
            engine.resumeScript()
            scheduleTimer()
            return
        }
        if engine.activeExpiry, expiryBacklog || engine.nextDeadline.map({ $0 < engine.clock.now() }) == true {
            expiryBacklog = engine.expireDueKeys(limit: StoreHost.expiryBatch).moreDue
        }
        if engine.nextBlockDeadline.map({ $0 < engine.clock.now() }) == true { engine.unblockTimedOut() }
        if nextCron <= .now {
            engine.applySaveRules()
            engine.appendOnlyCron()
            nextCron = .now + .seconds(1)
        }
        // What expiry and scripts wrote reaches the file with no reply to wait for it.
        engine.flushAppendOnly()
        scheduleTimer()
    }

    /// The earliest deadline the timer serves: a key's (unless active
    /// expiry is off: keys then wait for access) or a blocked command's.
    private var earliestDue: Int64? {
        [engine.activeExpiry ? engine.nextDeadline : nil, engine.nextBlockDeadline].compactMap { $0 }.min()
    }

    /// Makes sure the thread's timer fires by the next thing due.
    private func scheduleTimer() {
        timerDeadline = earliestDue
        var wake = nextCron
        if !engine.activeExpiry { expiryBacklog = false }
        if expiryBacklog || engine.hasSuspendedScript {
            // Not at once: a loop runs every task due before it reads its
            // sockets again (SwiftNIO does), and the point is to let them in.
            wake = .now + StoreHost.turnGap
        } else if let deadline = earliestDue {
            // A key is expired once now > deadline; the cron wakes within a
            // second anyway, so far deadlines (up to Int64.max) are clamped.
            let delay = min(max(deadline - engine.clock.now(), 0), 1000) + 1
            wake = min(wake, .now + .milliseconds(delay))
        }
        runLoop.setTimer(noLaterThan: wake)
    }
}
