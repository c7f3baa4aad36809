/// Connection and server commands: PING, ECHO, HELP, DEBUG, EXIT and QUIT.
/// The snapshot commands are in `Engine+Snapshots.swift`.
extension Engine {
    func ping(_ args: [Bytes]) -> Reply {
        // A RESP2 session in subscribe mode gets a message-shaped answer, as in Redis.
        if session.subscriptions > 0 && session.protocolVersion == 2 {
            guard args.count <= 2 else { return .wrongArity("ping") }
            return .array([.bulk("pong"), .bulk(args.count == 2 ? args[1] : Bytes())])
        }
        switch args.count {
        case 1: return .status("PONG")
        case 2: return .bulk(args[1])
        default: return .wrongArity("ping")
        }
    }

    func echo(_ args: [Bytes]) -> Reply { .bulk(args[1]) }

    /// EXIT and QUIT answer OK; the front end that reads them leaves.
    func quit(_ args: [Bytes]) -> Reply { .ok }

    /// HELP lists the commands by group; HELP name shows one command's syntax and summary.
    func help(_ args: [Bytes]) -> Reply {
        if args.count == 1 {
            var lines = ["redi commands (HELP <command> shows one):"]
            let here = CommandTable.all.filter { !$0.flags.contains("network") }
            var groups: [String] = []
            for spec in here where !groups.contains(spec.group) { groups.append(spec.group) }
            let preferred = ["string", "bitmap", "generic", "server", "connection"]
            groups.sort { (preferred.firstIndex(of: $0) ?? preferred.count, $0) < (preferred.firstIndex(of: $1) ?? preferred.count, $1) }
            for group in groups {
                let names = here.filter { $0.group == group }.map(\.name)
                lines.append("  \(group): \(names.joined(separator: " "))")
            }
            let network = CommandTable.all.filter { $0.flags.contains("network") }.map(\.name)
            lines.append("  for network clients (redi --port): \(network.joined(separator: " "))")
            return .lines(lines)
        }
        guard args.count == 2, let spec = CommandTable.spec(named: args[1]) else {
            return .error("ERR no help for '\(args.dropFirst().map(\.description).joined(separator: " "))': unknown command")
        }
        return .lines([
            "\(spec.name) \(spec.syntax)".trimmingTrailingSpaces,
            "summary: \(spec.summary)",
            "since: \(spec.since)",
            "group: \(spec.group)",
            "complexity: \(spec.complexity)",
        ])
    }

    func debug(_ args: [Bytes]) -> Reply {
        let sub = args[1]
        if sub.equalsIgnoringCase("POPULATE") && (3...5).contains(args.count) {
            return debugPopulate(args)
        }
        if sub.equalsIgnoringCase("SLEEP") && args.count == 3 {
            clock.sleep(milliseconds: Engine.sleepMilliseconds(args[2]))
            return .ok
        }
        if sub.equalsIgnoringCase("OBJECT") && args.count == 3 {
            return debugObject(args[2])
        }
        if sub.equalsIgnoringCase("SET-ACTIVE-EXPIRE") && args.count == 3 {
            guard let flag = args[2].int64Value else { return .notInteger }
            activeExpiry = flag != 0
            return .ok
        }
        if sub.equalsIgnoringCase("HELP") && args.count == 2 {
            return .lines([
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "OBJECT <key>",
                "    Show low level info about the key and associated value.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys named key:<num>. If <prefix> is specified then",
                "    it is used instead of the 'key' prefix. These are not propagated to",
                "    replicas. Cluster slots are not respected so keys not belonging to the",
                "    current node can be created in cluster mode.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "HELP",
                "    Print this help.",
            ])
        }
        return Engine.subcommandSyntaxError(args).reply
    }

    /// DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding `value:N`,
    /// padded with zero bytes or cut to `size`; existing keys are left alone.
    private func debugPopulate(_ args: [Bytes]) -> Reply {
        let positive = Reply.error("ERR value is out of range, must be positive")
        guard let count = args[2].int64Value, count >= 0 else { return positive }
        var size: Int64 = 0
        if args.count == 5 {
            guard let parsed = args[4].int64Value, parsed >= 0 else { return positive }
            if parsed > Engine.maxStringLength {
                return .error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            size = parsed
        }
        let prefix = args.count >= 4 ? args[3].array.prefix { $0 != 0 } : Array("key".utf8)
        // Redis formats the name into a 128-byte buffer: at most 127 bytes.
        let maxKeyLength = 127
        // Room for what is asked, within reason: a huge count fails slowly, not at once.
        keyspace.reserve(Int(min(count, 1 << 22)))
        var keyBytes = [UInt8]()
        var valueBytes = [UInt8]()
        for index in 0..<count {
            keyBytes.removeAll(keepingCapacity: true)
            keyBytes.append(contentsOf: prefix)
            keyBytes.append(UInt8(ascii: ":"))
            keyBytes.append(contentsOf: String(index).utf8)
            if keyBytes.count > maxKeyLength { keyBytes.removeLast(keyBytes.count - maxKeyLength) }
            let key = Bytes(keyBytes)
            if lookup(key) != nil { continue }
            valueBytes.removeAll(keepingCapacity: true)
            valueBytes.append(contentsOf: "value:".utf8)
            valueBytes.append(contentsOf: String(index).utf8)
            if size > 0 {
                let wanted = Int(size)
                if valueBytes.count > wanted {
                    valueBytes.removeLast(valueBytes.count - wanted)
                } else {
                    valueBytes.append(contentsOf: repeatElement(0, count: wanted - valueBytes.count))
                }
            }
            keyspace.insert(key, value: .plainString(Bytes(valueBytes)))
            // Redis leaves populated keys out of its change count; redi counts
            // them, so that leaving redi saves them.
            signalWrite(.new, key)
        }
        return .ok
    }

    /// DEBUG SLEEP's argument as `strtod` reads it (the longest number at
    /// the start, 0 if none), in milliseconds; anything not finite and
    /// positive sleeps 0, and a day at most.
    static func sleepMilliseconds(_ text: Bytes) -> Int64 {
        // The longest run of characters a decimal number may use, then the
        // longest prefix of it that parses (a few tries at most).
        let allowed = Set("0123456789+-.eE")
        var prefix = String(text.description.prefix { allowed.contains($0) }.prefix(64))
        var seconds = 0.0
        while !prefix.isEmpty {
            if let value = Double(prefix) {
                seconds = value
                break
            }
            prefix.removeLast()
        }
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int64(min(seconds, 86_400) * 1000)
    }

}

extension String {
    var trimmingTrailingSpaces: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let serverCommands: [(String, Handler)] = [
        ("debug", { $0.debug($1) }),
        ("echo", { $0.echo($1) }),
        ("exit", { $0.quit($1) }),
        ("help", { $0.help($1) }),
        ("ping", { $0.ping($1) }),
        ("quit", { $0.quit($1) }),
    ]
}
