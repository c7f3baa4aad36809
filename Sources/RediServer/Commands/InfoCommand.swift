import StoreEngine

#if canImport(Glibc)
import Glibc
#endif

/// INFO [section ...]: Redis's sections and field names, from the store's
/// counters and the server's.
extension ServerState {
    private static let defaultSections = [
        "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace",
    ]
    /// Every section, in Redis's order: `commandstats` only when asked for or with ALL.
    private static let allSections = [
        "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats",
        "cluster", "keyspace",
    ]

    func info(_ words: [Bytes]) -> Reply {
        var wanted = words.dropFirst().map { $0.description.lowercased() }
        if wanted.isEmpty || wanted.contains("default") { wanted += Self.defaultSections }
        if wanted.contains("all") || wanted.contains("everything") { wanted += Self.allSections }
        let engine = engine { EngineFigures($0) }
        var sections: [String] = []
        for name in Self.allSections where wanted.contains(name) {
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
        var now: Int64
        var blocked: Int
        var blockedWithTimeout: Int
        var scriptingMemory: ScriptingMemory
        var maxMemory: Int
        var errors: ErrorStatistics
        var commands: [(name: String, statistic: CommandStatistic)]
        var appendOnlyInfo: [(String, String)]

        init(_ engine: Engine) {
            appendOnlyInfo = engine.appendOnlyInfo
            errors = engine.errorStatistics
            commands = engine.commandStatistics
            maxMemory = engine.maxMemory
            scriptingMemory = engine.scriptingMemory
            stats = engine.stats
            now = engine.clock.now()
            dirty = engine.dirty
            blocked = engine.blockedSessionCount
            blockedWithTimeout = engine.blockedWithTimeoutCount
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
            let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let uptime = uptimeSeconds
            return [
                ("redis_version", compatibleRedisVersion), ("redi_version", rediVersion), ("redis_git_sha1", "00000000"),
                ("redis_git_dirty", "0"), ("redis_build_id", "0"), ("redis_mode", "standalone"),
                ("os", "\(system) \(release) \(machine)"), ("arch_bits", "64"), ("monotonic_clock", "POSIX clock_gettime"),
                ("multiplexing_api", "epoll"), ("atomicvar_api", "c11-builtin"), ("gcc_version", "0.0.0"),
                ("process_id", "\(getpid())"), ("process_supervised", "no"), ("run_id", runID),
                ("tcp_port", "\(localAddress?.port ?? settings.port)"),
                ("server_time_usec", "\({ var now = timeval(); gettimeofday(&now, nil); return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_usec) }())"),
                ("uptime_in_seconds", "\(uptime)"), ("uptime_in_days", "\(uptime / 86400)"), ("hz", "10"),
                ("configured_hz", "10"), ("lru_clock", "\((engine.now / 1000) & ((1 << 24) - 1))"),
                ("executable", CommandLine.arguments.first ?? ""), ("config_file", ""), ("io_threads_active", "0"),
            ]
        case "clients":
            return [
                ("connected_clients", "\(clients.count)"), ("cluster_connections", "0"),
                ("maxclients", "\(settings.maxClients)"), ("client_recent_max_input_buffer", "0"),
                ("client_recent_max_output_buffer", "0"), ("blocked_clients", "\(engine.blocked)"), ("tracking_clients", "0"),
                ("clients_in_timeout_table", "\(engine.blockedWithTimeout)"),
            ]
        case "memory":
            // redi does not count its allocations: resident memory stands for
            // used memory, so the fragmentation ratio is 1.
            let resident = ProcessMemory.resident()
            let peak = max(ProcessMemory.peakResident(), resident)
            let system = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
            let scripts = engine.scriptingMemory
            return [
                ("used_memory", "\(resident)"), ("used_memory_human", ByteCount.human(resident)),
                ("used_memory_rss", "\(resident)"), ("used_memory_rss_human", ByteCount.human(resident)),
                ("used_memory_peak", "\(peak)"), ("used_memory_peak_human", ByteCount.human(peak)),
                ("used_memory_peak_perc", String(cFormat: "%.2f", peak > 0 ? Double(resident) * 100 / Double(peak) : 100) + "%"),
                ("used_memory_lua", "\(scripts.evalVM)"), ("used_memory_vm_eval", "\(scripts.evalVM)"),
                ("used_memory_lua_human", ByteCount.human(scripts.evalVM)), ("used_memory_scripts_eval", "\(scripts.evalScripts)"),
                ("number_of_cached_scripts", "\(scripts.cachedScripts)"), ("number_of_functions", "\(scripts.functions)"),
                ("number_of_libraries", "\(scripts.libraries)"), ("used_memory_vm_functions", "\(scripts.functionsVM)"),
                ("used_memory_vm_total", "\(scripts.evalVM + scripts.functionsVM)"),
                ("used_memory_vm_total_human", ByteCount.human(scripts.evalVM + scripts.functionsVM)),
                ("used_memory_functions", "\(scripts.librariesCode)"),
                ("used_memory_scripts", "\(scripts.evalScripts + scripts.librariesCode)"),
                ("used_memory_scripts_human", ByteCount.human(scripts.evalScripts + scripts.librariesCode)),
                ("total_system_memory", "\(system)"), ("total_system_memory_human", ByteCount.human(system)),
                ("maxmemory", "\(engine.maxMemory)"), ("maxmemory_human", ByteCount.human(engine.maxMemory)), ("maxmemory_policy", "noeviction"),
                ("mem_fragmentation_ratio", "1.00"), ("mem_fragmentation_bytes", "0"), ("mem_allocator", "libc"),
                ("active_defrag_running", "0"), ("lazyfree_pending_objects", "0"), ("lazyfreed_objects", "0"),
            ]
        case "persistence":
            let current = engine.stats.backgroundSaveStartedAt.map { (engine.now - $0) / 1000 } ?? -1
            return [
                ("loading", "0"), ("async_loading", "0"), ("rdb_changes_since_last_save", "\(engine.dirty)"),
                ("rdb_bgsave_in_progress", engine.saving ? "1" : "0"), ("rdb_last_save_time", "\(engine.lastSave)"),
                ("rdb_last_bgsave_status", engine.stats.lastBackgroundSaveFailed ? "err" : "ok"),
                ("rdb_last_bgsave_time_sec", "\(engine.stats.lastBackgroundSaveSeconds)"),
                ("rdb_current_bgsave_time_sec", "\(current)"), ("rdb_saves", "\(engine.stats.rdbSaves)"),
                ("rdb_last_load_keys_expired", "\(engine.stats.lastLoadKeysExpired)"),
                ("rdb_last_load_keys_loaded", "\(engine.stats.lastLoadKeysLoaded)"),
            ] + engine.appendOnlyInfo
        case "stats":
            return [
                ("total_connections_received", "\(totalConnections)"),
                ("total_commands_processed", "\(engine.stats.commandsProcessed)"),
                ("instantaneous_ops_per_sec", "\(instantaneousOpsPerSecond)"),
                ("total_net_input_bytes", "\(netInputBytes)"), ("total_net_output_bytes", "\(netOutputBytes)"),
                ("rejected_connections", "\(rejectedConnections)"),
                ("expired_keys", "\(engine.stats.expiredKeys)"), ("evicted_keys", "0"), ("evicted_clients", "0"),
                ("keyspace_hits", "\(engine.stats.keyspaceHits)"), ("keyspace_misses", "\(engine.stats.keyspaceMisses)"),
                ("pubsub_channels", "\(pubsub.channels.count)"), ("pubsub_patterns", "\(pubsub.patterns.count)"),
                ("pubsubshard_channels", "0"), ("latest_fork_usec", "0"), ("total_forks", "0"),
                // MIGRATE opens a connection per call: none is kept.
                ("migrate_cached_sockets", "0"),
                ("unexpected_error_replies", "0"), ("total_error_replies", "\(engine.errors.total)"),
            ]
        case "replication":
            return [
                ("role", "master"), ("connected_slaves", "0"), ("master_failover_state", "no-failover"),
                ("master_replid", replicationID), ("master_replid2", String(repeating: "0", count: 40)),
                ("master_repl_offset", "0"), ("second_repl_offset", "-1"), ("repl_backlog_active", "0"),
                ("repl_backlog_size", "1048576"), ("repl_backlog_first_byte_offset", "0"), ("repl_backlog_histlen", "0"),
            ]
        case "cpu":
            func seconds(_ time: timeval) -> String { String(cFormat: "%.6f", Double(time.tv_sec) + Double(time.tv_usec) / 1e6) }
            var process = rusage(), children = rusage(), thread = rusage()
            getrusage(RUSAGE_SELF.rawValue, &process)
            getrusage(RUSAGE_CHILDREN.rawValue, &children)
            // INFO runs on the thread the store runs on: Redis's main thread.
            getrusage(__rusage_who_t(1), &thread)  // RUSAGE_THREAD, which Glibc does not export to Swift
            return [
                ("used_cpu_sys", seconds(process.ru_stime)), ("used_cpu_user", seconds(process.ru_utime)),
                ("used_cpu_sys_children", seconds(children.ru_stime)), ("used_cpu_user_children", seconds(children.ru_utime)),
                ("used_cpu_sys_main_thread", seconds(thread.ru_stime)), ("used_cpu_user_main_thread", seconds(thread.ru_utime)),
            ]
        case "errorstats":
            return engine.errors.counts.sorted { $0.code < $1.code }.map { ("errorstat_\($0.code)", "count=\($0.count)") }
        case "commandstats":
            return engine.commands.map { name, statistic in
                let perCall = statistic.calls > 0 ? Double(statistic.microseconds) / Double(statistic.calls) : 0
                return ("cmdstat_\(name)", "calls=\(statistic.calls),usec=\(statistic.microseconds),usec_per_call="
                    + String(cFormat: "%.2f", perCall) + ",rejected_calls=\(statistic.rejected),failed_calls=\(statistic.failed)")
            }
        case "cluster":
            return [("cluster_enabled", "0")]
        case "keyspace":
            return engine.keys.enumerated().compactMap { database, counts in
                counts.0 > 0 ? ("db\(database)", "keys=\(counts.0),expires=\(counts.1),avg_ttl=0") : nil
            }
        default:
            // Modules: none.
            return []
        }
    }
}
