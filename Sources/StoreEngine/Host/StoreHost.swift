/// The one owner of an engine: front ends and servers on any thread hand it
/// commands, and it runs them one at a time, as Redis's main thread does.
///
/// It also runs the engine's timers: active expiry, woken at the earliest
/// deadline and bounded per tick, so a key leaves on time even when a million
/// fall due together; the save rules, checked every second; and background
/// saves, written from a point-in-time copy off the engine's thread.
public actor StoreHost {
    private let engine: Engine
    private var expiryTask: Task<Void, Never>?
    /// When the pending expiry task wakes, in Unix milliseconds.
    private var expiryWake: Int64?
    private var cronTask: Task<Void, Never>?
    private var saveWaiters: [CheckedContinuation<Void, Never>] = []

    /// Keys removed per expiry tick before other work gets a turn.
    public static let expiryBatch = 2048

    public init(engine: sending Engine) {
        self.engine = engine
    }

    /// Starts the timers. Call once, after subscribing to what you need at start.
    public func start() {
        engine.backgroundSaveRunner = { [weak self] job in
            Task.detached(priority: .utility) {
                let result = job.run()
                await self?.finishBackgroundSave(result)
            }
        }
        cronTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.cron()
            }
        }
        scheduleExpiry()
    }

    /// Runs one command line and returns its reply.
    @discardableResult
    public func execute(_ command: [Bytes]) -> Reply {
        let reply = engine.execute(command)
        scheduleExpiry()
        return reply
    }

    /// Runs `body` with the engine, for reads the command set does not offer.
    public func withEngine<R: Sendable>(_ body: (Engine) throws -> R) rethrows -> R {
        try body(engine)
    }

    /// Calls `handler` with each batch of events of the kinds in `interest`,
    /// in order. It runs on the host: hand the events on, do not block.
    public func subscribe(
        _ interest: EventInterest, _ handler: @escaping @Sendable ([EngineEvent]) -> Void
    ) -> SubscriptionToken {
        engine.subscribe(interest, handler)
    }

    public func unsubscribe(_ token: SubscriptionToken) {
        engine.unsubscribe(token)
    }

    /// Stops the timers, waits for a running background save, and saves if
    /// anything changed since the last save.
    /// - Returns: the error text if that save failed.
    public func shutdown() async -> String? {
        cronTask?.cancel()
        expiryTask?.cancel()
        cronTask = nil
        expiryTask = nil
        while engine.isSavingInBackground {
            await withCheckedContinuation { saveWaiters.append($0) }
        }
        return engine.saveForShutdown()
    }

    private func finishBackgroundSave(_ result: Result<SnapshotReport, SnapshotError>) {
        engine.finishBackgroundSave(result)
        if !engine.isSavingInBackground {
            let waiters = saveWaiters
            saveWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }

    private func cron() {
        engine.applySaveRules()
    }

    // MARK: Active expiry

    /// Makes sure a tick is due at the earliest deadline.
    private func scheduleExpiry() {
        guard let deadline = engine.nextDeadline else { return }
        // A key is expired once now > deadline.
        let wake = deadline + 1
        if expiryTask != nil, let expiryWake, expiryWake <= wake { return }
        expiryTask?.cancel()
        expiryWake = wake
        let delay = wake - engine.clock.now()
        expiryTask = Task { [weak self] in
            if delay > 0 {
                try? await Task.sleep(for: .milliseconds(delay))
                if Task.isCancelled { return }
            }
            await self?.expiryTick()
        }
    }

    private func expiryTick() {
        expiryTask = nil
        expiryWake = nil
        let (_, moreDue) = engine.expireDueKeys(limit: StoreHost.expiryBatch)
        if moreDue {
            // Queue behind the commands already waiting, then go on.
            expiryWake = engine.clock.now()
            expiryTask = Task { [weak self] in await self?.expiryTick() }
        } else {
            scheduleExpiry()
        }
    }
}
