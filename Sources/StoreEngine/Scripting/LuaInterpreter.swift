import CLua

/// Redis's Lua environment (`eval.c`'s `lctx`, `script_lua.c`): one Lua 5.1
/// state with Redis's libraries and sandbox, the scripts EVAL and SCRIPT
/// LOAD compiled into it (by SHA-1), and the run of one script at a time.
///
/// A script runs in a coroutine of the state, so that a run past
/// `busy-reply-threshold` can be suspended by the count hook and resumed on
/// the engine's next turn while other clients are answered BUSY (Redis
/// instead re-enters its event loop from the hook). Lua 5.1 cannot resume a
/// C function, so `pcall` is a coroutine too (`LuaPrelude`), and a suspension
/// inside it passes up to the script's own coroutine.
final class LuaInterpreter {
    /// EVAL's scripts or FUNCTION's libraries: each has a Lua state of its
    /// own, as in Redis.
    enum Kind {
        case eval, functions
    }

    let kind: Kind
    /// The main thread: libraries, globals, the compiled scripts.
    let main: LuaState
    /// The store scripts' commands run in.
    unowned let engine: Engine
    /// EVAL's scripts by their SHA-1 (lower case): body and shebang flags.
    private(set) var scripts: [String: LuaScript] = [:]
    /// The bytes the cached scripts' bodies and names take (INFO's `used_memory_scripts_eval`).
    private(set) var scriptsMemory = 0
    /// Redis's `redisLrand48`, behind `math.random`: one sequence per
    /// process, the same from every start.
    var random = RedisRandom()
    /// A finished run's thread, kept for the next.
    private var idleThread: LuaThread?
    /// Set by the hook just before it suspends a coroutine (`pcall`'s
    /// coroutine tells a suspension from a `coroutine.yield` by it).
    var hookSuspended = false
    /// Whether `redi_can_yield` reads this Lua's layout right (checked at start).
    private(set) var canSuspend = false
    /// FUNCTION LOAD's libraries by name, and their functions by name (functions only).
    var libraries: [String: LuaLibrary] = [:]
    /// (Function names are found in any case, as in Redis.)
    var functions: [String: LuaFunction] = [:]
    /// The library FUNCTION LOAD is running, which `redis.register_function` adds to.
    var loading: LuaLibrary?
    /// When that load began (it may take `LuaLibrary.loadTimeout`).
    var loadStarted: ContinuousClock.Instant?

    /// A thread with a reference in the registry that keeps it alive.
    struct LuaThread {
        let state: LuaState
        let reference: Int32
    }

    init(engine: Engine, kind: Kind = .eval) {
        self.engine = engine
        self.kind = kind
        guard let pointer = luaL_newstate() else { fatalError("Lua could not allocate its state") }
        main = LuaState(pointer)
        lua_pushlightuserdata(pointer, context)
        lua_setfield(pointer, LUA_REGISTRYINDEX, LuaInterpreter.registryKey)
        LuaSandbox.install(in: self)
        canSuspend = LuaSandbox.verifyLayout(self)
    }

    deinit {
        lua_close(main.pointer)
    }

    /// The pointer Swift functions receive as their context (`redi_context`).
    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Where the registry keeps the interpreter, for the hook (which has no upvalues).
    static let registryKey = "redi.interpreter"

    /// The interpreter of a Lua state, from its registry.
    static func of(_ pointer: OpaquePointer?) -> LuaInterpreter {
        lua_getfield(pointer, LUA_REGISTRYINDEX, registryKey)
        let context = lua_touserdata(pointer, -1)
        redi_pop(pointer, 1)
        return Unmanaged<LuaInterpreter>.fromOpaque(context!).takeUnretainedValue()
    }

    /// The interpreter a Swift function was pushed with.
    static func from(_ pointer: OpaquePointer?) -> LuaInterpreter {
        Unmanaged<LuaInterpreter>.fromOpaque(redi_context(pointer)!).takeUnretainedValue()
    }

    // MARK: The script cache

    /// Compiles `body` (EVAL, SCRIPT LOAD) unless cached, as Redis's `luaCreateFunction`.
    /// - Returns: its SHA-1.
    func load(_ body: Bytes) throws(CommandError) -> String {
        let sha = SHA1.hex(body.array)
        if scripts[sha] != nil { return sha }
        let shebang = try ScriptFlags.parseShebang(body)
        // The shebang's line is skipped, its line feed kept: line numbers stay the user's.
        if let error = compile(body.array.dropFirst(shebang.length), chunk: "@user_script") {
            throw CommandError("ERR Error compiling script (new function): \(error)")
        }
        lua_setfield(main.pointer, LUA_REGISTRYINDEX, "f_" + sha)
        scripts[sha] = LuaScript(body: body, flags: shebang.flags)
        scriptsMemory += body.count + 40
        return sha
    }

    /// Compiles `code` into a function on top of the main stack.
    /// - Returns: Lua's error, popped, if it does not compile.
    func compile(_ code: ArraySlice<UInt8>, chunk: String) -> String? {
        // Redis's Lua parses everything as text: precompiled bytecode, which
        // can break the VM, fails to parse. A leading space does that here.
        let code = code.first == 0x1B ? [32] + code : code
        let status = code.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return redi_loadbuffer(main.pointer, "", 0, chunk) }
            return redi_loadbuffer(main.pointer, base.assumingMemoryBound(to: CChar.self), buffer.count, chunk)
        }
        guard status != 0 else { return nil }
        let message = main.string(at: -1) ?? "unknown error"
        main.pop()
        return message
    }

    /// The cached script `sha` (any case), or `nil`.
    func script(_ sha: Bytes) -> (sha: String, script: LuaScript)? {
        guard sha.count == 40 else { return nil }
        let lower = sha.asciiLowercased().description
        return scripts[lower].map { (lower, $0) }
    }

    /// Forgets every cached script (SCRIPT FLUSH): their functions go with the next collection.
    func flushScripts() {
        for sha in scripts.keys {
            main.pushNil()
            lua_setfield(main.pointer, LUA_REGISTRYINDEX, "f_" + sha)
        }
        scripts = [:]
        scriptsMemory = 0
        lua_gc(main.pointer, LUA_GCCOLLECT, 0)
    }

    /// The memory Lua uses, in bytes (INFO's `used_memory_lua`).
    var memory: Int { Int(lua_gc(main.pointer, LUA_GCCOUNT, 0)) * 1024 + Int(lua_gc(main.pointer, LUA_GCCOUNTB, 0)) }

    // MARK: Threads

    /// A thread to run a script in: the last finished one, or a new one.
    func takeThread() -> LuaThread {
        if let idle = idleThread {
            idleThread = nil
            return idle
        }
        guard let pointer = lua_newthread(main.pointer) else { fatalError("Lua could not allocate a thread") }
        let reference = luaL_ref(main.pointer, LUA_REGISTRYINDEX)
        return LuaThread(state: LuaState(pointer), reference: reference)
    }

    /// Gives a thread back: kept if it ended normally, else released.
    func returnThread(_ thread: LuaThread, reusable: Bool) {
        if reusable && idleThread == nil {
            thread.state.top = 0
            idleThread = thread
        } else {
            luaL_unref(main.pointer, LUA_REGISTRYINDEX, thread.reference)
        }
    }

    /// Pushes the compiled script `sha` on `thread`.
    func pushScript(_ sha: String, on thread: LuaState) {
        lua_getfield(main.pointer, LUA_REGISTRYINDEX, "f_" + sha)
        lua_xmove(main.pointer, thread.pointer, 1)
    }

    /// Pushes an array of strings on `thread`.
    func pushArray(_ values: ArraySlice<Bytes>, on thread: LuaState) {
        thread.newTable(arrayCount: Int32(values.count))
        for (index, value) in values.enumerated() {
            thread.push(value)
            thread.setRawIndex(Int32(index + 1), in: -2)
        }
    }

    /// Sets the globals `KEYS` and `ARGV` (behind the read-only globals).
    func setArguments(keys: ArraySlice<Bytes>, arguments: ArraySlice<Bytes>) {
        for (name, values) in [("KEYS", keys), ("ARGV", arguments)] {
            pushArray(values, on: main)
            main.setField(name, in: LUA_GLOBALSINDEX)
        }
    }
}

/// A script in EVAL's cache.
struct LuaScript {
    let body: Bytes
    let flags: ScriptFlags
}

/// Redis's `redisLrand48`/`redisSrand48` (`rand.c`): the 48-bit linear
/// congruential generator of `lrand48`, so that `math.random` gives the
/// same numbers as Redis's.
struct RedisRandom {
    private var state: UInt64 = 0x1234_ABCD_330E

    /// The next number, 0 through 2^31 - 1.
    mutating func next() -> Int32 {
        state = (0x5_DEEC_E66D &* state &+ 0xB) & 0xFFFF_FFFF_FFFF
        return Int32(truncatingIfNeeded: state >> 17)
    }

    mutating func seed(_ value: Int32) {
        state = UInt64(UInt32(bitPattern: value)) << 16 | 0x330E
    }
}
