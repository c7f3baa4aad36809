/// What the engine counts for INFO's stats section, under Redis's names.
public struct EngineStats: Sendable, Equatable {
    /// `total_commands_processed`.
    public var commandsProcessed = 0
    /// `expired_keys`: keys removed at or after their deadline.
    public var expiredKeys = 0
    /// `keyspace_hits` and `keyspace_misses`: reads that found a key or not.
    public var keyspaceHits = 0
    public var keyspaceMisses = 0
}
