/// Joins each command in the table to its implementation.
extension Engine {
    /// A command's implementation: its reply, or a `CommandError` thrown
    /// where it fails.
    public typealias Handler = @Sendable (Engine, [Bytes]) throws(CommandError) -> Reply

    /// A command as the dispatcher needs it: a class, so that finding one
    /// costs a single reference count, not a copy of its whole spec.
    final class Entry: Sendable {
        let spec: CommandSpec
        let run: Handler
        /// Redis's `no_auth` flag: AUTH, HELLO, QUIT, RESET.
        let worksBeforeAuth: Bool
        /// What a RESP2 session in subscribe mode may still run.
        let worksWhileSubscribed: Bool
        /// The spec's arity, and whether subcommands have their own: the
        /// processor checks a plain command without reaching into its spec.
        let arity: Int
        let isContainer: Bool
        /// EXEC, which a refusal inside MULTI aborts at once.
        let isExec: Bool
        /// What runs at once inside MULTI instead of being queued.
        let controlsTransaction: Bool
        /// Redis's `no_multi` flag: refused inside MULTI (SAVE).
        let refusedInTransaction: Bool
        /// Redis's `allow_busy`: runs while a script is timed out (SHUTDOWN, MULTI...).
        let allowsBusy: Bool
        /// Redis's `noscript`: refused from scripts (EVAL, SUBSCRIBE...).
        let refusedInScript: Bool
        /// Redis's `write`: refused from read-only scripts, and a script that ran one cannot be killed.
        let isWrite: Bool
        /// Redis's `may_replicate` (not in COMMAND INFO): refused from read-only scripts as writes are.
        let mayReplicate: Bool
        /// Redis's `denyoom`: refused past `maxmemory`.
        let deniesOnOOM: Bool
        /// PING, refused with writes while the disk refuses them (Redis's `MISCONF`).
        let isPing: Bool
        /// Its counters' slot (`Engine.commandCounters`).
        let statisticSlot: Int

        init(spec: CommandSpec, run: @escaping Handler) {
            self.spec = spec
            self.run = run
            statisticSlot = CommandStatisticSlots.slots[spec.name.lowercased()] ?? 0
            arity = spec.arity
            isContainer = !(spec.subcommands?.isEmpty ?? true)
            worksBeforeAuth = spec.redisFlags?.contains("no_auth") ?? false
            worksWhileSubscribed = Entry.allowedWhileSubscribed.contains(spec.name.lowercased())
            isExec = spec.name.lowercased() == "exec"
            isPing = spec.name.lowercased() == "ping"
            controlsTransaction = ["exec", "discard", "multi", "watch", "quit", "reset"].contains(spec.name.lowercased())
            refusedInTransaction = spec.redisFlags?.contains("no_multi") ?? false
            allowsBusy = spec.redisFlags?.contains("allow_busy") ?? false
            refusedInScript = spec.redisFlags?.contains("noscript") ?? false
            isWrite = spec.redisFlags?.contains("write") ?? spec.flags.contains("write")
            deniesOnOOM = spec.redisFlags?.contains("denyoom") ?? spec.flags.contains("denyoom")
            mayReplicate = ["publish", "spublish", "pfcount", "eval", "evalsha", "fcall"].contains(spec.name.lowercased())
        }

        /// Whether the command line has Redis's `flag`: a container's
        /// subcommand has its own flags (SCRIPT KILL is `allow_busy`, CLIENT LIST `noscript`).
        func has(_ flag: String, _ command: [Bytes], else plain: Bool) -> Bool {
            guard isContainer else { return plain }
            guard command.count >= 2, let sub = spec.subcommand(named: command[1]) else { return false }
            return sub.redisFlags?.contains(flag) ?? false
        }

        static let allowedWhileSubscribed: Set<String> = [
            "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset",
        ]
    }

    /// Redis's `addReplySubcommandSyntaxError`: the subcommand as typed, the command in capitals.
    public static func subcommandSyntaxError(_ args: [Bytes]) -> CommandError {
        let sub = String(args[1].cString.prefix(128))
        return CommandError("ERR unknown subcommand or wrong number of arguments for '\(sub)'. Try \(args[0].cString.uppercased()) HELP.")
    }

    /// Makes `handler` answer `name`, a command of `Resources/commands.json`
    /// that a front end implements (a server's CLIENT, INFO, PUBLISH...):
    /// from then on every session runs it, whatever its front end.
    public func register(_ name: String, _ handler: @escaping Handler) {
        guard let spec = CommandTable.spec(named: Bytes(name)) else { preconditionFailure("\(name) is not in commands.json") }
        registered[name.lowercased()] = Entry(spec: spec, run: handler)
        _ = commands  // made first, with the counters, if no command ran yet
        commands = CommandNameTable(Engine.implementationEntries.map { name, entry in (name, registered[name] ?? entry) })
    }

    /// The implementation of every command in `Resources/commands.json`, by
    /// lower-case name: each group of commands lists its own beside its
    /// code (`stringCommands` in `Engine+StringCommands.swift`...).
    static let implementations: [String: Handler] = Dictionary(uniqueKeysWithValues:
        stringCommands + moreStringCommands + bitCommands + listCommands + hashCommands + setCommands + sortedSetCommands + keyCommands + expireCommands
            + databaseCommands + dumpCommands + transactionCommands + objectCommands + serverCommands + snapshotCommands
            + scriptCommands + functionCommands + appendOnlyCommands)

    /// Builds the command table (reading `Resources/commands.json` takes
    /// milliseconds): a front end calls it on another thread as it starts,
    /// so that the table is ready when the snapshot has loaded.
    public static func prepareCommands() {
        _ = dispatch
    }

    /// The table the engine dispatches through. Commands a network server
    /// answers (flag `network`) say so when typed at the prompt or in the UI.
    static let dispatch = CommandNameTable(implementationEntries)

    static let implementationEntries: [(String, Entry)] = CommandTable.all.map { spec in
        let name = spec.name.lowercased()
        if let run = implementations[name] { return (name, Entry(spec: spec, run: run)) }
        guard spec.flags.contains("network") else {
            preconditionFailure("command \(spec.name) is in commands.json but has no implementation")
        }
        return (name, Entry(spec: spec) { _, _ in
            .error("ERR \(spec.name) is for network clients: start redi with --port and use redis-cli")
        })
    }
}

