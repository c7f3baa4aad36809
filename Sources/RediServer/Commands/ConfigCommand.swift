import StoreEngine

/// CONFIG GET / SET / RESETSTAT / REWRITE over redi's parameters, under
/// Redis's names. Parameters redi has no counterpart for are not listed.
extension ServerState {
    /// A parameter: how to read it, and how to change it (nil: read-only).
    private struct Parameter: Sendable {
        let name: String
        let get: @Sendable (ServerState) -> String
        let set: (@Sendable (ServerState, Bytes) -> Reply?)?
    }

    private static let parameters: [Parameter] = [
        Parameter(name: "save", get: { server in
            server.engine { SaveRule.format($0.persistence?.rules ?? []) }
        }, set: { server, value in
            guard let rules = SaveRule.parse(value.description) else { return .error("ERR Invalid save parameters") }
            let applied = server.engine { $0.setSaveRules(rules) }
            // No rules is what --no-snapshot already means.
            return applied || rules.isEmpty ? nil : .error("ERR snapshots are off (redi was started with --no-snapshot)")
        }),
        Parameter(name: "dbfilename", get: { server in
            let path = server.engine { $0.persistence?.path ?? "" }
            return String(path.split(separator: "/").last ?? "")
        }, set: nil),
        Parameter(name: "dir", get: { server in
            let path = server.engine { $0.persistence?.path ?? "" }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            return parts.isEmpty ? "." : parts.joined(separator: "/")
        }, set: nil),
        Parameter(name: "appendonly", get: { server in
            server.engine { $0.appendOnlyEnabled } ? "yes" : "no"
        }, set: { server, value in
            guard let on = yesNo(value) else { return .error("ERR argument must be 'yes' or 'no'") }
            let error = server.engine { engine -> String? in
                guard on != engine.appendOnlyEnabled else { return nil }
                if on { return engine.enableAppendOnly() }
                engine.disableAppendOnly()
                return nil
            }
            return error.map { .error("ERR \($0)") }
        }),
        Parameter(name: "appendfsync", get: { server in server.engine { $0.appendOnlySettings.fsync.rawValue } }, set: { server, value in
            guard let policy = FsyncPolicy(rawValue: value.description.lowercased()) else { return .error("ERR argument(s) must be one of the following: always, everysec, no") }
            server.engine { $0.setAppendOnly(\.fsync, to: policy) }
            return nil
        }),
        Parameter(name: "appenddirname", get: { server in server.engine { $0.appendOnlySettings.dirname } }, set: nil),
        Parameter(name: "appendfilename", get: { server in server.engine { $0.appendOnlySettings.filename } }, set: nil),
        Parameter(name: "auto-aof-rewrite-percentage", get: { server in
            "\(server.engine { $0.appendOnlySettings.rewritePercentage })"
        }, set: { server, value in
            guard let number = value.int64Value else { return .error("ERR argument couldn't be parsed into an integer") }
            guard (0...Int64(Int32.max)).contains(number) else { return .error("ERR argument must be between 0 and 2147483647 inclusive") }
            server.engine { $0.setAppendOnly(\.rewritePercentage, to: Int(number)) }
            return nil
        }),
        Parameter(name: "auto-aof-rewrite-min-size", get: { server in
            "\(server.engine { $0.appendOnlySettings.rewriteMinSize })"
        }, set: { server, value in
            guard let bytes = memoryValue(value), bytes <= UInt64(Int64.max) else { return .error("ERR argument must be a memory value") }
            server.engine { $0.setAppendOnly(\.rewriteMinSize, to: Int64(bytes)) }
            return nil
        }),
        appendOnlySwitch("aof-load-truncated", \.loadTruncated),
        appendOnlySwitch("aof-use-rdb-preamble", \.useRDBPreamble),
        Parameter(name: "databases", get: { _ in "\(Engine.databaseCount)" }, set: nil),
        Parameter(name: "port", get: { server in "\(server.localAddress?.port ?? server.settings.port)" }, set: nil),
        Parameter(name: "bind", get: { server in server.settings.bindAddress }, set: nil),
        Parameter(name: "requirepass", get: { server in server.settings.password ?? "" }, set: { server, value in
            server.settings.password = value.isEmpty ? nil : value.description
            let required = server.settings.password != nil
            server.engine { $0.requiresPassword = required }
            return nil
        }),
        Parameter(name: "maxclients", get: { server in "\(server.settings.maxClients)" }, set: { server, value in
            guard let count = value.int64Value else { return .error("ERR argument couldn't be parsed into an integer") }
            guard count >= 1, count <= Int64(UInt32.max) else { return .error("ERR argument must be between 1 and 4294967295 inclusive") }
            server.settings.maxClients = Int(count)
            return nil
        }),
        Parameter(name: "proto-max-bulk-len", get: { server in "\(server.settings.maxBulkLength)" }, set: { server, value in
            guard let length = memoryValue(value) else { return .error("ERR argument must be a memory value") }
            guard length >= 1024 * 1024, length <= UInt64(Int64.max) else {
                return .error("ERR argument must be between 1048576 and 9223372036854775807 inclusive")
            }
            server.settings.maxBulkLength = Int(length)
            return nil
        }),
        Parameter(name: "notify-keyspace-events", get: { server in server.notifications.letters }, set: { server, value in
            guard let classes = NotificationClasses(letters: value.description) else {
                return .error("ERR Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
            }
            server.setNotifications(classes)
            return nil
        }),
        encodingLimit("hash-max-listpack-entries", \.hashMaxListpackEntries, memory: false),
        encodingLimit("hash-max-ziplist-entries", \.hashMaxListpackEntries, memory: false),
        encodingLimit("hash-max-listpack-value", \.hashMaxListpackValue, memory: true),
        encodingLimit("hash-max-ziplist-value", \.hashMaxListpackValue, memory: true),
        encodingLimit("set-max-intset-entries", \.setMaxIntsetEntries, memory: false),
        encodingLimit("zset-max-listpack-entries", \.zsetMaxListpackEntries, memory: false),
        encodingLimit("zset-max-ziplist-entries", \.zsetMaxListpackEntries, memory: false),
        encodingLimit("zset-max-listpack-value", \.zsetMaxListpackValue, memory: true),
        encodingLimit("zset-max-ziplist-value", \.zsetMaxListpackValue, memory: true),
        encodingLimit("list-max-listpack-size", \.listMaxListpackSize, memory: false, range: Int64(Int32.min)...Int64(Int32.max)),
        encodingLimit("list-max-ziplist-size", \.listMaxListpackSize, memory: false, range: Int64(Int32.min)...Int64(Int32.max)),
        encodingLimit("list-compress-depth", \.listCompressDepth, memory: false, range: 0...Int64(Int32.max)),
        replicaLimit("min-replicas-to-write", \.minReplicasToWrite),
        replicaLimit("min-slaves-to-write", \.minReplicasToWrite),
        replicaLimit("min-replicas-max-lag", \.minReplicasMaxLag),
        replicaLimit("min-slaves-max-lag", \.minReplicasMaxLag),
        busyReplyThreshold("busy-reply-threshold"),
        busyReplyThreshold("lua-time-limit"),
        Parameter(name: "maxmemory", get: { server in
            "\(server.engine { $0.maxMemory })"
        }, set: { server, value in
            guard let bytes = memoryValue(value), bytes <= UInt64(Int64.max) else { return .error("ERR argument must be a memory value") }
            server.engine { $0.maxMemory = Int(bytes) }
            return nil
        }),
        Parameter(name: "maxmemory-policy", get: { _ in "noeviction" }, set: nil),
        Parameter(name: "hz", get: { _ in "10" }, set: nil),
        Parameter(name: "timeout", get: { _ in "0" }, set: nil),
    ]

    /// A yes/no setting of the append-only file's.
    private static func appendOnlySwitch(_ name: String, _ setting: WritableKeyPath<AppendOnlySettings, Bool> & Sendable) -> Parameter {
        Parameter(name: name, get: { server in
            server.engine { $0.appendOnlySettings[keyPath: setting] } ? "yes" : "no"
        }, set: { server, value in
            guard let on = yesNo(value) else { return .error("ERR argument must be 'yes' or 'no'") }
            server.engine { $0.setAppendOnly(setting, to: on) }
            return nil
        })
    }

    /// Redis's boolean values.
    private static func yesNo(_ value: Bytes) -> Bool? {
        if value.equalsIgnoringCase("yes") { return true }
        if value.equalsIgnoringCase("no") { return false }
        return nil
    }

    /// `min-replicas-to-write` and `min-replicas-max-lag` (and their `slaves` names).
    private static func replicaLimit(_ name: String, _ setting: ReferenceWritableKeyPath<Engine, Int> & Sendable) -> Parameter {
        Parameter(name: name, get: { server in
            "\(server.engine { $0[keyPath: setting] })"
        }, set: { server, value in
            guard let number = value.int64Value else { return .error("ERR argument couldn't be parsed into an integer") }
            guard (0...Int64(Int32.max)).contains(number) else { return .error("ERR argument must be between 0 and 2147483647 inclusive") }
            server.engine { $0[keyPath: setting] = Int(number) }
            return nil
        })
    }

    /// How long a script runs before others get BUSY, in milliseconds (Redis's two names for it).
    private static func busyReplyThreshold(_ name: String) -> Parameter {
        Parameter(name: name, get: { server in
            "\(server.engine { $0.busyReplyThreshold })"
        }, set: { server, value in
            guard let number = value.int64Value else { return .error("ERR argument couldn't be parsed into an integer") }
            guard number >= 0 else { return .error("ERR argument must be between 0 and 9223372036854775807 inclusive") }
            server.engine { $0.busyReplyThreshold = number }
            return nil
        })
    }

    /// A limit of `EncodingLimits`, under Redis's name: a count within
    /// `range`, or a length read as a memory value (`1k`), as Redis reads each.
    private static func encodingLimit(
        _ name: String, _ limit: WritableKeyPath<EncodingLimits, Int> & Sendable, memory: Bool,
        range: ClosedRange<Int64> = 0...Int64.max
    ) -> Parameter {
        Parameter(name: name, get: { server in
            "\(server.engine { $0.encodingLimits[keyPath: limit] })"
        }, set: { server, value in
            let outOfRange = Reply.error("ERR argument must be between \(range.lowerBound) and \(range.upperBound) inclusive")
            let number: Int64
            if memory {
                guard let parsed = memoryValue(value) else { return .error("ERR argument must be a memory value") }
                guard parsed <= UInt64(Int64.max) else { return outOfRange }
                number = Int64(parsed)
            } else {
                guard let parsed = value.int64Value else { return .error("ERR argument couldn't be parsed into an integer") }
                number = parsed
            }
            guard range.contains(number) else { return outOfRange }
            server.engine { $0.encodingLimits[keyPath: limit] = Int(number) }
            return nil
        })
    }

    func config(_ words: [Bytes]) -> Reply {
        guard words.count >= 2 else { return Reply.wrongArity("config") }
        let sub = words[1]
        if sub.equalsIgnoringCase("GET") {
            guard words.count >= 3 else { return Reply.wrongArity("config|get") }
            var pairs: [Reply] = []
            var seen: Set<String> = []
            for pattern in words[2...] {
                let glob = GlobPattern(pattern.asciiLowercased())
                for parameter in Self.parameters where glob.matches(Bytes(parameter.name)) && seen.insert(parameter.name).inserted {
                    pairs += [.bulk(Bytes(parameter.name)), .bulk(Bytes(parameter.get(self)))]
                }
            }
            return .map(pairs)
        }
        if sub.equalsIgnoringCase("SET") {
            guard words.count >= 4 else { return Reply.wrongArity("config|set") }
            if words.count % 2 == 1 { return .syntaxError }
            // As Redis: every name is checked first, then the old values are
            // kept and put back if any new one is refused.
            var changes: [(Parameter, Bytes)] = []
            var unknown: Bytes?
            var problem: (name: String, text: String)?
            for index in stride(from: 2, to: words.count, by: 2) {
                let name = words[index].description.lowercased()
                guard let parameter = Self.parameters.first(where: { $0.name == name }) else {
                    if unknown == nil { unknown = words[index] }
                    continue
                }
                if problem == nil && unknown == nil {
                    if parameter.set == nil {
                        problem = (words[index].description, "can't set immutable config")
                    } else if changes.contains(where: { $0.0.name == name }) {
                        problem = (words[index].description, "duplicate parameter")
                    }
                }
                changes.append((parameter, words[index + 1]))
            }
            if let unknown {
                return .error("ERR Unknown option or number of arguments for CONFIG SET - '\(unknown.description)'")
            }
            if let problem {
                return .error("ERR CONFIG SET failed (possibly related to argument '\(problem.name)') - \(problem.text)")
            }
            let old = changes.map { Bytes($0.0.get(self)) }
            for (index, (parameter, value)) in changes.enumerated() {
                if let error = parameter.set?(self, value) {
                    for restore in (0...index).reversed() { _ = changes[restore].0.set?(self, old[restore]) }
                    return .error("ERR CONFIG SET failed (possibly related to argument '\(parameter.name)') - "
                        + (error.errorText.map { $0.hasPrefix("ERR ") ? String($0.dropFirst(4)) : $0 } ?? ""))
                }
            }
            return .status("OK")
        }
        if sub.equalsIgnoringCase("RESETSTAT"), words.count == 2 {
            totalConnections = 0
            rejectedConnections = 0
            netInputBytes = 0
            netOutputBytes = 0
            engine { $0.resetStatistics() }
            return .status("OK")
        }
        if sub.equalsIgnoringCase("REWRITE"), words.count == 2 {
            return .error("ERR The server is running without a config file")
        }
        if sub.equalsIgnoringCase("HELP"), words.count == 2 {
            return .lines([
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Prints this help.",
            ])
        }
        return Self.unknownSubcommand(words, "CONFIG")
    }
}

/// A memory setting as Redis's `memtoull` reads it: a whole number of
/// bytes with an optional unit, `k`/`m`/`g` (powers of 1000) or
/// `kb`/`mb`/`gb` (powers of 1024), `b` for bytes, in any case; `nil` for
/// anything else (a sign, a fraction); a number past 64 bits saturates.
func memoryValue(_ text: Bytes) -> UInt64? {
    let characters = text.description.lowercased()
    let digits = characters.prefix { $0.isASCII && $0.isNumber }
    let multiplier: UInt64
    switch characters.dropFirst(digits.count) {
    case "", "b": multiplier = 1
    case "k": multiplier = 1000
    case "kb": multiplier = 1024
    case "m": multiplier = 1000 * 1000
    case "mb": multiplier = 1024 * 1024
    case "g": multiplier = 1000 * 1000 * 1000
    case "gb": multiplier = 1024 * 1024 * 1024
    default: return nil
    }
    guard !digits.isEmpty else { return nil }
    // As strtoull: too many digits read as the largest value, out of any range.
    let number = UInt64(digits) ?? .max
    let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
    return overflow ? .max : bytes
}

extension Reply {
    /// The text of an error reply.
    var errorText: String? {
        if case .error(let text) = self { return text }
        return nil
    }
}
