import CLua
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `redis` table scripts call (`script_lua.c`'s `luaRegisterRedisAPI`)
/// and Redis's `math.random`. Each function is Swift pushed through the C
/// trampoline: it returns its result count, or -1 to raise the value on top.
enum LuaRedisLibrary {
    static func install(in interpreter: LuaInterpreter) {
        let lua = interpreter.main
        let context = interpreter.context
        lua.newTable()
        let functions: [(String, redi_lua_function)] = [
            ("call", call), ("pcall", protectedRedisCall), ("sha1hex", sha1hex), ("error_reply", errorReply),
            ("status_reply", statusReply), ("log", log), ("setresp", setResp), ("set_repl", setReplication),
            ("replicate_commands", replicateCommands), ("breakpoint", breakpoint), ("debug", debugLog),
            ("acl_check_cmd", aclCheckCommand),
        ]
        for (name, function) in functions {
            lua.push(function, context: context)
            lua.setField(name, in: -2)
        }
        setConstants(in: lua, replication: true)
        lua.setField("redis", in: LUA_GLOBALSINDEX)

        redi_getglobal(lua.pointer, "math")
        lua.push(random, context: context)
        lua.setField("random", in: -2)
        lua.push(randomSeed, context: context)
        lua.setField("randomseed", in: -2)
        lua.pop()
    }

    /// The `redis` table FUNCTION LOAD's code sees while it loads:
    /// `register_function`, `log` and the version (Redis's `LIBRARY_API`).
    static func pushLoadingTable(on interpreter: LuaInterpreter) {
        let lua = interpreter.main
        lua.newTable()
        lua.push(LuaLibrary.registerFunction, context: interpreter.context)
        lua.setField("register_function", in: -2)
        lua.push(log, context: interpreter.context)
        lua.setField("log", in: -2)
        setConstants(in: lua, replication: false)
    }

    /// The log levels, the version and (`replication`) the REPL_* flags, into the table on top.
    private static func setConstants(in lua: LuaState, replication: Bool) {
        var numbers: [(String, Double)] = [
            ("LOG_DEBUG", 0), ("LOG_VERBOSE", 1), ("LOG_NOTICE", 2), ("LOG_WARNING", 3),
            ("REDIS_VERSION_NUM", Double(compatibleRedisVersionNumber)),
        ]
        if replication { numbers += [("REPL_NONE", 0), ("REPL_AOF", 1), ("REPL_SLAVE", 2), ("REPL_REPLICA", 2), ("REPL_ALL", 3)] }
        for (name, value) in numbers {
            lua.push(value)
            lua.setField(name, in: -2)
        }
        lua.push(compatibleRedisVersion)
        lua.setField("REDIS_VERSION", in: -2)
    }

    // MARK: redis.call and redis.pcall

    static let call: redi_lua_function = { pointer in runCommand(LuaState(pointer!), raise: true) }
    static let protectedRedisCall: redi_lua_function = { pointer in runCommand(LuaState(pointer!), raise: false) }

    /// Redis's `luaRedisGenericCommand`: the arguments as a command line
    /// (numbers as `%.17g`), run through the script's checks and the
    /// processor's `call`, the reply converted to Lua. An error reply is a
    /// table `{err=...}`, raised by `redis.call`.
    private static func runCommand(_ lua: LuaState, raise: Bool) -> Int32 {
        let interpreter = LuaInterpreter.from(lua.pointer)
        guard interpreter.engine.scriptRun != nil else {
            lua.pushError("redis.call/pcall can only be called inside a script invocation")
            return -1
        }
        let count = lua.top
        guard count > 0 else {
            lua.pushError("Please specify at least one argument for this redis lib call")
            return raise ? -1 : 1
        }
        var command: [Bytes] = []
        command.reserveCapacity(Int(count))
        for index in 1...count {
            if lua.type(at: index) == LUA_TNUMBER {
                command.append(Bytes(formatNumber(lua.number(at: index))))
            } else if lua.type(at: index) == LUA_TSTRING, let bytes = lua.bytes(at: index) {
                command.append(bytes)
            } else {
                lua.top = 0
                lua.pushError("Lua redis lib command arguments must be strings or integers")
                return raise ? -1 : 1
            }
        }
        lua.top = 0
        let reply = interpreter.engine.scriptCall(command)
        guard LuaReplies.push(reply, as: interpreter.engine.scriptSession.protocolVersion, on: lua) else {
            lua.top = 0
            lua.pushError("reached lua stack limit")
            return -1
        }
        if case .error = reply {
            lua.push(true)
            lua.setField("ignore_error_stats_update", in: -2)
            return raise ? -1 : 1
        }
        return 1
    }

    /// A number as Redis passes it to a command: C's `%.17g`.
    static func formatNumber(_ value: Double) -> String {
        String(cFormat: "%.17g", value)
    }

    // MARK: The rest of the redis table

    /// Redis's `pcall` for a C function (the prelude's `pcall` runs Lua
    /// functions in a coroutine): an error table answers with its `err` text.
    static let protectedCall: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let count = lua.top
        lua.push(true)
        lua_insert(pointer, 1)
        if lua_pcall(pointer, count - 1, LUA_MULTRET, 0) != 0 {
            lua_remove(pointer, 1)
            if lua.isTable(-1) {
                lua.rawField("err", of: -1)
                if lua.isString(-1) { lua_replace(pointer, -2) } else { lua.pop() }
            }
            lua.push(false)
            lua_insert(pointer, 1)
        }
        return lua.top
    }

    static let sha1hex: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard lua.top == 1 else {
            lua.pushError("wrong number of arguments")
            return -1
        }
        lua.push(SHA1.hex((lua.bytes(at: 1) ?? Bytes()).array))
        return 1
    }

    static let errorReply: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard lua.top == 1, lua.type(at: -1) == LUA_TSTRING, let text = lua.string(at: -1) else {
            lua.pushError("wrong number or type of arguments")
            return 1
        }
        lua.pushError(text.hasPrefix("-") ? text : "-" + text)
        return 1
    }

    static let statusReply: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard lua.top == 1, lua.type(at: -1) == LUA_TSTRING else {
            lua.pushError("wrong number or type of arguments")
            return 1
        }
        lua.newTable()
        lua_pushvalue(pointer, -2)
        lua.setField("ok", in: -2)
        return 1
    }

    static let log: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let count = lua.top
        guard count >= 2 else {
            lua.pushError("redis.log() requires two arguments or more.")
            return -1
        }
        guard lua_isnumber(pointer, 1) != 0 else {
            lua.pushError("First argument must be a number (log level).")
            return -1
        }
        let level = Int(lua.number(at: 1))
        guard (0...3).contains(level) else {
            lua.pushError("Invalid debug level.")
            return -1
        }
        let parts = (2...count).compactMap { lua.bytes(at: $0) }
        let message = Bytes(Array(parts.map(\.array).joined(separator: [32])))
        LuaInterpreter.from(pointer).engine.log?(level, message.cString)
        return 0
    }

    static let setResp: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let engine = LuaInterpreter.from(pointer).engine
        guard engine.scriptRun != nil else {
            lua.pushError("redis.setresp can only be called inside a script invocation")
            return -1
        }
        guard lua.top == 1 else {
            lua.pushError("redis.setresp() requires one argument.")
            return -1
        }
        let version = Int(lua.number(at: 1))
        guard version == 2 || version == 3 else {
            lua.pushError("RESP version must be 2 or 3.")
            return -1
        }
        engine.scriptSession.protocolVersion = version
        return 0
    }

    static let setReplication: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let engine = LuaInterpreter.from(pointer).engine
        guard let run = engine.scriptRun else {
            lua.pushError("redis.set_repl can only be called inside a script invocation")
            return -1
        }
        guard lua.top == 1 else {
            lua.pushError("redis.set_repl() requires two arguments.")
            return -1
        }
        let flags = Int(lua.number(at: -1))
        guard flags & ~3 == 0 else {
            lua.pushError("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
            return -1
        }
        // redi has no replicas: the append-only file is what REPL_AOF names.
        run.propagates = flags & 1 != 0
        return 0
    }

    static let replicateCommands: redi_lua_function = { pointer in
        LuaState(pointer!).push(true)
        return 1
    }

    /// The debugger's calls do nothing outside a debugging session (redi has none).
    static let breakpoint: redi_lua_function = { pointer in
        LuaState(pointer!).push(false)
        return 1
    }

    static let debugLog: redi_lua_function = { _ in 0 }

    /// Every session may run every command (redi has no ACL users).
    static let aclCheckCommand: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let engine = LuaInterpreter.from(pointer).engine
        guard engine.scriptRun != nil else {
            lua.pushError("redis.acl_check_cmd can only be called inside a script invocation")
            return -1
        }
        guard lua.top > 0 else {
            lua.pushError("Please specify at least one argument for this redis lib call")
            return -1
        }
        guard let name = lua.bytes(at: 1), engine.commandEntry(for: [name] + (lua.top > 1 ? [lua.bytes(at: 2) ?? Bytes()] : [])) != nil else {
            lua.pushError("Invalid command passed to redis.acl_check_cmd()")
            return -1
        }
        lua.top = 0
        lua.push(true)
        return 1
    }

    // MARK: math.random

    static let random: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let interpreter = LuaInterpreter.from(pointer)
        guard interpreter.engine.scriptRun != nil else {
            LuaSandbox.pushPositioned("math.random can only be called inside a script invocation", lua)
            return -1
        }
        let value = Double(interpreter.random.next() % Int32.max) / Double(Int32.max)
        switch lua.top {
        case 0:
            lua.push(value)
        case 1:
            guard let upper = integerArgument(1, lua) else { return -1 }
            guard upper >= 1 else { return LuaSandbox.argumentError(1, "interval is empty", lua) }
            lua.push((value * Double(upper)).rounded(.down) + 1)
        case 2:
            guard let lower = integerArgument(1, lua), let upper = integerArgument(2, lua) else { return -1 }
            guard lower <= upper else { return LuaSandbox.argumentError(2, "interval is empty", lua) }
            lua.push((value * Double(upper - lower + 1)).rounded(.down) + Double(lower))
        default:
            LuaSandbox.pushPositioned("wrong number of arguments", lua)
            return -1
        }
        return 1
    }

    static let randomSeed: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let interpreter = LuaInterpreter.from(pointer)
        guard interpreter.engine.scriptRun != nil else {
            LuaSandbox.pushPositioned("math.randomseed can only be called inside a script invocation", lua)
            return -1
        }
        guard let seed = integerArgument(1, lua) else { return -1 }
        interpreter.random.seed(Int32(truncatingIfNeeded: seed))
        return 0
    }

    /// `luaL_checkint`: the number at `index` as an int, or the error pushed.
    private static func integerArgument(_ index: Int32, _ lua: LuaState) -> Int? {
        guard lua_isnumber(lua.pointer, index) != 0 else {
            _ = LuaSandbox.typeError(index, "number", lua)
            return nil
        }
        let value = lua.number(at: index)
        return value.isFinite && value.magnitude < 2147483648 ? Int(value) : Int(Int32.min)
    }
}

/// The Redis version redi answers as (INFO's `redis_version`, HELLO, `redis.REDIS_VERSION`).
public let compatibleRedisVersion = "7.0.15"
/// The same as a number, as Redis's `REDIS_VERSION_NUM`: 0x00MMmmpp.
let compatibleRedisVersionNumber = 0x00_07_00_0F
