/// FUNCTION and FCALL, after Redis's `functions.c`: libraries of Lua
/// functions loaded once, called by name.
extension Engine {
    /// FCALL function numkeys [key ...] [arg ...] and FCALL_RO.
    func fcall(_ args: [Bytes], readOnly: Bool) throws(CommandError) -> Reply {
        let lua = functionsLua
        guard let function = lua.functions[args[1].cString.lowercased()] else { throw CommandError("ERR Function not found") }
        guard let keyCount = args[2].int64Value else { throw CommandError("ERR Bad number of keys provided") }
        if keyCount > Int64(args.count - 3) { throw CommandError("ERR Number of keys can't be greater than number of args") }
        if keyCount < 0 { throw CommandError("ERR Number of keys can't be negative") }
        let declaredReadOnly = function.flags.contains(.noWrites)
        if readOnly && !declaredReadOnly { throw CommandError("ERR Can not execute a script with write flag using *_ro command.") }
        preventPropagation()
        let keysEnd = 3 + Int(keyCount)
        return runScript(in: lua, name: function.name, command: args, isEval: false, readOnly: readOnly || declaredReadOnly, allowsOOM: function.flags.contains(.allowOOM)) { thread in
            lua.pushFunction(function, on: thread)
            lua.pushArray(args[3..<keysEnd], on: thread)
            lua.pushArray(args[keysEnd...], on: thread)
            return 2
        }
    }

    /// FUNCTION LOAD | DELETE | LIST | DUMP | RESTORE | FLUSH | KILL | STATS | HELP.
    func function(_ args: [Bytes]) throws(CommandError) -> Reply {
        let sub = args[1]
        let lua = functionsLua
        if sub.equalsIgnoringCase("LOAD") {
            var replace = false
            for option in args[2..<(args.count - 1)] {
                guard option.equalsIgnoringCase("REPLACE") else { throw CommandError("ERR Unknown option given: \(option.cString)") }
                replace = true
            }
            guard args.count > 2 else { throw CommandError("ERR Function code is missing") }
            let name = try lua.loadLibrary(args[args.count - 1], replace: replace)
            dirty += 1
            return .bulk(Bytes(name))
        } else if sub.equalsIgnoringCase("DELETE") {
            guard let library = lua.libraries[args[2].cString] else { throw CommandError("ERR Library not found") }
            lua.unlink(library)
            dirty += 1
            return .ok
        } else if sub.equalsIgnoringCase("LIST") {
            return try listFunctions(args)
        } else if sub.equalsIgnoringCase("DUMP") {
            return .bulk(Bytes(RDBEncoder.functionsPayload(lua.libraries.values.map(\.code))))
        } else if sub.equalsIgnoringCase("RESTORE") {
            return try restoreFunctions(args)
        } else if sub.equalsIgnoringCase("FLUSH") {
            guard args.count <= 3 else { throw Engine.subcommandSyntaxError(args) }
            guard args.count == 2 || args[2].equalsIgnoringCase("SYNC") || args[2].equalsIgnoringCase("ASYNC") else {
                throw CommandError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
            }
            for library in Array(lua.libraries.values) { lua.unlink(library) }
            dirty += 1
            return .ok
        } else if sub.equalsIgnoringCase("KILL") {
            return try killScript(isEval: false)
        } else if sub.equalsIgnoringCase("STATS") {
            if let run = scriptRun, run.isEval { throw CommandError(Engine.busyScriptError) }
            var running = Reply.null
            if let run = scriptRun {
                running = .map([
                    .bulk("name"), .bulk(Bytes(run.name)), .bulk("command"), .array(run.command.map { .bulk($0) }),
                    .bulk("duration_ms"), .integer(run.milliseconds),
                ])
            }
            let engines = Reply.map([
                .bulk("LUA"),
                .map([.bulk("libraries_count"), .integer(Int64(lua.libraries.count)), .bulk("functions_count"), .integer(Int64(lua.functions.count))]),
            ])
            return .map([.bulk("running_script"), running, .bulk("engines"), engines])
        }
        return .lines([
            "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "LOAD [REPLACE] <FUNCTION CODE>", "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>", "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]", "    Return general information on all the libraries:",
            "    * Library name", "    * The engine used to run the Library", "    * Library description",
            "    * Functions list", "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS", "    Return information about the current function running:", "    * Function name",
            "    * Command used to run the function", "    * Duration in MS that the function is running",
            "    If no function is running, return nil", "    In addition, returns a list of available engines.",
            "KILL", "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]", "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.", "    * SYNC: Synchronously flush the libraries.",
            "DUMP", "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):", "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
            "HELP", "    Prints this help.",
        ])
    }

    /// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].
    private func listFunctions(_ args: [Bytes]) throws(CommandError) -> Reply {
        var withCode = false
        var pattern: GlobPattern?
        var index = 2
        while index < args.count {
            let argument = args[index]
            if !withCode && argument.equalsIgnoringCase("WITHCODE") {
                withCode = true
            } else if pattern == nil && argument.equalsIgnoringCase("LIBRARYNAME") {
                guard index + 1 < args.count else { throw CommandError("ERR library name argument was not given") }
                index += 1
                pattern = GlobPattern(args[index])
            } else {
                throw CommandError("ERR Unknown argument \(argument.cString)")
            }
            index += 1
        }
        let libraries = functionsLua.libraries.values.sorted { $0.name < $1.name }
        return .array(libraries.filter { pattern?.matches(Bytes($0.name)) ?? true }.map { library in
            var fields: [Reply] = [
                .bulk("library_name"), .bulk(Bytes(library.name)), .bulk("engine"), .bulk("LUA"),
                .bulk("functions"), .array(library.functions.map { function in
                    .map([
                        .bulk("name"), .bulk(Bytes(function.name)),
                        .bulk("description"), function.description.map { .bulk($0) } ?? .null,
                        .bulk("flags"), .set(ScriptFlags.names.filter { function.flags.contains($0.1) }.map { .status($0.0) }),
                    ])
                }),
            ]
            if withCode { fields += [.bulk("library_code"), .bulk(library.code)] }
            return .map(fields)
        })
    }

    /// FUNCTION RESTORE payload [FLUSH | APPEND | REPLACE]: all the
    /// payload's libraries or none (on an error the libraries are as before).
    private func restoreFunctions(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard args.count <= 4 else { throw Engine.subcommandSyntaxError(args) }
        var policy = "APPEND"
        if args.count == 4 {
            policy = args[3].description.uppercased()
            guard ["APPEND", "REPLACE", "FLUSH"].contains(policy) else {
                throw CommandError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
            }
        }
        let codes = try RDBDecoder.functionsPayload(args[2])
        let lua = functionsLua
        let before = lua.libraries.values.map(\.code)
        do throws(CommandError) {
            if policy == "FLUSH" { for library in Array(lua.libraries.values) { lua.unlink(library) } }
            var names: Set<String> = []
            for code in codes {
                let name = try LuaLibrary.metadata(of: code).name
                if policy == "APPEND" && lua.libraries[name] != nil { throw CommandError("ERR Library \(name) already exists") }
                guard names.insert(name).inserted else { throw CommandError("ERR Library \(name) already exists") }
            }
            for code in codes { _ = try lua.loadLibrary(code, replace: true) }
        } catch {
            for library in Array(lua.libraries.values) { lua.unlink(library) }
            for code in before { _ = try? lua.loadLibrary(code, replace: true) }
            throw error
        }
        dirty += 1
        return .ok
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let functionCommands: [(String, Handler)] = [
        ("fcall", { engine, args throws(CommandError) in try engine.fcall(args, readOnly: false) }),
        ("fcall_ro", { engine, args throws(CommandError) in try engine.fcall(args, readOnly: true) }),
        ("function", { engine, args throws(CommandError) in try engine.function(args) }),
    ]
}
