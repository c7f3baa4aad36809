/// EVAL, EVALSHA, their read-only forms and SCRIPT, after Redis's `eval.c`.
extension Engine {
    /// EVAL script numkeys [key ...] [arg ...], EVAL_RO, EVALSHA sha1 ..., EVALSHA_RO.
    func eval(_ args: [Bytes], bySHA: Bool, readOnly: Bool) throws(CommandError) -> Reply {
        // A SHA-1 of another length cannot match: NOSCRIPT before anything else.
        if bySHA && args[1].count != 40 { throw Engine.noScript }
        guard let keyCount = args[2].int64Value else { throw .notInteger }
        if keyCount > Int64(args.count - 3) { throw CommandError("ERR Number of keys can't be greater than number of args") }
        if keyCount < 0 { throw CommandError("ERR Number of keys can't be negative") }
        let sha: String
        let script: LuaScript
        if bySHA {
            guard let found = lua.script(args[1]) else { throw Engine.noScript }
            (sha, script) = found
        } else {
            sha = try lua.load(args[1])
            guard let loaded = lua.script(Bytes(sha)) else { throw Engine.noScript }
            script = loaded.script
        }
        if !script.flags.contains(.evalCompatibility) && !script.flags.contains(.noWrites) && readOnly {
            throw CommandError("ERR Can not execute a script with write flag using *_ro command.")
        }
        // The script's commands propagate themselves; EVAL adds nothing.
        preventPropagation()
        let keysEnd = 3 + Int(keyCount)
        let declaredReadOnly = !script.flags.contains(.evalCompatibility) && script.flags.contains(.noWrites)
        let lua = self.lua
        return runScript(in: lua, name: sha, command: args, isEval: true, readOnly: readOnly || declaredReadOnly,
            allowsOOM: !script.flags.contains(.evalCompatibility) && script.flags.contains(.allowOOM)) { thread in
            lua.pushScript(sha, on: thread)
            lua.setArguments(keys: args[3..<keysEnd], arguments: args[keysEnd...])
            return 0
        }
    }

    static let noScript = CommandError("NOSCRIPT No matching script. Please use EVAL.")

    /// SCRIPT LOAD | EXISTS | FLUSH | KILL | HELP (the processor checked the subcommand and its arity).
    func script(_ args: [Bytes]) throws(CommandError) -> Reply {
        let sub = args[1]
        if sub.equalsIgnoringCase("LOAD") {
            return .bulk(Bytes(try lua.load(args[2])))
        } else if sub.equalsIgnoringCase("EXISTS") {
            return .array(args.dropFirst(2).map { lua.script($0) == nil ? .zero : .one })
        } else if sub.equalsIgnoringCase("FLUSH") {
            guard args.count == 2 || (args.count == 3 && (args[2].equalsIgnoringCase("SYNC") || args[2].equalsIgnoringCase("ASYNC"))) else {
                throw CommandError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
            }
            lua.flushScripts()
            return .ok
        } else if sub.equalsIgnoringCase("KILL") {
            return try killScript(isEval: true)
        }
        return .lines([
            "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
            "HELP",
            "    Prints this help.",
        ])
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let scriptCommands: [(String, Handler)] = [
        ("eval", { engine, args throws(CommandError) in try engine.eval(args, bySHA: false, readOnly: false) }),
        ("eval_ro", { engine, args throws(CommandError) in try engine.eval(args, bySHA: false, readOnly: true) }),
        ("evalsha", { engine, args throws(CommandError) in try engine.eval(args, bySHA: true, readOnly: false) }),
        ("evalsha_ro", { engine, args throws(CommandError) in try engine.eval(args, bySHA: true, readOnly: true) }),
        ("script", { engine, args throws(CommandError) in try engine.script(args) }),
    ]
}
