/// When the append-only file reaches the disk (Redis's `appendfsync`).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// fdatasync before the replies of the writes leave.
    case always
    /// In the background, at most once a second.
    case everysec
    /// When the operating system decides.
    case no
}

/// The append-only file's settings, under Redis's names.
public struct AppendOnlySettings: Sendable, Equatable {
    /// `appendfsync`.
    public var fsync: FsyncPolicy
    /// `dir`: the folder of the snapshot, which holds the AOF folder.
    public var directory: String
    /// `appenddirname`.
    public var dirname: String
    /// `appendfilename`: the prefix of the files' names.
    public var filename: String
    /// `auto-aof-rewrite-percentage` (0: no automatic rewrite) and `auto-aof-rewrite-min-size`.
    public var rewritePercentage: Int
    public var rewriteMinSize: Int64
    /// `aof-load-truncated`: a last file cut inside a command loads up to it.
    public var loadTruncated: Bool
    /// `aof-use-rdb-preamble`: a rewrite's base is an RDB file, else commands.
    public var useRDBPreamble: Bool

    public init(
        fsync: FsyncPolicy = .everysec, directory: String = ".",
        dirname: String = "appendonlydir", filename: String = "appendonly.aof"
    ) {
        self.fsync = fsync
        self.directory = directory
        self.dirname = dirname
        self.filename = filename
        rewritePercentage = 100
        rewriteMinSize = 64 * 1024 * 1024
        loadTruncated = true
        useRDBPreamble = true
    }

    /// The AOF folder: `dir`/`appenddirname`.
    public var folder: String { directory == "/" ? "/\(dirname)" : "\(directory)/\(dirname)" }

    /// The manifest's path.
    public var manifestPath: String { "\(folder)/\(filename).manifest" }
}
