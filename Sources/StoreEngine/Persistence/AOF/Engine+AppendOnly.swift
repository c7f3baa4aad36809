#if canImport(Glibc)
import Glibc
private let renameFile = Glibc.rename
#elseif canImport(Darwin)
import Darwin
private let renameFile = Darwin.rename
#endif

/// The append-only file's state in the engine, as Redis's `aof_*` fields.
struct AppendOnlyState {
    var settings = AppendOnlySettings()
    /// Whether a front end gave it a folder (`configureAppendOnly`): an
    /// engine made without one writes no files (a library's, a test's).
    var hasFolder = false
    /// Set while the files load (Redis's `server.loading`).
    var loading = false
    /// The manifest as on disk; read at start or when first needed.
    var manifest: AOFManifest?
    /// The incr file written to: while on, and while waiting for the first
    /// base after CONFIG SET appendonly yes (then a temporary incr file).
    var file: AppendOnlyFile?
    /// Redis's `AOF_WAIT_REWRITE`: turned on at run time, its base not yet written.
    var waitingForBase = false
    var rewrite: Rewrite?
    /// BGREWRITEAOF inside EXEC or a script starts after it (`aof_rewrite_scheduled`).
    var rewriteScheduled = false
    /// The size after the last rewrite, for the automatic rule (`aof_rewrite_base_size`).
    var rewriteBaseSize: Int64 = 0
    var baseSize: Int64 = 0
    var lastRewriteFailed = false
    var lastRewriteSeconds: Int64 = -1
    var rewrites = 0
    var consecutiveFailures = 0
    /// When an automatic rewrite may be tried again after failures (Unix seconds).
    var retryAfter: Int64 = 0

    /// A rewrite writing a new base off the engine's thread.
    struct Rewrite {
        let job: SnapshotJob
        let baseName: String
        /// Whether the base is an RDB file (else commands).
        let rdb: Bool
        let startedAt: Int64
    }
}

/// Redis 7.0's append-only file, after `aof.c`: loading the base and incr
/// files at start, feeding each command's propagated writes (`propagate`'s
/// batches) to the incr file, BGREWRITEAOF and the automatic rule, and
/// turning it on and off at run time.
extension Engine {
    static let aofTemporaryIncr = "temp-appendonly.aof.incr"

    /// The settings (CONFIG GET reads them).
    public var appendOnlySettings: AppendOnlySettings { appendOnly.settings }

    /// Whether the file is being written (`aof_enabled`).
    public var appendOnlyEnabled: Bool { appendOnly.file != nil }

    /// Sets what start-up uses; call before `loadAppendOnlyFiles`.
    public func configureAppendOnly(_ settings: AppendOnlySettings) {
        appendOnly.settings = settings
        appendOnly.hasFolder = true
    }

    private var folder: String { appendOnly.settings.folder }

    private func path(_ name: String) -> String { "\(folder)/\(name)" }

    private var second: Int64 { clock.now() / 1000 }

    private func warn(_ message: String) { log?(3, message) }
    private func notice(_ message: String) { log?(2, message) }

    // MARK: Loading

    /// The manifest on disk; nil when the folder or the manifest is missing.
    private func readManifest() throws(AppendOnlyError) -> AOFManifest? {
        let manifestPath = appendOnly.settings.manifestPath
        let descriptor = open(manifestPath, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw .io(path: manifestPath, operation: "open", message: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard let text = FileDescriptor.readAll(descriptor) else {
            throw .io(path: manifestPath, operation: "read", message: String(cString: strerror(errno)))
        }
        do {
            return try AOFManifest.parse(text)
        } catch {
            throw .manifest(path: manifestPath, error)
        }
    }

    /// Loads the append-only file the manifest names (the base, then the
    /// incr files), through the command processor. A last file cut inside a
    /// command is cut back to its last complete one when `aof-load-truncated`
    /// allows. Nothing is loaded, and nil returned, when there is no AOF:
    /// the snapshot is then the one to load.
    public func loadAppendOnlyFiles() throws(AppendOnlyError) -> SnapshotReport? {
        let started = ContinuousClock.now
        let manifest = try readManifest()
        appendOnly.manifest = manifest
        guard let manifest, !manifest.loadOrder.isEmpty else { return nil }
        let files = manifest.loadOrder
        var sizes: [Int64] = []
        for file in files {
            var status = stat()
            guard stat(path(file.name), &status) == 0 else {
                if errno == ENOENT { throw .missing(path: path(file.name)) }
                throw .io(path: path(file.name), operation: "stat", message: String(cString: strerror(errno)))
            }
            sizes.append(Int64(status.st_size))
        }
        now = clock.now()
        appendOnly.loading = true
        defer { appendOnly.loading = false }
        for (index, file) in files.enumerated() {
            let filePath = path(file.name)
            let isLast = index == files.count - 1
            // Each file runs from database 0, in a session of its own (Redis's fake client).
            let session = openSession()
            defer { closeSession(session.id) }
            let outcome: AOFReader.Outcome?
            do {
                outcome = try AOFReader(path: filePath).read(limits: encodingLimits) { words in
                    guard commandEntry(for: words) != nil else { return false }
                    _ = execute(words, in: session)
                    return true
                }
            } catch .base(let error) {
                warn("Error reading the RDB base file \(file.name), AOF loading aborted")
                throw .base(error)
            }
            guard let outcome else { throw .missing(path: filePath) }
            if let rdb = outcome.rdb {
                // Only a base or an old-style file starts with an RDB, before any command.
                do {
                    try installFunctions(rdb.functions, from: filePath)
                } catch {
                    throw .base(error)
                }
                install(rdb.databases)
            }
            if let cut = outcome.truncatedAt {
                guard isLast && appendOnly.settings.loadTruncated else {
                    throw .truncated(path: filePath, offset: cut, lastFile: isLast)
                }
                warn("!!! Warning: short read while loading the AOF file \(file.name)!!!")
                warn("!!! Truncating the AOF \(file.name) at offset \(cut) !!!")
                guard truncate(filePath, off_t(cut)) == 0 else {
                    throw .io(path: filePath, operation: "truncate", message: String(cString: strerror(errno)))
                }
                warn("AOF \(file.name) loaded anyway because aof-load-truncated is enabled (\(sizes[index] - Int64(cut)) bytes dropped)")
                sizes[index] = Int64(cut)
            }
            notice("DB loaded from \(file.kind == .base ? "base" : "incr") file \(file.name)")
        }
        appendOnly.baseSize = manifest.base == nil ? 0 : sizes[0]
        appendOnly.rewriteBaseSize = appendOnly.baseSize
        let keyCount = (0..<Engine.databaseCount).reduce(0) { $0 + keys(of: $1).count }
        stats.lastLoadKeysLoaded = keyCount
        // Nothing expires while loading: keys past their deadline go after, as others do.
        stats.lastLoadKeysExpired = 0
        dirty = 0
        let report = SnapshotReport(path: appendOnly.settings.manifestPath, keys: keyCount, duration: ContinuousClock.now - started)
        events.emit(.snapshotLoaded(report))
        events.deliver()
        return report
    }

    /// Opens the AOF for writing at start (Redis's
    /// `aofOpenIfNeededOnServerStart`): with no base and no incr file, a
    /// base is written first from what is loaded; then the last incr file
    /// is opened (created if there is none), the manifest persisted, and
    /// history files left by a rewrite removed.
    public func openAppendOnlyOnStart() throws(AppendOnlyError) {
        try makeFolder()
        // Bases a killed rewrite left half-written.
        SnapshotFile.removeAbandonedTemporaryFiles(near: appendOnly.settings.manifestPath)
        var manifest = try storedManifest()
        if manifest.base == nil && manifest.incr.isEmpty {
            let name = manifest.newBase(prefix: appendOnly.settings.filename, rdb: appendOnly.settings.useRDBPreamble)
            notice("Creating AOF base file \(name) on server start")
            let job = SnapshotJob(databases: databasesImage, functions: functionLibraries, path: path(name), takenAt: clock.now(), format: baseFormat)
            if case .failure(let error) = job.run() { throw .base(error) }
            appendOnly.baseSize = fileSize(path(name))
            appendOnly.rewriteBaseSize = appendOnly.baseSize
        }
        let name = manifest.incr.last?.name ?? manifest.newIncr(prefix: appendOnly.settings.filename)
        let file = try AppendOnlyFile(path: path(name), fsync: appendOnly.settings.fsync, log: logger)
        file.currentSize = manifest.loadOrder.reduce(0) { $0 + fileSize(path($1.name)) }
        try persist(manifest)
        appendOnly.manifest = manifest
        appendOnly.file = file
        removeHistoryFiles()
    }

    /// The manifest known, else the one on disk, else an empty one.
    private func storedManifest() throws(AppendOnlyError) -> AOFManifest {
        if let manifest = appendOnly.manifest { return manifest }
        return try readManifest() ?? AOFManifest()
    }

    /// What a new base is written as (`aof-use-rdb-preamble`).
    private var baseFormat: SnapshotFile.Format {
        appendOnly.settings.useRDBPreamble ? .appendOnlyRDB : .appendOnlyCommands
    }

    private func makeFolder() throws(AppendOnlyError) {
        guard appendOnly.hasFolder else { throw .noFolder }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw .io(path: folder, operation: "create the AOF folder", message: String(cString: strerror(errno)))
        }
    }

    private func fileSize(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    private var logger: (Int, String) -> Void {
        { [weak self] level, message in self?.log?(level, message) }
    }

    /// Writes the manifest crash-safe: a temporary file, fsynced, renamed
    /// over the manifest, the folder fsynced (Redis's `writeAofManifestFile`).
    private func persist(_ manifest: AOFManifest) throws(AppendOnlyError) {
        let target = appendOnly.settings.manifestPath
        let temporary = path("temp-\(appendOnly.settings.filename).manifest")
        func failure(_ operation: String, _ file: String) -> AppendOnlyError {
            .io(path: file, operation: operation, message: String(cString: strerror(errno)))
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("open", temporary) }
        let text = Array(manifest.text.utf8)
        let written = text.withUnsafeBytes { FileDescriptor.writeAll(descriptor, $0) }
        guard written, fsync(descriptor) == 0 else {
            let error = failure("write", temporary)
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard renameFile(temporary, target) == 0 else { throw failure("rename '\(temporary)' to", target) }
        SnapshotFile.syncDirectory(folder)
    }

    /// Deletes the files a persisted rewrite made history (Redis's `aofDelHistoryFiles`).
    private func removeHistoryFiles() {
        guard var manifest = appendOnly.manifest, !manifest.history.isEmpty else { return }
        for file in manifest.history {
            notice("Removing the history file \(file.name)")
            unlink(path(file.name))
        }
        manifest.history = []
        if (try? persist(manifest)) != nil { appendOnly.manifest = manifest }
    }

    // MARK: Writing

    /// Hands one command's propagated writes to the file.
    func feedAppendOnly(_ batch: [Propagation]) {
        appendOnly.file?.feed(batch)
    }

    /// What the append-only file waits for, read once per flush of replies
    /// (`AppendOnlyBacklog`).
    public var appendOnlyBacklog: AppendOnlyBacklog { appendOnly.file?.backlog ?? .none }

    /// Writes what commands fed, and syncs as the policy says; call before
    /// the replies of a turn leave. Cheap when nothing waits.
    /// - Returns: what is still waiting: `.failing` when the write failed.
    @discardableResult
    public func flushAppendOnly() -> AppendOnlyBacklog {
        guard let file = appendOnly.file else { return .none }
        if file.backlog != .none { file.flush(second: second) }
        return file.backlog
    }

    /// The error a write is refused with while the AOF cannot be written,
    /// as Redis's `-MISCONF`.
    var appendOnlyWriteRefusal: Reply? {
        guard let code = appendOnly.file?.writeError else { return nil }
        return .error("MISCONF Errors writing to the AOF file: \(String(cString: strerror(code)))")
    }

    /// Once a second (Redis's `serverCron`): writes postponed or failed
    /// bytes, syncs under `everysec`, and starts a rewrite that is scheduled
    /// or due by `auto-aof-rewrite-percentage`.
    func appendOnlyCron() {
        appendOnly.file?.flush(second: second)
        guard appendOnly.rewrite == nil, callDepth == 0 else { return }
        if appendOnly.rewriteScheduled || (appendOnly.waitingForBase && second >= appendOnly.retryAfter) {
            _ = startRewrite()
            return
        }
        let settings = appendOnly.settings
        guard let file = appendOnly.file, !appendOnly.waitingForBase, settings.rewritePercentage > 0,
              file.currentSize > settings.rewriteMinSize, second >= appendOnly.retryAfter else { return }
        let base = max(appendOnly.rewriteBaseSize, 1)
        let growth = file.currentSize * 100 / base - 100
        guard growth >= settings.rewritePercentage else { return }
        notice("Starting automatic rewriting of AOF on \(growth)% growth")
        _ = startRewrite()
    }

    // MARK: Rewriting

    /// BGREWRITEAOF.
    func bgrewriteaof(_ args: [Bytes]) -> Reply {
        if appendOnly.rewrite != nil { return .error("ERR Background append only file rewriting already in progress") }
        if callDepth > 1 {
            // Inside EXEC or a script the cut between files would split it.
            appendOnly.rewriteScheduled = true
            appendOnly.consecutiveFailures = 0
            return .status("Background append only file rewriting scheduled")
        }
        if let error = startRewrite() {
            warn(error)
            return .error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
        }
        return .status("Background append only file rewriting started")
    }

    /// Starts writing a new base from a point-in-time copy, off the
    /// engine's thread; writes go on into a new incr file meanwhile (Redis's
    /// `rewriteAppendOnlyFileBackground`).
    /// - Returns: why it could not start.
    private func startRewrite() -> String? {
        appendOnly.rewriteScheduled = false
        do {
            try makeFolder()
            var manifest = try storedManifest()
            if let file = appendOnly.file, !appendOnly.waitingForBase {
                // The writes from now on go to a new incr file, named in the manifest before the base is written.
                let name = manifest.newIncr(prefix: appendOnly.settings.filename)
                try file.switchTo(path(name))
                try persist(manifest)
                notice("Creating AOF incr file \(name) on background rewrite")
            }
            appendOnly.manifest = manifest
            let rdb = appendOnly.settings.useRDBPreamble
            let baseName = AOFManifest.baseName(prefix: appendOnly.settings.filename, sequence: manifest.baseSequence + 1, rdb: rdb)
            let job = SnapshotJob(
                databases: databasesImage, functions: functionLibraries, path: path(baseName), takenAt: clock.now(),
                inBackground: true, format: rdb ? .appendOnlyRDB : .appendOnlyCommands)
            appendOnly.rewrite = .init(job: job, baseName: baseName, rdb: rdb, startedAt: clock.now())
            notice("Background append only file rewriting started")
            if let backgroundSaveRunner { backgroundSaveRunner(job) } else { finishRewrite(job.run(), of: job) }
            return nil
        } catch {
            appendOnly.lastRewriteFailed = true
            return "Can't rewrite the append only file: \(error)"
        }
    }

    /// Adopts a finished rewrite's base (Redis's `backgroundRewriteDoneHandler`):
    /// the manifest names it, the incr files it holds become history and
    /// are removed once the manifest is persisted.
    func finishRewrite(_ result: Result<SnapshotReport, SnapshotError>, of job: SnapshotJob) {
        guard let rewrite = appendOnly.rewrite, rewrite.job.cancellation === job.cancellation else { return }
        appendOnly.rewrite = nil
        appendOnly.lastRewriteSeconds = (clock.now() - rewrite.startedAt) / 1000
        func failed(_ message: String) {
            warn(message)
            unlink(path(rewrite.baseName))
            appendOnly.lastRewriteFailed = true
            appendOnly.consecutiveFailures += 1
            if appendOnly.consecutiveFailures >= 3 {
                appendOnly.retryAfter = second + min(60 << Int64(min(appendOnly.consecutiveFailures - 3, 6)), 3600)
            }
        }
        if case .failure(let error) = result { return failed("Background AOF rewrite failed: \(error.description)") }
        var manifest = appendOnly.manifest ?? AOFManifest()
        // In the format it started with, whatever aof-use-rdb-preamble says now.
        let name = manifest.newBase(prefix: appendOnly.settings.filename, rdb: rewrite.rdb)
        precondition(name == rewrite.baseName, "the base's name is decided when the rewrite starts")
        do {
            if appendOnly.waitingForBase, let file = appendOnly.file {
                // Turned on at run time: the temporary incr file becomes the first after the new base.
                manifest.markRewrittenIncrsAsHistory(keepingLast: false)
                let incrName = manifest.newIncr(prefix: appendOnly.settings.filename)
                guard renameFile(path(Engine.aofTemporaryIncr), path(incrName)) == 0 else {
                    throw AppendOnlyError.io(path: path(incrName), operation: "rename the temporary incr file to", message: String(cString: strerror(errno)))
                }
                file.path = path(incrName)
            } else {
                manifest.markRewrittenIncrsAsHistory(keepingLast: appendOnly.file != nil)
            }
            try persist(manifest)
        } catch {
            return failed("Background AOF rewrite failed: \(error)")
        }
        appendOnly.manifest = manifest
        appendOnly.waitingForBase = false
        appendOnly.baseSize = fileSize(path(name))
        if let file = appendOnly.file {
            file.currentSize = appendOnly.baseSize + file.incrSize
            appendOnly.rewriteBaseSize = file.currentSize
        }
        appendOnly.lastRewriteFailed = false
        appendOnly.consecutiveFailures = 0
        appendOnly.retryAfter = 0
        appendOnly.rewrites += 1
        removeHistoryFiles()
        notice("Background AOF rewrite finished successfully")
    }

    // MARK: On and off

    /// CONFIG SET appendonly yes: writes start at once into a temporary
    /// incr file, which joins the manifest when the first base is written
    /// (Redis's `startAppendOnly`).
    /// - Returns: the error text when it cannot start.
    public func enableAppendOnly() -> String? {
        guard appendOnly.file == nil else { return nil }
        do {
            try makeFolder()
            if appendOnly.manifest == nil { appendOnly.manifest = try readManifest() }
            if appendOnly.rewrite != nil {
                warn("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
                stopRewrite()
            }
            unlink(path(Engine.aofTemporaryIncr))
            appendOnly.file = try AppendOnlyFile(path: path(Engine.aofTemporaryIncr), fsync: appendOnly.settings.fsync, log: logger)
            appendOnly.waitingForBase = true
            if callDepth > 1 {
                appendOnly.rewriteScheduled = true
                return nil
            }
            if let error = startRewrite() {
                disableAppendOnly()
                return error
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// CONFIG SET appendonly no: what is buffered is written and synced,
    /// the file closed, a running rewrite stopped (Redis's `stopAppendOnly`).
    public func disableAppendOnly() {
        if let file = appendOnly.file {
            file.closeFile()
            appendOnly.file = nil
        }
        if appendOnly.waitingForBase { unlink(path(Engine.aofTemporaryIncr)) }
        appendOnly.waitingForBase = false
        appendOnly.rewriteScheduled = false
        stopRewrite()
    }

    /// Stops the running rewrite, as `stopBackgroundSave` a save: its base
    /// never replaces anything, and its outcome is ignored.
    private func stopRewrite() {
        appendOnly.rewrite?.job.cancellation?.cancel()
        appendOnly.rewrite = nil
    }

    /// Changes a setting: `appendfsync` at once, the others when next
    /// read (the automatic rewrite's rule at the cron, `aof-use-rdb-preamble`
    /// at the next rewrite; the folder's names only at a start).
    public func setAppendOnly<T>(_ setting: WritableKeyPath<AppendOnlySettings, T>, to value: T) {
        appendOnly.settings[keyPath: setting] = value
        appendOnly.file?.fsync = appendOnly.settings.fsync
    }

    /// Writes and syncs what is buffered, for a clean exit.
    /// - Returns: the error text when it did not reach the disk.
    public func finishAppendOnly() -> String? {
        guard let file = appendOnly.file else { return nil }
        guard file.finish() else {
            return "cannot write the append only file '\(file.path)': \(String(cString: strerror(file.writeError ?? EIO)))"
        }
        guard appendOnly.waitingForBase else { return nil }
        // Turned on at run time and its first base not written yet: the
        // temporary incr file is named nowhere, so a base is written now.
        do {
            try writeFinalBase()
            return nil
        } catch {
            return "cannot write the append only file's base: \(error.description)"
        }
    }

    /// At exit, with no base written since the file was turned on: one is
    /// written now from the whole store, which holds what the temporary
    /// incr file does; the manifest then names it alone (Redis refuses to
    /// exit then, unless forced, and loses the data when forced).
    private func writeFinalBase() throws(AppendOnlyError) {
        stopRewrite()
        appendOnly.file?.closeFile()
        appendOnly.file = nil
        appendOnly.waitingForBase = false
        var manifest = try storedManifest()
        let name = manifest.newBase(prefix: appendOnly.settings.filename, rdb: appendOnly.settings.useRDBPreamble)
        let job = SnapshotJob(databases: databasesImage, functions: functionLibraries, path: path(name), takenAt: clock.now(), format: baseFormat)
        if case .failure(let error) = job.run() { throw .base(error) }
        manifest.markRewrittenIncrsAsHistory(keepingLast: false)
        try persist(manifest)
        appendOnly.manifest = manifest
        unlink(path(Engine.aofTemporaryIncr))
        removeHistoryFiles()
    }

    /// Whether a rewrite runs.
    public var isRewritingAppendOnly: Bool { appendOnly.rewrite != nil }

    /// INFO's AOF fields, in Redis 7.0's order.
    public var appendOnlyInfo: [(String, String)] {
        let current = appendOnly.rewrite.map { (clock.now() - $0.startedAt) / 1000 } ?? -1
        var fields: [(String, String)] = [
            ("aof_enabled", appendOnlyEnabled ? "1" : "0"),
            ("aof_rewrite_in_progress", appendOnly.rewrite == nil ? "0" : "1"),
            ("aof_rewrite_scheduled", appendOnly.rewriteScheduled ? "1" : "0"),
            ("aof_last_rewrite_time_sec", "\(appendOnly.lastRewriteSeconds)"),
            ("aof_current_rewrite_time_sec", "\(current)"),
            ("aof_last_bgrewrite_status", appendOnly.lastRewriteFailed ? "err" : "ok"),
            ("aof_rewrites", "\(appendOnly.rewrites)"),
            ("aof_rewrites_consecutive_failures", "\(appendOnly.consecutiveFailures)"),
            ("aof_last_write_status", appendOnly.file?.writeError == nil ? "ok" : "err"),
            ("aof_last_cow_size", "0"),
        ]
        if let file = appendOnly.file {
            fields += [
                ("aof_current_size", "\(file.currentSize)"),
                ("aof_base_size", "\(appendOnly.baseSize)"),
                ("aof_pending_rewrite", appendOnly.rewriteScheduled ? "1" : "0"),
                ("aof_buffer_length", "\(file.buffer.count)"),
                ("aof_pending_bio_fsync", file.syncInProgress ? "1" : "0"),
                ("aof_delayed_fsync", "\(file.delayedFsyncs)"),
            ]
        }
        return fields
    }

    /// What the UI's status line shows: the policy, the size, a rewrite running, a write error.
    public var appendOnlyStatus: AppendOnlyStatus? {
        guard let file = appendOnly.file else { return nil }
        return AppendOnlyStatus(
            fsync: file.fsync, size: file.currentSize, rewriting: appendOnly.rewrite != nil,
            writeError: file.writeError.map { String(cString: strerror($0)) })
    }

    /// This file's commands, by name, for the dispatch table.
    static let appendOnlyCommands: [(String, Handler)] = [
        ("bgrewriteaof", { $0.bgrewriteaof($1) }),
    ]
}

/// What replies wait for, as the server decides when they may leave.
public enum AppendOnlyBacklog: Sendable {
    /// Nothing: the file holds every write answered.
    case none
    /// Bytes wait behind a slow fsync (`everysec`, at most 2 s, as Redis):
    /// replies go, the write is tried again soon.
    case pendingBytes
    /// This turn's writes are not in the file yet (under `always`, not
    /// synced): replies wait for `flushAppendOnly`.
    case holdsReplies
    /// The disk refused the write: the replies of the writes it holds wait
    /// until it takes them; others go (writes are refused meanwhile).
    case failing
}
