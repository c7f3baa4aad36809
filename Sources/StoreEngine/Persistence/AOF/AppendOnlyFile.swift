import Synchronization

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif

/// The incr file being appended to, as Redis's `aof_buf`, `aof_fd` and
/// `flushAppendOnlyFile`: propagated commands are encoded into a buffer
/// (`feed`), written with one write(2) before the replies of that turn
/// leave (`flush`), and reach the disk as the fsync policy says: at once
/// (`always`), in the background once a second (`everysec`), or when the
/// system decides (`no`). A failed write keeps its bytes in the buffer and
/// is tried again; meanwhile writes are refused (`writeError`).
final class AppendOnlyFile {
    /// The file's path, for messages (a rename of the file sets it).
    var path: String
    private var descriptor: Int32
    private(set) var buffer: [UInt8] = []
    /// The database of the last command written: another needs a SELECT first.
    private var selectedDatabase = -1
    var fsync: FsyncPolicy
    /// Bytes in the base and the incr files (`aof_current_size`).
    var currentSize: Int64
    /// Bytes written to this incr file, and how many of them are synced.
    private(set) var incrSize: Int64
    private var syncedSize: Int64
    /// Unix seconds of the last fsync, and since when a write waits for a
    /// background fsync (everysec on a slow disk; 0: none waits).
    private var lastFsync: Int64 = 0
    private var postponedSince: Int64 = 0
    /// The errno of the last failed write or fsync; nil once one succeeds.
    private(set) var writeError: Int32?
    /// Writes that went ahead after waiting 2 seconds for an fsync (`aof_delayed_fsync`).
    private(set) var delayedFsyncs = 0
    private let syncs = BackgroundSyncs()
    private let log: (Int, String) -> Void

    /// Opens `path` for appending, creating it if it is missing; its
    /// owner adds the other files' sizes to `currentSize`.
    init(path: String, fsync: FsyncPolicy, log: @escaping (Int, String) -> Void) throws(AppendOnlyError) {
        self.path = path
        self.fsync = fsync
        self.log = log
        descriptor = try Self.openForAppend(path)
        incrSize = Int64(lseek(descriptor, 0, SEEK_END))
        syncedSize = incrSize
        currentSize = incrSize
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    private static func openForAppend(_ path: String) throws(AppendOnlyError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open", message: String(cString: strerror(errno))) }
        return descriptor
    }

    /// What replies wait for (see `AppendOnlyBacklog`).
    var backlog: AppendOnlyBacklog {
        let unsynced = fsync == .always && syncedSize != incrSize
        if writeError != nil { return buffer.isEmpty && !unsynced ? .none : .failing }
        if !buffer.isEmpty { return postponedSince == 0 ? .holdsReplies : .pendingBytes }
        return unsynced ? .holdsReplies : .none
    }

    /// Whether a background fsync runs (`aof_pending_bio_fsync`).
    var syncInProgress: Bool { syncs.running > 0 }


    /// Encodes one command's propagated writes: SELECT where the database
    /// changes, several wrapped in MULTI/EXEC (Redis's `propagatePendingCommands`).
    func feed(_ batch: [Propagation]) {
        let wrapped = batch.count > 1
        if wrapped { append(["MULTI"], database: batch[0].database) }
        for propagation in batch { append(propagation.command, database: propagation.database) }
        if wrapped { append(["EXEC"], database: batch[batch.count - 1].database) }
    }

    private func append(_ command: [Bytes], database: Int) {
        if database != selectedDatabase {
            let number = Bytes(Int64(database))
            RESPCommand.append(["SELECT", number], to: &buffer)
            selectedDatabase = database
        }
        RESPCommand.append(command, to: &buffer)
    }

    /// Writes the buffer and syncs as the policy says (Redis's
    /// `flushAppendOnlyFile`); `force` writes even while a background fsync
    /// runs. `second` is the Unix time in seconds.
    func flush(force: Bool = false, second: Int64) {
        var inProgress = false
        if buffer.isEmpty {
            // Synced within the second even when writes stopped.
            if fsync == .everysec && syncedSize != incrSize && second > lastFsync {
                inProgress = syncInProgress
                if inProgress { return }
            } else if !(fsync == .always && syncedSize != incrSize) {
                return
            }
        } else {
            if fsync == .everysec { inProgress = syncInProgress }
            if fsync == .everysec && !force && inProgress {
                if postponedSince == 0 {
                    postponedSince = second
                    return
                } else if second - postponedSince < 2 {
                    return
                }
                delayedFsyncs += 1
                log(2, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down redi.")
            }
            postponedSince = 0
            guard writeBuffer() else { return }
        }
        switch fsync {
        case .always:
            if fdatasync(descriptor) == -1 {
                let code = errno
                if writeError == nil {
                    log(3, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': \(String(cString: strerror(code))). Writes are refused until it succeeds.")
                }
                writeError = code
                return
            }
            syncedSize = incrSize
            lastFsync = second
            recovered()
        case .everysec where second > lastFsync:
            if !inProgress {
                syncs.sync(descriptor)
                syncedSize = incrSize
            }
            lastFsync = second
        default:
            break
        }
    }

    /// One write(2) of the buffer. A short write is undone with ftruncate
    /// where it can be (else what went out is dropped from the buffer); the
    /// buffer stays for the next try.
    private func writeBuffer() -> Bool {
        let count = buffer.count
        let written = buffer.withUnsafeBytes { raw -> Int in
            var done = 0
            while done < count {
                let result = systemWrite(descriptor, raw.baseAddress! + done, count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    return done > 0 ? done : -1
                }
                if result == 0 { break }
                done += result
            }
            return done
        }
        if written == count {
            // Under `always` the sync that follows must succeed too.
            if fsync != .always { recovered() }
            currentSize += Int64(count)
            incrSize += Int64(count)
            if buffer.capacity > 1 << 20 { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
            return true
        }
        let code = written < 0 ? errno : ENOSPC
        if writeError == nil {
            log(3, written < 0
                ? "Error writing to the AOF file: \(String(cString: strerror(code)))"
                : "Short write while writing to the AOF file: (nwritten=\(written), expected=\(count))")
        }
        if written > 0 {
            if ftruncate(descriptor, off_t(incrSize)) == -1 {
                log(3, "Could not remove short write from the append-only file. Redis may refuse to load the AOF the next time it starts. ftruncate: \(String(cString: strerror(errno)))")
                currentSize += Int64(written)
                incrSize += Int64(written)
                buffer.removeFirst(written)
            }
        }
        writeError = code
        return false
    }

    /// After a write (and under `always` its sync) succeeded: writes are taken again.
    private func recovered() {
        guard let code = writeError else { return }
        log(3, "AOF write error looks solved, redi can write again (it was: \(String(cString: strerror(code)))).")
        writeError = nil
    }

    /// Writes what is buffered and syncs it, waiting for any background
    /// fsync: for a clean exit, before turning the file off, and when the
    /// next incr file takes over.
    /// - Returns: whether everything reached the disk.
    @discardableResult
    func finish() -> Bool {
        if !buffer.isEmpty { _ = writeBuffer() }
        syncs.waitForAll()
        let synced = fdatasync(descriptor) == 0
        if synced { syncedSize = incrSize }
        return buffer.isEmpty && synced
    }

    /// Appends to `path` from now on (a new incr file, at a rewrite): the
    /// buffer is written to the old file first, which is then synced and
    /// closed in the background.
    func switchTo(_ path: String) throws(AppendOnlyError) {
        let next = try Self.openForAppend(path)
        // Each file is loaded from database 0: what the old one cannot take stays with it.
        if !buffer.isEmpty && !writeBuffer() {
            _ = systemClose(next)
            throw .io(path: self.path, operation: "write", message: String(cString: strerror(writeError ?? EIO)))
        }
        syncs.sync(descriptor, thenClose: true)
        descriptor = next
        self.path = path
        incrSize = 0
        syncedSize = 0
        selectedDatabase = -1
    }

    /// Closes the file after writing and syncing what it can.
    func closeFile() {
        finish()
        _ = systemClose(descriptor)
        descriptor = -1
    }
}

/// fdatasync calls run off the engine's thread (Redis's bio job), counted
/// so that `everysec` knows when one is still running.
private final class BackgroundSyncs: Sendable {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .acquiringAndReleasing) }
        func subtract() { value.subtract(1, ordering: .acquiringAndReleasing) }
    }
    private let count = Counter()
    private let closing = Counter()

    /// fsyncs of the file being written that are still running.
    var running: Int { count.value.load(ordering: .acquiring) }

    /// Syncs `descriptor`; `thenClose`: a file written no more, closed after,
    /// which no write waits for (Redis's close job, apart from its fsync jobs).
    func sync(_ descriptor: Int32, thenClose: Bool = false) {
        let counter = thenClose ? closing : count
        counter.add()
        DetachedThread.start(name: "redi aof fsync") {
            fdatasync(descriptor)
            if thenClose { close(descriptor) }
            counter.subtract()
        }
    }

    func waitForAll() {
        while running > 0 || closing.value.load(ordering: .acquiring) > 0 { usleep(1000) }
    }
}
