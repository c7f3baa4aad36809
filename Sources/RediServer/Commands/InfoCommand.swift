import Foundation
import StoreEngine

#if canImport(Glibc)
import Glibc
#endif

/// INFO [section ...]: Redis's sections and field names, from the store's
/// counters and the server's.
extension ClientHandler {
    private static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"]

    func info(_ words: [Bytes]) -> Reply {
        var wanted = words.dropFirst().map { $0.description.lowercased() }
        if wanted.isEmpty || wanted.contains("default") { wanted += Self.defaultSections }
        if wanted.contains("all") || wanted.contains("everything") { wanted += Self.defaultSections }
        let engine = host.assumeIsolated { host in host.withEngine { EngineFigures($0) } }
        var sections: [String] = []
        for name in Self.defaultSections where wanted.contains(name) {
            let fields = self.fields(of: name, engine)
            let title = name == "cpu" ? "CPU" : name.prefix(1).uppercased() + name.dropFirst()
            sections.append("# \(title)\r\n"
                + fields.map { "\($0.0):\($0.1)\r\n" }.joined())
        }
        return .bulk(Bytes(sections.joined(separator: "\r\n")))
    }

    /// What INFO needs from the engine, read in one visit.
    private struct EngineFigures: Sendable {
        var stats: EngineStats
        var dirty: Int
        var lastSave: Int64
        var saving: Bool
        var keys: [(Int, Int)]

        init(_ engine: Engine) {
            stats = engine.stats
            dirty = engine.dirty
            lastSave = engine.lastSave
            saving = engine.isSavingInBackground
            keys = (0..<Engine.databaseCount).map { (engine.keyCount(in: $0), engine.volatileKeyCount(in: $0)) }
        }
    }

    private func fields(of section: String, _ engine: EngineFigures) -> [(String, String)] {
        switch section {
        case "server":
            var name = utsname()
            uname(&name)
            let system = withUnsafeBytes(of: name.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let uptime = state.uptimeSeconds
            return [
                ("redis_version", compatibleRedisVersion), ("redi_version", rediVersion), ("redis_mode", "standalone"),
                ("os", "\(system) \(machine)"), ("arch_bits", "64"), ("multiplexing_api", "epoll"),
                ("process_id", "\(getpid())"), ("tcp_port", "\(state.localAddress?.port ?? state.settings.port)"),
                ("server_time_usec", "\(Int64(Date().timeIntervalSince1970 * 1_000_000))"),
                ("uptime_in_seconds", "\(uptime)"), ("uptime_in_days", "\(uptime / 86400)"), ("hz", "10"),
                ("executable", CommandLine.arguments.first ?? ""), ("config_file", ""),
            ]
        case "clients":
            return [
                ("connected_clients", "\(state.clients.count)"), ("cluster_connections", "0"),
                ("maxclients", "\(state.settings.maxClients)"), ("blocked_clients", "0"), ("tracking_clients", "0"),
            ]
        case "memory":
            let resident = Self.residentBytes()
            return [
                // redi does not count its allocations; resident memory stands for both.
                ("used_memory", "\(resident)"), ("used_memory_human", Self.human(resident)),
                ("used_memory_rss", "\(resident)"), ("used_memory_rss_human", Self.human(resident)),
                ("maxmemory", "0"), ("maxmemory_human", "0B"), ("maxmemory_policy", "noeviction"), ("mem_allocator", "libc"),
            ]
        case "persistence":
            return [
                ("loading", "0"), ("async_loading", "0"), ("rdb_changes_since_last_save", "\(engine.dirty)"),
                ("rdb_bgsave_in_progress", engine.saving ? "1" : "0"), ("rdb_last_save_time", "\(engine.lastSave)"),
                ("aof_enabled", "0"), ("aof_rewrite_in_progress", "0"),
            ]
        case "stats":
            return [
                ("total_connections_received", "\(state.totalConnections)"),
                ("total_commands_processed", "\(engine.stats.commandsProcessed)"),
                ("rejected_connections", "\(state.rejectedConnections)"),
                ("expired_keys", "\(engine.stats.expiredKeys)"), ("evicted_keys", "0"),
                ("keyspace_hits", "\(engine.stats.keyspaceHits)"), ("keyspace_misses", "\(engine.stats.keyspaceMisses)"),
                ("pubsub_channels", "\(state.pubsub.channels.count)"), ("pubsub_patterns", "\(state.pubsub.patterns.count)"),
            ]
        case "replication":
            return [("role", "master"), ("connected_slaves", "0"), ("master_repl_offset", "0")]
        case "cpu":
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func seconds(_ time: timeval) -> String { String(format: "%.6f", Double(time.tv_sec) + Double(time.tv_usec) / 1e6) }
            return [("used_cpu_sys", seconds(usage.ru_stime)), ("used_cpu_user", seconds(usage.ru_utime))]
        case "keyspace":
            return engine.keys.enumerated().compactMap { database, counts in
                counts.0 > 0 ? ("db\(database)", "keys=\(counts.0),expires=\(counts.1),avg_ttl=0") : nil
            }
        default:
            return []
        }
    }

    private static func residentBytes() -> Int {
        let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Redis's `bytesToHuman`: `1.50M`.
    static func human(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value < 1024 { return "\(bytes)B" }
        for (unit, scale) in [("K", 1024.0), ("M", 1024.0 * 1024), ("G", 1024.0 * 1024 * 1024)] where value < scale * 1024 {
            return String(format: "%.2f", value / scale) + unit
        }
        return String(format: "%.2fT", value / (1024.0 * 1024 * 1024 * 1024))
    }
}
