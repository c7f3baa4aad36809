/// A change in the engine, as its observers receive it. Key events, by far
/// the most frequent, stay small; the rarer ones are boxed.
public enum EngineEvent: Sendable, Equatable {
    /// A key of a database changed; the names are Redis's keyspace-event names.
    case key(KeyEvent, Bytes, database: Int)
    /// FLUSHDB or FLUSHALL removed every key of a database (one event, not one per key).
    case flushed(database: Int, keys: Int)
    /// SWAPDB exchanged two databases' keys.
    case swapped(Int, Int)
    /// A snapshot was written.
    indirect case snapshotSaved(SnapshotReport)
    /// A snapshot could not be written; the previous file is intact.
    indirect case snapshotFailed(path: String, message: String)
    /// The snapshot was loaded at start.
    indirect case snapshotLoaded(SnapshotReport)

    /// The interest an observer needs to receive this event.
    public var interest: EventInterest {
        switch self {
        case .key(.keymiss, _, _): return .keyMisses
        case .key: return .keys
        case .flushed, .swapped: return .flushes
        case .snapshotSaved, .snapshotFailed, .snapshotLoaded: return .snapshots
        }
    }
}

/// Redis's names for keyspace events, as `notify.c` emits them.
public enum KeyEvent: String, Sendable, CaseIterable {
    case new, set, del, expire, expired, persist, incrby, incrbyfloat, append, setrange, setbit
    case restore
    case copyTo = "copy_to"
    case renameFrom = "rename_from"
    case renameTo = "rename_to"
    case moveFrom = "move_from"
    case moveTo = "move_to"
    case lpush, rpush, lpop, rpop, linsert, lset, lrem, ltrim
    case hset, hdel, hincrby, hincrbyfloat
    case sadd, srem, spop, sinterstore, sunionstore, sdiffstore
    case zadd, zincr, zrem, zpopmin, zpopmax, zremrangebyrank, zremrangebyscore, zremrangebylex
    case zunionstore, zinterstore, zdiffstore, zrangestore
    /// A read found no key (Redis's `keymiss`): only for `.keyMisses` observers.
    case keymiss
}

/// What a snapshot save or load did.
public struct SnapshotReport: Sendable, Equatable {
    /// The snapshot file.
    public var path: String
    /// Keys written or loaded.
    public var keys: Int
    /// How long the save or load took.
    public var duration: Duration
    /// Keys past their deadline, left out on load.
    public var skippedExpired: Int

    public init(path: String, keys: Int, duration: Duration, skippedExpired: Int = 0) {
        self.path = path
        self.keys = keys
        self.duration = duration
        self.skippedExpired = skippedExpired
    }
}

/// The kinds of event an observer wants. Kinds nobody wants are never built,
/// so a bulk operation costs no per-key work for observers of other kinds.
public struct EventInterest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// One event per changed key.
    public static let keys = EventInterest(rawValue: 1 << 0)
    /// One event per FLUSHDB or FLUSHALL.
    public static let flushes = EventInterest(rawValue: 1 << 1)
    /// Snapshot saved, failed or loaded.
    public static let snapshots = EventInterest(rawValue: 1 << 2)
    /// A `keymiss` per read of a missing key (keyspace notifications' `m`).
    public static let keyMisses = EventInterest(rawValue: 1 << 3)

    /// Every kind that changes or saves the store (key misses change nothing).
    public static let all: EventInterest = [.keys, .flushes, .snapshots]
}
