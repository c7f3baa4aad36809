import StoreEngine

/// COMMAND, COMMAND COUNT | LIST | INFO | DOCS, from the same command table
/// the engine dispatches through: redis-cli 7 builds its hints and help from
/// COMMAND DOCS.
extension ClientHandler {
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
        if sub.equalsIgnoringCase("HELP"), words.count == 2 {
            return .lines([
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)", "    Return details about all Redis commands.",
                "COUNT", "    Return the total number of commands in this Redis server.",
                "LIST", "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                "HELP", "    Print this help.",
            ])
        }
        return Self.unknownSubcommand(words, "COMMAND")
    }

    /// COMMAND INFO's ten fields: name, arity, flags, first, last and step
    /// key positions, ACL categories, tips, key specs, subcommands.
    private static func info(_ spec: CommandSpec) -> Reply {
        let keys = spec.keys
        return .array([
            .bulk(Bytes(spec.name.lowercased())), .integer(Int64(spec.arity)),
            .array(spec.flags.filter { $0 != "frontend" && $0 != "network" }.map { .status($0) }),
            .integer(Int64(keys?.first ?? 0)), .integer(Int64(keys?.last ?? 0)), .integer(Int64(keys?.step ?? 0)),
            .array([.status("@\(spec.group)")]), .array([]), .array([]), .array([]),
        ])
    }

    /// COMMAND DOCS's map for one command.
    private static func docs(_ spec: CommandSpec) -> Reply {
        var fields: [Reply] = [
            .bulk("summary"), .bulk(Bytes(spec.summary)),
            .bulk("since"), .bulk(Bytes(spec.since)),
            .bulk("group"), .bulk(Bytes(spec.group)),
            .bulk("complexity"), .bulk(Bytes(spec.complexity)),
        ]
        if !spec.arguments.isEmpty {
            fields += [.bulk("arguments"), .array(spec.arguments.map(argument))]
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
