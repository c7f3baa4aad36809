/// What the engine counts for INFO's stats section, under Redis's names.
public struct EngineStats: Sendable, Equatable {
    /// `total_commands_processed`.
    public var commandsProcessed = 0
    /// `expired_keys`: keys removed at or after their deadline.
    public var expiredKeys = 0
    /// `keyspace_hits` and `keyspace_misses`: reads that found a key or not.
    public var keyspaceHits = 0
    public var keyspaceMisses = 0
    /// `rdb_saves`: snapshots written, in the foreground or not.
    public var rdbSaves = 0
    /// `rdb_last_bgsave_status`: whether the last background save failed.
    public var lastBackgroundSaveFailed = false
    /// `rdb_last_bgsave_time_sec`: how long the last background save took (-1: none yet).
    public var lastBackgroundSaveSeconds: Int64 = -1
    /// When the running background save started (Unix ms), for `rdb_current_bgsave_time_sec`.
    public var backgroundSaveStartedAt: Int64?
    /// `rdb_last_load_keys_loaded` and `rdb_last_load_keys_expired`.
    public var lastLoadKeysLoaded = 0
    public var lastLoadKeysExpired = 0
}
