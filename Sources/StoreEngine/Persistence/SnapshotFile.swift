#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the snapshot file, crash-safe as Redis does it: the
/// data goes to a temporary file in the same directory, created with mode
/// 0600 and fsynced, which is then renamed over the target before the
/// directory itself is fsynced. A crash at any moment leaves the old file or
/// the new one, never a mix.
public enum SnapshotFile {
    /// What a save writes.
    public enum Format: Sendable {
        /// The snapshot, an RDB file.
        case snapshot
        /// An append-only file's base as an RDB file (its `aof-base` field set).
        case appendOnlyRDB
        /// An append-only file's base as commands (`aof-use-rdb-preamble no`).
        case appendOnlyCommands
    }

    /// Writes the databases to `path`; `now` is recorded as its creation
    /// time. A background save passes its `cancellation` (and a temporary
    /// file of its own, so that a save in the foreground never shares it):
    /// once cancelled it stops, removes its temporary file and leaves
    /// `path` alone.
    public static func write(
        _ databases: [Keyspace], functions: [Bytes] = [], to path: String, now: Int64, cancellation: SaveCancellation? = nil,
        format: Format = .snapshot
    ) throws(SnapshotError) -> SnapshotReport {
        let started = ContinuousClock.now
        let directory = directoryName(of: path)
        let temporary = temporaryPath(in: directory, for: cancellation)
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(temporary, "create") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            let sink = { (chunk: UnsafeRawBufferPointer) throws in
                if cancellation?.isCancelled == true { throw SnapshotError.cancelled }
                guard FileDescriptor.writeAll(descriptor, chunk) else { throw failure(temporary, "write") }
            }
            let keys: Int
            if format == .appendOnlyCommands {
                var encoder = AOFCommandEncoder(sink: sink)
                keys = try encoder.encode(databases, functions: functions)
            } else {
                var encoder = RDBEncoder(sink: sink)
                keys = try encoder.encode(databases, functions: functions, createdAt: now, appendOnlyBase: format == .appendOnlyRDB)
            }
            guard fsync(descriptor) == 0 else { throw failure(temporary, "fsync") }
            closed = true
            guard close(descriptor) == 0 else { throw failure(temporary, "close") }
            let replace = { () throws(SnapshotError) -> Void in
                guard rename(temporary, path) == 0 else { throw failure(path, "rename '\(temporary)' to") }
            }
            if let cancellation { try cancellation.commit(replace) } else { try replace() }
            syncDirectory(directory)
            return SnapshotReport(path: path, keys: keys, duration: ContinuousClock.now - started)
        } catch {
            unlink(temporary)
            throw error as? SnapshotError ?? .io(path: temporary, operation: "write", message: "\(error)")
        }
    }

    /// The temporary file a save writes first: `temp-PID.rdb` in the
    /// foreground, `temp-PID-background-N.rdb` for background save N (a
    /// stopped one may still be writing, and removing, its own).
    static func temporaryPath(in directory: String, for cancellation: SaveCancellation?) -> String {
        "\(directory)/temp-\(getpid())\(cancellation.map { "-background-\($0.number)" } ?? "").rdb"
    }

    /// Reads the snapshot at `path`; `nil` if there is no such file.
    /// The file is only read, never changed.
    /// - Returns: every database, by number, and what was loaded.
    public static func load(
        from path: String, now: Int64, limits: EncodingLimits = EncodingLimits()
    ) throws(SnapshotError) -> ([Keyspace], SnapshotReport, functions: [Bytes])? {
        let started = ContinuousClock.now
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "open")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, "stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .io(path: path, operation: "load", message: "not a regular file")
        }
        guard let bytes = FileDescriptor.readAll(descriptor, sizeHint: Int(status.st_size)) else { throw failure(path, "read") }
        let result = try bytes.withUnsafeBytes { raw in
            var decoder = RDBDecoder(raw, path: path, limits: limits)
            return Result { () throws(SnapshotError) in try decoder.decode(now: now) }
        }.get()
        let report = SnapshotReport(
            path: path, keys: result.databases.reduce(0) { $0 + $1.count }, duration: ContinuousClock.now - started,
            skippedExpired: result.skippedExpired)
        return (result.databases, report, result.functions)
    }

    /// Deletes `temp-<pid>.rdb` files beside `path` left by saves that were
    /// killed (their process is gone). Returns how many were removed.
    @discardableResult
    public static func removeAbandonedTemporaryFiles(near path: String) -> Int {
        let directory = directoryName(of: path)
        guard let stream = opendir(directory) else { return 0 }
        defer { closedir(stream) }
        var removed = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            // temp-<pid>.rdb, or temp-<pid>-background.rdb.
            guard name.hasPrefix("temp-"), name.hasSuffix(".rdb"),
                  let pid = Int32(name.dropFirst(5).dropLast(4).prefix { $0 != "-" }), pid > 0 else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH, unlink("\(directory)/\(name)") == 0 {
                removed += 1
            }
        }
        return removed
    }

    private static func failure(_ path: String, _ operation: String) -> SnapshotError {
        .io(path: path, operation: operation, message: String(cString: strerror(errno)))
    }

    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Makes a rename in `directory` durable. Some file systems refuse fsync
    /// on a directory; the data itself is already synced, so that is not an error.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
