import CLua

/// The environment scripts see, as Redis 7.0 builds it (`luaRegisterRedisAPI`,
/// `scriptingInit`): Lua's base, table, string and math libraries, cjson,
/// bit, struct and cmsgpack, the `redis` table, and nothing that reaches outside (no `os`, `io`,
/// `loadfile`, `dofile`, `print`, `debug`).
///
/// Redis patches Lua with read-only tables; stock Lua 5.1 has none, so each
/// protected table is an empty proxy whose metatable reads through to the
/// real one and refuses writes with Redis's error ("Attempt to modify a
/// readonly table"); `rawset`, `setmetatable` and `getmetatable` see
/// through the proxies. Reading a global that does not exist fails as in
/// Redis ("Script attempted to access nonexistent global variable").
enum LuaSandbox {
    /// The globals Redis keeps (its allow lists); the rest of what the
    /// libraries define is dropped.
    static let allowedGlobals: Set<String> = [
        "string", "cjson", "bit", "cmsgpack", "math", "table", "struct", "redis",
        "xpcall", "tostring", "setmetatable", "next", "assert", "tonumber", "rawequal",
        "collectgarbage", "getmetatable", "rawset", "pcall", "coroutine", "type", "_G", "select",
        "unpack", "gcinfo", "pairs", "rawget", "loadstring", "ipairs", "_VERSION", "load", "error",
    ]

    static func install(in interpreter: LuaInterpreter) {
        let lua = interpreter.main
        let pointer = lua.pointer
        for (name, open) in [("", luaopen_base), (LUA_TABLIBNAME, luaopen_table), (LUA_STRLIBNAME, luaopen_string), (LUA_MATHLIBNAME, luaopen_math)] as [(String, lua_CFunction)] {
            lua_pushcclosure(pointer, open, 0)
            lua.push(name)
            lua_call(pointer, 1, 0)
        }
        // Debian's cjson returns its table without setting the global; bitop sets `bit`.
        lua_pushcclosure(pointer, luaopen_cjson, 0)
        lua_call(pointer, 0, 1)
        redi_setglobal(pointer, "cjson")
        lua_pushcclosure(pointer, luaopen_bit, 0)
        lua_call(pointer, 0, 0)
        LuaStruct.install(in: interpreter)
        LuaMessagePack.install(in: interpreter)

        LuaRedisLibrary.install(in: interpreter)

        // Drop what Redis does not give scripts.
        var names: [String] = []
        lua.pushNil()
        while lua_next(pointer, LUA_GLOBALSINDEX) != 0 {
            lua.pop()
            if lua.type(at: -1) == LUA_TSTRING, let name = lua.string(at: -1), !allowedGlobals.contains(name) { names.append(name) }
        }
        for name in names {
            lua.pushNil()
            lua.setField(name, in: LUA_GLOBALSINDEX)
        }

        runPrelude(interpreter)
        protectGlobals(interpreter)
        if interpreter.kind == .functions { makeLoadingGlobals(interpreter) }
    }

    /// The registry's keys of the globals proxy's metatable, the real
    /// globals, and the globals FUNCTION LOAD's code runs with.
    static let globalsMetatableKey = "redi.globals-metatable"
    static let globalsKey = "redi.globals"
    static let loadingGlobalsKey = "redi.loading-globals"

    /// What a library's code sees while FUNCTION LOAD runs it: only a
    /// `redis` table of `register_function`, `log` and the version; any
    /// other name is missing.
    private static func makeLoadingGlobals(_ interpreter: LuaInterpreter) {
        let lua = interpreter.main
        lua.newTable()
        LuaRedisLibrary.pushLoadingTable(on: interpreter)
        // A missing field of this `redis` is an error too, as in Redis.
        lua.newTable()
        lua.push(missingGlobal, context: interpreter.context)
        lua.setField("__index", in: -2)
        lua_setmetatable(lua.pointer, -2)
        pushProxy(of: -1, apparentMetatable: nil, interpreter)
        lua_remove(lua.pointer, -2)
        lua.setField("redis", in: -2)
        lua.newTable()
        lua.push(missingGlobal, context: interpreter.context)
        lua.setField("__index", in: -2)
        lua_setmetatable(lua.pointer, -2)
        lua_setfield(lua.pointer, LUA_REGISTRYINDEX, loadingGlobalsKey)
    }

    /// Makes the globals read through to what FUNCTION LOAD's code may see (`loading`), or back to all of them.
    static func setLoading(_ loading: Bool, _ interpreter: LuaInterpreter) {
        let pointer = interpreter.main.pointer
        lua_getfield(pointer, LUA_REGISTRYINDEX, globalsMetatableKey)
        lua_getfield(pointer, LUA_REGISTRYINDEX, loading ? loadingGlobalsKey : globalsKey)
        interpreter.main.setField("__index", in: -2)
        redi_pop(pointer, 1)
    }

    /// Lua code that replaces `pcall` (Redis's converts an error table to
    /// its text; this one also runs the function as a coroutine, so a
    /// suspension inside it reaches the script's coroutine) and wraps
    /// `rawset`, `setmetatable` and `getmetatable` for the read-only proxies.
    /// The chunk name of the prelude: errors are reported where the script called into it.
    static let preludeSource = "=redi"

    private static let prelude = """
        local c_pcall, is_c_function, take_suspension, mark_suspension, can_yield, error_text, managed, is_readonly, apparent_metatable, proxied = ...
        local create, resume, status, yield, type, select = coroutine.create, coroutine.resume, coroutine.status, coroutine.yield, type, select
        local function settle(co, ok, ...)
          if ok and status(co) == "suspended" then
            if not take_suspension() then return false, "attempt to yield across metamethod/C-call boundary" end
            if can_yield() then
              mark_suspension()
              yield()
            end
            return settle(co, resume(co))
          end
          if ok then return true, ... end
          return false, error_text((...))
        end
        pcall = function(...)
          local f = ...
          if type(f) ~= "function" or is_c_function(f) then return c_pcall(...) end
          local co = create(f)
          managed[co] = true
          return settle(co, resume(co, select(2, ...)))
        end
        do
          -- Bytecode is parsed as text (and fails), as in Redis's Lua.
          local loadstring, concat = loadstring, table.concat
          local function safe_loadstring(s, name)
            if type(s) == "string" and s:byte(1) == 27 then
              local f, e = loadstring(" " .. s, name or s)
              return f, e
            end
            local f, e = loadstring(s, name)
            return f, e
          end
          _G.loadstring = safe_loadstring
          _G.load = function(reader, name)
            local parts = {}
            while true do
              local part = reader()
              if part == nil or part == "" then break end
              if type(part) ~= "string" then return nil, "reader function must return a string" end
              parts[#parts + 1] = part
            end
            return safe_loadstring(concat(parts), name or "=(load)")
          end
        end
        do
          local rawset, rawget, setmetatable, getmetatable, pairs, next, error = rawset, rawget, setmetatable, getmetatable, pairs, next, error
          _G.pairs = function(t)
            local real = proxied(t)
            if real then return next, real, nil end
            local f, s, v = pairs(t)
            return f, s, v
          end
          _G.rawget = function(t, k)
            local result = rawget(proxied(t) or t, k)
            return result
          end
          _G.rawset = function(t, k, v)
            if is_readonly(t) then error("Attempt to modify a readonly table", 0) end
            local result = rawset(t, k, v)
            return result
          end
          _G.setmetatable = function(t, mt)
            if is_readonly(t) then error("Attempt to modify a readonly table", 0) end
            local result = setmetatable(t, mt)
            return result
          end
          _G.getmetatable = function(t)
            if is_readonly(t) then return apparent_metatable(t) end
            local result = getmetatable(t)
            return result
          end
        end
        """

    /// The registry's table of managed coroutines (weak keys): those the
    /// hook may suspend, as `pcall`'s coroutines pass a suspension on.
    static let managedKey = "redi.managed"
    /// The registry's table of read-only proxies (weak keys) to the real table.
    static let proxiesKey = "redi.proxies"
    /// The registry's table of each proxy's apparent metatable.
    static let metatablesKey = "redi.metatables"

    private static func runPrelude(_ interpreter: LuaInterpreter) {
        let lua = interpreter.main
        let pointer = lua.pointer
        for key in [managedKey, proxiesKey, metatablesKey] {
            lua.newTable()
            lua.newTable()
            lua.push("k")
            lua.setField("__mode", in: -2)
            lua_setmetatable(pointer, -2)
            lua_setfield(pointer, LUA_REGISTRYINDEX, key)
        }
        let status = prelude.withCString { redi_loadbuffer(pointer, $0, prelude.utf8.count, preludeSource) }
        precondition(status == 0, "redi's Lua prelude does not compile: \(lua.string(at: -1) ?? "")")
        let context = interpreter.context
        lua.push(LuaRedisLibrary.protectedCall, context: context)
        lua.push(isCFunction, context: context)
        lua.push(takeSuspension, context: context)
        lua.push(markSuspension, context: context)
        lua.push(canYield, context: context)
        lua.push(errorText, context: context)
        lua_getfield(pointer, LUA_REGISTRYINDEX, managedKey)
        lua.push(isReadOnly, context: context)
        lua.push(apparentMetatable, context: context)
        lua.push(proxied, context: context)
        lua_call(pointer, 10, 0)
    }

    /// Replaces each library table and the globals with read-only proxies.
    private static func protectGlobals(_ interpreter: LuaInterpreter) {
        let lua = interpreter.main
        let pointer = lua.pointer
        let context = interpreter.context
        // The real globals: a missing name is an error.
        lua_pushvalue(pointer, LUA_GLOBALSINDEX)
        lua.newTable()
        lua.push(missingGlobal, context: context)
        lua.setField("__index", in: -2)
        // The metatable scripts see on _G: itself read-only.
        lua_pushvalue(pointer, -1)
        lua_setmetatable(pointer, -3)
        let globalsMetatable = lua_gettop(pointer)
        let globals = globalsMetatable - 1
        for name in ["string", "table", "math", "coroutine", "redis", "cjson", "bit", "struct", "cmsgpack"] {
            lua.rawField(name, of: globals)
            guard lua.isTable(-1) else { lua.pop(); continue }
            pushProxy(of: -1, apparentMetatable: nil, interpreter)
            lua_remove(pointer, -2)
            lua.setField(name, in: globals)
        }
        pushProxy(of: globalsMetatable, apparentMetatable: nil, interpreter)
        let metatableProxy = lua_gettop(pointer)
        pushProxy(of: globals, apparentMetatable: metatableProxy, interpreter)
        lua_getmetatable(pointer, -1)
        lua_setfield(pointer, LUA_REGISTRYINDEX, globalsMetatableKey)
        lua_pushvalue(pointer, globals)
        lua_setfield(pointer, LUA_REGISTRYINDEX, globalsKey)
        // _G names the proxy; scripts and the functions compiled from now on see it as their globals.
        lua_pushvalue(pointer, -1)
        lua.setField("_G", in: globals)
        lua_replace(pointer, LUA_GLOBALSINDEX)
        lua.top = 0
    }

    /// Pushes a read-only proxy of the table at `index`, whose
    /// `getmetatable` answers the table at `apparentMetatable` (or nil).
    private static func pushProxy(of index: Int32, apparentMetatable: Int32?, _ interpreter: LuaInterpreter) {
        let lua = interpreter.main
        let pointer = lua.pointer
        let target = index < 0 ? lua_gettop(pointer) + index + 1 : index
        lua.newTable()
        let proxy = lua_gettop(pointer)
        lua.newTable()
        lua_pushvalue(pointer, target)
        lua.setField("__index", in: -2)
        lua.push(readOnlyError, context: interpreter.context)
        lua.setField("__newindex", in: -2)
        lua_setmetatable(pointer, proxy)
        lua_getfield(pointer, LUA_REGISTRYINDEX, proxiesKey)
        lua_pushvalue(pointer, proxy)
        lua_pushvalue(pointer, target)
        lua_rawset(pointer, -3)
        lua.pop()
        if let apparentMetatable {
            lua_getfield(pointer, LUA_REGISTRYINDEX, metatablesKey)
            lua_pushvalue(pointer, proxy)
            lua_pushvalue(pointer, apparentMetatable)
            lua_rawset(pointer, -3)
            lua.pop()
        }
    }

    // MARK: Functions the prelude and the proxies call

    /// Pushes `message` with the position of the Lua code that called the
    /// running C function, as `luaL_error` does.
    static func pushPositioned(_ message: String, _ lua: LuaState) {
        luaL_where(lua.pointer, 1)
        let position = lua.string(at: -1) ?? ""
        lua.pop()
        lua.push(position + message)
    }

    /// `luaL_argerror`'s message for the running C function: `bad argument #2 to 'unpack' (...)`.
    static func argumentError(_ index: Int32, _ message: String, _ lua: LuaState) -> Int32 {
        var record = lua_Debug()
        var name = "?"
        if lua_getstack(lua.pointer, 0, &record) != 0, lua_getinfo(lua.pointer, "n", &record) != 0, let cName = record.name {
            name = String(cString: cName)
        }
        pushPositioned("bad argument #\(index) to '\(name)' (\(message))", lua)
        return -1
    }

    /// `luaL_typerror`'s message: `bad argument #1 to 'f' (string expected, got nil)`.
    static func typeError(_ index: Int32, _ expected: String, _ lua: LuaState) -> Int32 {
        let type = lua.type(at: index)
        let got = type == LUA_TNONE ? "no value" : String(cString: lua_typename(lua.pointer, type))
        return argumentError(index, "\(expected) expected, got \(got)", lua)
    }

    static let readOnlyError: redi_lua_function = { pointer in
        pushPositioned("Attempt to modify a readonly table", LuaState(pointer!))
        return -1
    }

    static let missingGlobal: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let name = lua.string(at: 2) ?? "?"
        pushPositioned("Script attempted to access nonexistent global variable '\(name)'", lua)
        return -1
    }

    static let isReadOnly: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard lua.isTable(1) else { lua.push(false); return 1 }
        lua_getfield(pointer, LUA_REGISTRYINDEX, proxiesKey)
        lua_pushvalue(pointer, 1)
        lua_rawget(pointer, -2)
        let found = !lua.isNil(-1)
        lua.push(found)
        return 1
    }

    static let apparentMetatable: redi_lua_function = { pointer in
        lua_getfield(pointer, LUA_REGISTRYINDEX, metatablesKey)
        lua_pushvalue(pointer, 1)
        lua_rawget(pointer, -2)
        return 1
    }

    /// The real table behind a read-only proxy, or nil.
    static let proxied: redi_lua_function = { pointer in
        lua_getfield(pointer, LUA_REGISTRYINDEX, proxiesKey)
        lua_pushvalue(pointer, 1)
        lua_rawget(pointer, -2)
        return 1
    }

    static let isCFunction: redi_lua_function = { pointer in
        LuaState(pointer!).push(lua_iscfunction(pointer, 1) != 0)
        return 1
    }

    static let takeSuspension: redi_lua_function = { pointer in
        let interpreter = LuaInterpreter.from(pointer)
        LuaState(pointer!).push(interpreter.hookSuspended)
        interpreter.hookSuspended = false
        return 1
    }

    static let markSuspension: redi_lua_function = { pointer in
        LuaInterpreter.from(pointer).hookSuspended = true
        return 0
    }

    static let canYield: redi_lua_function = { pointer in
        let interpreter = LuaInterpreter.from(pointer)
        LuaState(pointer!).push(interpreter.canSuspend && redi_can_yield(pointer) != 0)
        return 1
    }

    /// Redis's `pcall` answers an error table by its `err` text.
    static let errorText: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        lua.top = 1
        if lua.isTable(1) {
            lua.rawField("err", of: 1)
            if lua.isString(-1) { return 1 }
            lua.pop()
        }
        return 1
    }

    // MARK: Checking the yield test

    /// Whether `redi_can_yield` reads this Lua's `lua_State` right: a C
    /// function called from a coroutine's Lua code may yield, one called
    /// through `lua_pcall` may not. If the layout differs, scripts are
    /// never suspended (a long one then holds the engine until it ends).
    static func verifyLayout(_ interpreter: LuaInterpreter) -> Bool {
        let main = interpreter.main
        guard redi_layout_status(main.pointer) == 0, let thread = lua_newthread(main.pointer) else { return false }
        defer { main.top = 0 }
        let probe: redi_lua_function = { pointer in
            let lua = LuaState(pointer!)
            lua.push(redi_can_yield(pointer) != 0)
            lua.push(redi_layout_status(pointer) == lua_status(pointer))
            return 2
        }
        // Called from Lua code in a coroutine: may yield.
        let code = "local probe = ...; return probe()"
        let loaded = code.withCString { redi_loadbuffer(thread, $0, code.utf8.count, "=probe") }
        guard loaded == 0 else { return false }
        LuaState(thread).push(probe, context: nil)
        guard lua_resume(thread, 1) == 0, lua_gettop(thread) == 2 else { return false }
        let free = lua_toboolean(thread, 1) != 0 && lua_toboolean(thread, 2) != 0
        lua_settop(thread, 0)
        // Called through lua_pcall (on the main thread, never resumed): may not.
        main.top = 0
        main.push(probe, context: nil)
        guard lua_pcall(main.pointer, 0, 2, 0) == 0 else { return false }
        let bound = !main.boolean(at: 1) && main.boolean(at: 2)
        return free && bound
    }
}
