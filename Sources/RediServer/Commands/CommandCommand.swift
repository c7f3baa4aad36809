import StoreEngine

/// COMMAND, COMMAND COUNT | LIST | INFO | DOCS | GETKEYS, from the same command table
/// the engine dispatches through: redis-cli 7 builds its hints and help from
/// COMMAND DOCS.
extension ServerState {
    func commandCommand(_ words: [Bytes]) -> Reply {
        guard words.count >= 2 else { return .array(CommandTable.all.map(Self.info)) }
        let sub = words[1]
        if sub.equalsIgnoringCase("COUNT"), words.count == 2 { return .integer(Int64(CommandTable.all.count)) }
        if sub.equalsIgnoringCase("LIST") {
            return .array(CommandTable.all.map { .bulk(Bytes($0.name.lowercased())) })
        }
        if sub.equalsIgnoringCase("INFO") {
            if words.count == 2 { return .array(CommandTable.all.map(Self.info)) }
            return .array(words[2...].map { name in CommandTable.spec(named: name).map(Self.info) ?? .null })
        }
        if sub.equalsIgnoringCase("DOCS") {
            let specs = words.count == 2 ? CommandTable.all : words[2...].compactMap { CommandTable.spec(named: $0) }
            return .map(specs.flatMap { [Reply.bulk(Bytes($0.name.lowercased())), Self.docs($0)] })
        }
        if sub.equalsIgnoringCase("GETKEYS") { return Self.keys(of: Array(words.dropFirst(2))) }
        if sub.equalsIgnoringCase("HELP"), words.count == 2 {
            return .lines([
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)", "    Return details about all Redis commands.",
                "COUNT", "    Return the total number of commands in this Redis server.",
                "LIST", "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
                "HELP", "    Prints this help.",
            ])
        }
        return Self.unknownSubcommand(words, "COMMAND")
    }

    /// COMMAND GETKEYS: the keys of a command line, as Redis's
    /// `commandGetKeysCommand` finds and refuses them.
    private static func keys(of command: [Bytes]) -> Reply {
        guard let name = command.first, var spec = CommandTable.spec(named: name) else {
            return .error("ERR Invalid command specified")
        }
        if let subcommands = spec.subcommands, !subcommands.isEmpty, command.count >= 2 {
            guard let sub = spec.subcommand(named: command[1]) else { return .error("ERR Invalid command specified") }
            spec = sub
        }
        guard !(spec.keySpecs ?? []).isEmpty else { return .error("ERR The command has no key arguments") }
        guard spec.acceptsArity(command.count) else { return .error("ERR Invalid number of arguments specified for command") }
        // MIGRATE's own rule (Redis's `migrateGetKeys`): the keys after KEYS, else the one key.
        if spec.name == "MIGRATE", let keyword = command.dropFirst(6).firstIndex(where: { $0.equalsIgnoringCase("KEYS") }) {
            return .array(command[(keyword + 1)...].map { .bulk($0) })
        }
        guard let keys = spec.keyPositions(in: command), !keys.isEmpty else {
            if spec.redisFlags?.contains("no_mandatory_keys") == true { return .array([]) }
            return .error("ERR Invalid arguments specified for command")
        }
        return .array(keys.map { .bulk(command[$0.position]) })
    }

    /// COMMAND INFO's ten fields, as Redis 7.0's table has them: name,
    /// arity, flags, first, last and step key positions, ACL categories,
    /// tips, key specs, subcommands (each in the same ten fields).
    private static func info(_ spec: CommandSpec) -> Reply {
        let keys = spec.keys
        let flags = spec.redisFlags ?? spec.flags.filter { $0 != "frontend" && $0 != "network" }
        return .array([
            .bulk(Bytes(spec.name.lowercased())), .integer(Int64(spec.arity)),
            .array(flags.map { .status($0) }),
            .integer(Int64(keys?.first ?? 0)), .integer(Int64(keys?.last ?? 0)), .integer(Int64(keys?.step ?? 0)),
            .array((spec.aclCategories ?? ["@\(spec.group)"]).map { .status($0) }),
            .array((spec.tips ?? []).map { .bulk(Bytes($0)) }),
            .array((spec.keySpecs ?? []).map(keySpec)),
            .array((spec.subcommands ?? []).map(info)),
        ])
    }

    /// One key spec as Redis 7.0 replies it: notes, flags, begin_search, find_keys.
    private static func keySpec(_ spec: KeySpec) -> Reply {
        var fields: [Reply] = []
        if let notes = spec.notes { fields += [.bulk("notes"), .bulk(Bytes(notes))] }
        fields += [.bulk("flags"), .array(spec.flags.map { .status($0) })]
        let begin: [Reply] = switch spec.beginSearch.type {
        case "index": [.bulk("index"), .integer(Int64(spec.beginSearch.index ?? 0))]
        case "keyword": [.bulk("keyword"), .bulk(Bytes(spec.beginSearch.keyword ?? "")),
                         .bulk("startfrom"), .integer(Int64(spec.beginSearch.startfrom ?? 0))]
        default: []
        }
        fields += [.bulk("begin_search"), .map([.bulk("type"), .bulk(Bytes(spec.beginSearch.type)), .bulk("spec"), .map(begin)])]
        let find = spec.findKeys
        let range: [Reply] = switch find.type {
        case "range": [.bulk("lastkey"), .integer(Int64(find.lastkey ?? 0)), .bulk("keystep"), .integer(Int64(find.keystep ?? 0)),
                       .bulk("limit"), .integer(Int64(find.limit ?? 0))]
        case "keynum": [.bulk("keynumidx"), .integer(Int64(find.keynumidx ?? 0)), .bulk("firstkey"), .integer(Int64(find.firstkey ?? 0)),
                        .bulk("keystep"), .integer(Int64(find.keystep ?? 0))]
        default: []
        }
        fields += [.bulk("find_keys"), .map([.bulk("type"), .bulk(Bytes(find.type)), .bulk("spec"), .map(range)])]
        return .map(fields)
    }

    /// COMMAND DOCS's map for one command.
    private static func docs(_ spec: CommandSpec) -> Reply {
        var fields: [Reply] = [
            .bulk("summary"), .bulk(Bytes(spec.summary)),
            .bulk("since"), .bulk(Bytes(spec.since)),
            .bulk("group"), .bulk(Bytes(spec.group)),
            .bulk("complexity"), .bulk(Bytes(spec.complexity)),
        ]
        if !spec.arguments.isEmpty && spec.subcommands == nil {
            fields += [.bulk("arguments"), .array(spec.arguments.map(argument))]
        }
        if let subcommands = spec.subcommands {
            fields += [.bulk("subcommands"), .map(subcommands.flatMap { [Reply.bulk(Bytes($0.name)), docs($0)] })]
        }
        return .map(fields)
    }

    private static func argument(_ argument: ArgumentSpec) -> Reply {
        var fields: [Reply] = [.bulk("name"), .bulk(Bytes(argument.name)), .bulk("type"), .bulk(Bytes(argument.type))]
        if let token = argument.token { fields += [.bulk("token"), .bulk(Bytes(token))] }
        if let since = argument.since { fields += [.bulk("since"), .bulk(Bytes(since))] }
        var flags: [Reply] = []
        if argument.isOptional { flags.append(.status("optional")) }
        if argument.isMultiple { flags.append(.status("multiple")) }
        if !flags.isEmpty { fields += [.bulk("flags"), .array(flags)] }
        if let nested = argument.arguments { fields += [.bulk("arguments"), .array(nested.map(Self.argument))] }
        return .map(fields)
    }
}
