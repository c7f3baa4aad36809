/// A save to run off the engine's thread: a point-in-time copy of the
/// databases and where to write it.
public struct SnapshotJob: Sendable {
    /// Every database, by number.
    public let databases: [Keyspace]
    /// The function libraries' code.
    public let functions: [Bytes]
    public let path: String
    /// Unix milliseconds when the copy was taken.
    public let takenAt: Int64
    /// How FLUSHALL stops a background save; `nil` for one in the foreground.
    public let cancellation: SaveCancellation?
    /// What it writes: the snapshot, or an append-only file's new base.
    public let format: SnapshotFile.Format

    init(databases: [Keyspace], functions: [Bytes], path: String, takenAt: Int64, inBackground: Bool = false, format: SnapshotFile.Format = .snapshot) {
        self.databases = databases
        self.functions = functions
        self.path = path
        self.takenAt = takenAt
        cancellation = inBackground ? SaveCancellation() : nil
        self.format = format
    }

    /// Whether it writes an append-only file's base (BGREWRITEAOF), not the snapshot.
    public var isAppendOnlyBase: Bool { format != .snapshot }

    /// Writes the file (crash-safe; see `SnapshotFile.write`).
    public func run() -> Result<SnapshotReport, SnapshotError> {
        Result { () throws(SnapshotError) in
            try SnapshotFile.write(databases, functions: functions, to: path, now: takenAt, cancellation: cancellation, format: format)
        }
    }
}

/// Bookkeeping of saves, as Redis's `server.dirty_before_bgsave`,
/// `lastbgsave_status` and `lastbgsave_try`.
struct SaveState {
    /// The running background save.
    var running: (job: SnapshotJob, dirtyAtStart: Int)?
    var lastBackgroundFailed = false
    /// Unix seconds of the last background save attempt.
    var lastBackgroundTry: Int64 = 0

    /// After a failed background save, rules wait this long before trying again.
    static let retryDelay: Int64 = 5
}

/// SAVE, BGSAVE, LASTSAVE and the save rules, after Redis's `rdb.c`.
extension Engine {
    private static let disabled = Reply.error("ERR snapshots are off (redi was started with --no-snapshot)")
    private static let busy = Reply.error("ERR Background save already in progress")

    func save(_ args: [Bytes]) -> Reply {
        guard let persistence else { return Engine.disabled }
        if saves.running != nil { return Engine.busy }
        return saveInForeground(path: persistence.path)
    }

    func bgsave(_ args: [Bytes]) -> Reply {
        // SCHEDULE waits for other kinds of child in Redis; redi has none,
        // and a running save is answered as Redis answers it.
        if args.count > 2 || (args.count == 2 && !args[1].equalsIgnoringCase("SCHEDULE")) {
            return .syntaxError
        }
        guard persistence != nil else { return Engine.disabled }
        if saves.running != nil { return Engine.busy }
        startBackgroundSave()
        return .status("Background saving started")
    }

    func lastsave(_ args: [Bytes]) -> Reply {
        .integer(lastSave)
    }

    /// Writes the snapshot now, on this thread.
    func saveInForeground(path: String) -> Reply {
        let job = SnapshotJob(databases: databasesImage, functions: functionLibraries, path: path, takenAt: now)
        switch job.run() {
        case .success(let report):
            dirty = 0
            lastSave = clock.now() / 1000
            stats.rdbSaves += 1
            saves.lastBackgroundFailed = false
            events.emit(.snapshotSaved(report))
            return .ok
        case .failure(let error):
            events.emit(.snapshotFailed(path: path, message: error.description))
            return .error("ERR \(error.description)")
        }
    }

    private func startBackgroundSave() {
        guard let persistence else { return }
        let job = SnapshotJob(databases: databasesImage, functions: functionLibraries, path: persistence.path, takenAt: now, inBackground: true)
        saves.running = (job, dirty)
        saves.lastBackgroundTry = now / 1000
        stats.backgroundSaveStartedAt = clock.now()
        if let backgroundSaveRunner {
            backgroundSaveRunner(job)
        } else {
            finishBackgroundSave(job.run(), of: job)
        }
    }

    /// Stops the running background save, as Redis's `killRDBChild`: it
    /// will not replace the snapshot, and its outcome is ignored.
    func stopBackgroundSave() {
        guard let running = saves.running else { return }
        running.job.cancellation?.cancel()
        saves.running = nil
        stats.backgroundSaveStartedAt = nil
    }

    /// Records the outcome of a background save and tells observers; the
    /// outcome of a save that was stopped is ignored.
    public func finishBackgroundSave(_ result: Result<SnapshotReport, SnapshotError>, of job: SnapshotJob) {
        if job.isAppendOnlyBase { return finishRewrite(result, of: job) }
        guard let running = saves.running, running.job.cancellation === job.cancellation else { return }
        let dirtyAtStart = running.dirtyAtStart
        saves.running = nil
        let ended = clock.now()
        stats.lastBackgroundSaveSeconds = (ended - (stats.backgroundSaveStartedAt ?? ended)) / 1000
        stats.backgroundSaveStartedAt = nil
        switch result {
        case .success(let report):
            dirty = max(dirty - dirtyAtStart, 0)
            lastSave = ended / 1000
            stats.rdbSaves += 1
            stats.lastBackgroundSaveFailed = false
            saves.lastBackgroundFailed = false
            events.emit(.snapshotSaved(report))
        case .failure(let error):
            stats.lastBackgroundSaveFailed = true
            saves.lastBackgroundFailed = true
            events.emit(.snapshotFailed(path: persistence?.path ?? "", message: error.description))
        }
        events.deliver()
    }

    /// Starts a background save if a save rule is due, as Redis's
    /// `serverCron` does; call it about once a second.
    /// - Returns: whether a save started.
    @discardableResult
    public func applySaveRules() -> Bool {
        guard let persistence, saves.running == nil else { return false }
        now = clock.now()
        let seconds = now / 1000
        let mayTry = !saves.lastBackgroundFailed || seconds - saves.lastBackgroundTry > SaveState.retryDelay
        let due = persistence.rules.contains { dirty >= $0.changes && seconds - lastSave > $0.seconds }
        guard due && mayTry else { return false }
        startBackgroundSave()
        events.deliver()
        return true
    }

    /// Replaces the save rules (CONFIG SET save); `false` when snapshots are off.
    public func setSaveRules(_ rules: [SaveRule]) -> Bool {
        guard persistence != nil else { return false }
        persistence?.rules = rules
        return true
    }

    /// Saves if anything changed since the last save, for a clean exit.
    /// Call it once no background save is running (`isSavingInBackground`):
    /// two saves would share a temporary file.
    /// - Returns: the error text when the save failed.
    public func saveForShutdown(force: Bool = false) -> String? {
        guard let persistence, force || dirty > 0 || saves.lastBackgroundFailed else { return nil }
        if saves.running != nil { return "a background save is still running" }
        now = clock.now()
        let reply = saveInForeground(path: persistence.path)
        events.deliver()
        if case .error(let message) = reply { return message }
        return nil
    }

    /// Replaces the keyspace with the snapshot at the configured path, if the
    /// file exists, and tells observers what was loaded. Temporary files of
    /// saves killed midway are removed first.
    /// - Throws: `SnapshotError` for an unreadable, truncated or corrupt file,
    ///   which is left as it is.
    @discardableResult
    public func loadSnapshot() throws(SnapshotError) -> SnapshotReport? {
        guard let persistence else { return nil }
        now = clock.now()
        SnapshotFile.removeAbandonedTemporaryFiles(near: persistence.path)
        guard let (loaded, report, functions) = try SnapshotFile.load(from: persistence.path, now: now, limits: encodingLimits) else { return nil }
        try installFunctions(functions, from: persistence.path)
        install(loaded)
        stats.lastLoadKeysLoaded = report.keys
        stats.lastLoadKeysExpired = report.skippedExpired
        dirty = 0
        events.emit(.snapshotLoaded(report))
        events.deliver()
        return report
    }
}

extension Engine {
    /// The function libraries' code, as a snapshot holds them (by name).
    var functionLibraries: [Bytes] {
        guard let functions = functionsInterpreter else { return [] }
        return functions.libraries.values.sorted { $0.name < $1.name }.map(\.code)
    }

    /// Replaces the function libraries with a snapshot's, as Redis's load does.
    func installFunctions(_ codes: [Bytes], from path: String) throws(SnapshotError) {
        guard !codes.isEmpty || functionsInterpreter != nil else { return }
        let lua = functionsLua
        for library in Array(lua.libraries.values) { lua.unlink(library) }
        for code in codes {
            do {
                _ = try lua.loadLibrary(code, replace: false)
            } catch {
                for library in Array(lua.libraries.values) { lua.unlink(library) }
                throw SnapshotError.unsupported(path: path, reason: "a function library does not load: \(error.reply.rawLines.first?.description ?? "")")
            }
        }
    }

    /// This file's commands, by name, for the dispatch table.
    static let snapshotCommands: [(String, Handler)] = [
        ("bgsave", { $0.bgsave($1) }),
        ("lastsave", { $0.lastsave($1) }),
        ("save", { $0.save($1) }),
    ]
}
