import CLua

/// A script's run, as Redis's `scriptRunCtx`: who called it, what it may
/// do, when it began, whether it timed out, was killed or wrote.
final class ScriptRun {
    /// The session whose EVAL runs it.
    let caller: Session
    /// Its SHA-1 (EVAL) or function name (FCALL), for errors and the log.
    let name: String
    let isEval: Bool
    /// EVAL_RO, or a script that declared `no-writes`: write commands are refused.
    let readOnly: Bool
    /// The Lua state it runs in (EVAL's or the functions'), and its coroutine there.
    let interpreter: LuaInterpreter
    let thread: LuaInterpreter.LuaThread
    /// The command that started it (FUNCTION STATS shows it).
    let command: [Bytes]
    /// The monotonic start, for `busy-reply-threshold`.
    let started = ContinuousClock.now
    /// How long it has run, in whole milliseconds (FUNCTION STATS, the slow-script warning).
    var milliseconds: Int64 {
        let elapsed = (ContinuousClock.now - started).components
        return elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
    }
    /// The script's "now" (Unix ms): the same for all its commands, so keys do not expire mid-script.
    let time: Int64
    /// Whether it may be suspended when it runs long (its front end can wait).
    let maySuspend: Bool
    /// Past `busy-reply-threshold`: other sessions are answered BUSY.
    var timedOut = false
    /// SCRIPT KILL asked: the next hook raises.
    var killed = false
    /// It ran a write command (Redis's `SCRIPT_WRITE_DIRTY`): it can no longer be killed.
    var wrote = false
    /// Suspended by the hook; the host resumes it on its next turn.
    var suspended = false
    /// `redis.set_repl`: whether its writes are propagated.
    var propagates = true
    /// It declared `allow-oom`: its commands run past `maxmemory`.
    var allowsOOM = false

    init(
        caller: Session, name: String, isEval: Bool, readOnly: Bool, interpreter: LuaInterpreter,
        thread: LuaInterpreter.LuaThread, command: [Bytes], time: Int64, maySuspend: Bool
    ) {
        self.caller = caller
        self.interpreter = interpreter
        self.command = command
        self.name = name
        self.isEval = isEval
        self.readOnly = readOnly
        self.thread = thread
        self.time = time
        self.maySuspend = maySuspend
    }
}

/// The memory of scripts and functions, in bytes (INFO's `used_memory_lua`...).
public struct ScriptingMemory: Sendable {
    public let evalVM: Int
    public let evalScripts: Int
    public let cachedScripts: Int
    public let functionsVM: Int
    public let functions: Int
    public let libraries: Int
    public let librariesCode: Int
}

/// Running scripts, after Redis's `script.c`: the checks a command called
/// from a script passes (`scriptCall`), the run and its end, and what
/// happens when one runs past `busy-reply-threshold`: it is suspended
/// every 100,000 Lua instructions, other sessions get BUSY (but for the
/// `allow_busy` commands: SCRIPT KILL, SHUTDOWN NOSAVE...), and the host
/// resumes it on its next turn until it ends or SCRIPT KILL stops it.
extension Engine {
    /// How often the hook checks the clock, in Lua instructions (as Redis).
    static let hookInterval: Int32 = 100_000

    /// What scripts and functions hold, as INFO's `# Memory` reports it.
    public var scriptingMemory: ScriptingMemory {
        ScriptingMemory(
            evalVM: evalInterpreter?.memory ?? 0, evalScripts: evalInterpreter?.scriptsMemory ?? 0,
            cachedScripts: evalInterpreter?.scripts.count ?? 0, functionsVM: functionsInterpreter?.memory ?? 0,
            functions: functionsInterpreter?.functions.count ?? 0, libraries: functionsInterpreter?.libraries.count ?? 0,
            librariesCode: functionsInterpreter?.libraries.values.reduce(0) { $0 + $1.code.count } ?? 0)
    }

    /// Whether a script is suspended mid-run, waiting for `resumeScript`.
    public var hasSuspendedScript: Bool { scriptRun?.suspended == true }

    /// Runs a script for EVAL or FCALL: `prepare` pushes what to call and
    /// its arguments on the coroutine and says how many arguments. The
    /// reply, or none yet if the script was suspended (the caller is then
    /// blocked until it ends).
    func runScript(
        in interpreter: LuaInterpreter, name: String, command: [Bytes], isEval: Bool, readOnly: Bool, allowsOOM: Bool,
        prepare: (LuaState) -> Int32
    ) -> Reply {
        let caller = session
        let thread = interpreter.takeThread()
        let arguments = prepare(thread.state)
        let run = ScriptRun(
            caller: caller, name: name, isEval: isEval, readOnly: readOnly, interpreter: interpreter, thread: thread,
            command: command, time: now, maySuspend: caller.canBlock && callDepth == 1)
        run.allowsOOM = allowsOOM
        scriptSession.database = caller.database
        scriptSession.protocolVersion = 2
        scriptRun = run
        if busyReplyThreshold > 0 { redi_set_hook(thread.state.pointer, LuaHook.check, Engine.hookInterval) }
        let status = lua_resume(thread.state.pointer, arguments)
        return settle(run, status: status) ?? .null
    }

    /// Resumes the suspended script for another slice; when it ends, its
    /// reply goes to its caller's front end and its events and
    /// propagations are handed on, as after any command.
    public func resumeScript() {
        guard let run = scriptRun, run.suspended else { return }
        run.suspended = false
        if session !== scriptSession { session = scriptSession }
        if scriptSession.database != selectedDatabase { use(scriptSession.database) }
        now = run.time
        callDepth += 1
        let status = lua_resume(run.thread.state.pointer, 0)
        let reply = settle(run, status: status)
        callDepth -= 1
        guard let reply else { return }
        // EVAL's own call ended when the script was suspended: its failure is counted now.
        if case .error(let text) = reply, let entry = commandEntry(for: run.command) {
            commandCounters[statisticSlot(entry, run.command)].failed += 1
            if errorAlreadyCounted { errorAlreadyCounted = false } else { countError(text) }
        }
        flushPropagation()
        if !readyKeys.isEmpty { serveBlockedSessions() }
        events.deliver()
        run.caller.whenUnblocked?(reply)
    }

    /// After `lua_resume`: `nil` while the script is suspended, else its reply.
    private func settle(_ run: ScriptRun, status: Int32) -> Reply? {
        let thread = run.thread.state
        let lua = run.interpreter
        if status == LUA_YIELD && lua.hookSuspended {
            lua.hookSuspended = false
            run.suspended = true
            run.caller.waitsForScript = true
            return nil
        }
        var reply: Reply
        var counted = false
        switch status {
        case 0:
            if thread.top == 0 { thread.pushNil() }
            lua_settop(thread.pointer, 1)
            counted = LuaReplies.isCountedError(thread)
            reply = LuaReplies.reply(from: thread, version: scriptSession.protocolVersion)
        case LUA_YIELD:
            reply = .error("ERR attempt to yield across metamethod/C-call boundary")
        default:
            counted = LuaReplies.isCountedError(thread)
            reply = scriptError(run)
        }
        // The error of a command the script called was counted when it arose.
        if reply.isError && counted { errorAlreadyCounted = true }
        redi_set_hook(thread.pointer, nil, 0)
        lua.returnThread(run.thread, reusable: status == 0)
        scriptRun = nil
        run.caller.waitsForScript = false
        // SELECT in a script does not leak out.
        if run.caller.database != selectedDatabase { use(run.caller.database) }
        session = run.caller
        scriptsRun += 1
        if scriptsRun % 50 == 0 { lua_gc(lua.main.pointer, LUA_GCSTEP, 50) }
        if case .error(let text) = reply { reply = .error(Engine.singleLine(text)) }
        return reply
    }

    /// The error that ended a script, as Redis's error handler and
    /// `luaCallFunction` word it: `ERR user_script:1: ... script: <sha>, on @user_script:1.`
    private func scriptError(_ run: ScriptRun) -> Reply {
        let thread = run.thread.state
        // Where it failed: the function that raised, or its Lua caller if that was C.
        var record = lua_Debug()
        var source: String?
        var line: Int32 = 0
        // (Redis's error handler looks one level up from a C function; the
        // prelude's own functions, standing in for Redis's C ones, are skipped too.)
        var level: Int32 = 0
        while lua_getstack(thread.pointer, level, &record) != 0, lua_getinfo(thread.pointer, "Sl", &record) != 0 {
            level += 1
            let what = record.what.map { String(cString: $0) }
            let chunk = record.source.map { String(cString: $0) }
            if (level == 1 && what == "C") || what == "tail" || chunk == LuaSandbox.preludeSource { continue }
            source = chunk
            line = record.currentline
            break
        }
        var message: String
        if thread.isTable(-1) {
            let info = LuaReplies.errorText(thread)
            message = info.text
            if let errorSource = info.source, let errorLine = info.line { source = errorSource; line = Int32(errorLine) ?? line }
        } else {
            let text = thread.isString(-1) ? (thread.string(at: -1) ?? "") : luaTypeName(thread)
            message = "ERR " + text
        }
        if let source { message += " script: \(run.name), on \(source):\(line)." }
        return .error(message)
    }

    private func luaTypeName(_ thread: LuaState) -> String {
        thread.isNil(-1) ? "nil" : String(cString: lua_typename(thread.pointer, thread.type(at: -1)))
    }

    /// A command a script calls (`redis.call`): Redis's `scriptCall`
    /// checks, then the processor's `call` in the script's session.
    func scriptCall(_ command: [Bytes]) -> Reply {
        guard let run = scriptRun else { return .error("ERR redis.call can only be called inside a script invocation") }
        guard let entry = commandEntry(for: command) else { return rejectFromScript("ERR Unknown Redis command called from script", nil, command) }
        return checkScriptCall(entry, command, run)
    }

    /// Redis's `scriptCall` checks, then the call.
    private func checkScriptCall(_ entry: Entry, _ command: [Bytes], _ run: ScriptRun) -> Reply {
        let arityFits = entry.spec.acceptsArity(command.count) && (entry.isContainer ? entry.spec.refusal(of: command) == nil : true)
        guard arityFits else { return rejectFromScript("ERR Wrong number of args calling Redis command from script", entry, command) }
        guard !entry.has("noscript", command, else: entry.refusedInScript) else {
            return rejectFromScript("ERR This Redis command is not allowed from script", entry, command)
        }
        let isWrite = entry.has("write", command, else: entry.isWrite)
        if run.readOnly && (isWrite || entry.mayReplicate) {
            return rejectFromScript("ERR Write commands are not allowed from read-only scripts.", entry, command)
        }
        if isWrite && !run.wrote && !hasEnoughReplicas { return rejectFromScript(Engine.noReplicasError, entry, command) }
        if isWrite && !run.wrote, let refusal = appendOnlyWriteRefusal { return rejectFromScript(refusal, entry, command) }
        if outOfMemory && maxMemory > 0 && !run.wrote && !run.allowsOOM && entry.has("denyoom", command, else: entry.deniesOnOOM) {
            return rejectFromScript(Engine.outOfMemoryError, entry, command)
        }
        if isWrite { run.wrote = true }
        let propagated = pendingPropagation.count
        let reply = call(entry, command, in: scriptSession)
        // redis.set_repl(redis.REPL_NONE): what it wrote goes nowhere.
        if !run.propagates { pendingPropagation.removeSubrange(propagated...) }
        return reply
    }

    /// Whether a command line writes, as Redis's `processCommand` judges
    /// it: a `write` command, an EXEC of queued writes, a script or function
    /// that does not declare `no-writes` (one without a shebang is judged by
    /// its commands as they run).
    func writes(_ entry: Entry, _ command: [Bytes], in session: Session) -> Bool {
        judge(entry, command, in: session, flag: "write", plain: \.isWrite) { !$0.contains(.noWrites) }
    }

    /// Whether a command line may add data (Redis's `denyoom`), refused when
    /// memory is past `maxmemory`: so are EXEC of such commands, and
    /// scripts and functions declaring neither `no-writes` nor `allow-oom`.
    func deniesOnOOM(_ entry: Entry, _ command: [Bytes], in session: Session) -> Bool {
        judge(entry, command, in: session, flag: "denyoom", plain: \.deniesOnOOM) { $0.isDisjoint(with: [.noWrites, .allowOOM]) }
    }

    /// Redis's way of giving a command line a flag before it runs: its own
    /// (a container's subcommand's), any queued command's for EXEC, a
    /// script's or function's from what it declared.
    private func judge(
        _ entry: Entry, _ command: [Bytes], in session: Session, flag: String, plain: KeyPath<Entry, Bool>,
        script: (ScriptFlags) -> Bool
    ) -> Bool {
        if entry.has(flag, command, else: entry[keyPath: plain]) { return true }
        if entry.isExec {
            return session.queued?.contains { queued in
                commandEntry(for: queued).map { judge($0, queued, in: session, flag: flag, plain: plain, script: script) } ?? false
            } ?? false
        }
        return scriptFlags(of: command).map(script) ?? false
    }

    /// The declared flags of the script or function EVAL, EVALSHA or FCALL
    /// names (`nil` for other commands and scripts without a shebang).
    private func scriptFlags(of command: [Bytes]) -> ScriptFlags? {
        let name = command[0].asciiLowercased()
        guard command.count >= 2 else { return nil }
        if name == "fcall" || name == "fcall_ro" {
            return functionsInterpreter?.functions[command[1].cString.lowercased()]?.flags
        }
        guard name == "eval" || name == "eval_ro" || name == "evalsha" || name == "evalsha_ro" else { return nil }
        let flags: ScriptFlags?
        if name.description.hasPrefix("evalsha") {
            flags = evalInterpreter?.script(command[1])?.script.flags
        } else {
            flags = evalInterpreter?.script(Bytes(SHA1.hex(command[1].array)))?.script.flags ?? (try? ScriptFlags.parseShebang(command[1]).flags)
        }
        guard let flags, !flags.contains(.evalCompatibility) else { return nil }
        return flags
    }

    /// A command a script called, refused: counted as rejected, its error in `errorstats`.
    private func rejectFromScript(_ error: Reply, _ entry: Entry?, _ command: [Bytes]) -> Reply {
        if let entry { commandCounters[statisticSlot(entry, command)].rejected += 1 }
        if case .error(let text) = error { countError(text) }
        return error
    }

    private func rejectFromScript(_ text: String, _ entry: Entry?, _ command: [Bytes]) -> Reply {
        rejectFromScript(.error(text), entry, command)
    }

    /// The table's entry for a command line, or `nil` for an unknown
    /// command or a container's unknown subcommand (Redis's `lookupCommand`).
    func commandEntry(for command: [Bytes]) -> Entry? {
        guard let name = command.first, let entry = commands[name] else { return nil }
        if entry.isContainer, command.count >= 2, entry.spec.subcommand(named: command[1]) == nil { return nil }
        return entry
    }

    /// SCRIPT KILL (`isEval`) and FUNCTION KILL: stops a suspended script
    /// that has not written, as Redis's `scriptKill`.
    func killScript(isEval: Bool) throws(CommandError) -> Reply {
        guard let run = scriptRun else { throw CommandError("NOTBUSY No scripts in execution right now.") }
        if run.wrote {
            throw CommandError(
                "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
            )
        }
        if isEval && !run.isEval { throw CommandError(Engine.busyFunctionError) }
        if !isEval && run.isEval { throw CommandError(Engine.busyScriptError) }
        run.killed = true
        return .ok
    }

    /// BUSY, while a script runs past `busy-reply-threshold`; `nil` otherwise.
    public var busyScriptError: Reply? {
        guard let run = scriptRun, run.timedOut else { return nil }
        return run.isEval ? Engine.busyScriptError : Engine.busyFunctionError
    }

    /// Stops the long script session `id` waits for, as SCRIPT KILL or
    /// FUNCTION KILL would (a front end's Ctrl-C).
    /// - Returns: whether it will stop (not one that wrote).
    public func killScript(of id: SessionID) -> Bool {
        guard let run = scriptRun, run.caller.id == id else { return false }
        return (try? killScript(isEval: run.isEval)) != nil
    }

    static let busyScriptError = Reply.error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    static let busyFunctionError = Reply.error("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
}

/// The count hook (Redis's `luaMaskCountHook`): past `busy-reply-threshold`
/// the script is timed out and suspended at each check, so the host can
/// answer others; once killed it raises at every line, so `pcall` cannot
/// keep it alive.
enum LuaHook {
    static let check: redi_lua_function = { pointer in
        let interpreter = LuaInterpreter.of(pointer)
        let engine = interpreter.engine
        let lua = LuaState(pointer!)
        if let started = interpreter.loadStarted {
            guard ContinuousClock.now - started > LuaLibrary.loadTimeout else { return Int32(REDI_HOOK_CONTINUE) }
            redi_set_hook(pointer, LuaHook.check, 0)
            lua.pushError("FUNCTION LOAD timeout")
            return Int32(REDI_HOOK_RAISE)
        }
        guard let run = engine.scriptRun else { return Int32(REDI_HOOK_CONTINUE) }
        if run.killed {
            // Every line from now on raises, in this coroutine and in the
            // script's (new coroutines take its hook), so pcall cannot go on.
            redi_set_hook(pointer, LuaHook.check, 0)
            redi_set_hook(run.thread.state.pointer, LuaHook.check, 0)
            lua.pushError("Script killed by user with SCRIPT KILL...")
            return Int32(REDI_HOOK_RAISE)
        }
        if !run.timedOut {
            let milliseconds = run.milliseconds
            guard milliseconds >= engine.busyReplyThreshold else { return Int32(REDI_HOOK_CONTINUE) }
            run.timedOut = true
            engine.log?(3, "Slow script detected: still in execution after \(milliseconds) milliseconds. You can try killing the script using the \(run.isEval ? "SCRIPT KILL" : "FUNCTION KILL") command. Script name is: \(run.name).")
        }
        guard run.maySuspend, interpreter.canSuspend, redi_can_yield(pointer) != 0, isManaged(lua, run) else {
            return Int32(REDI_HOOK_CONTINUE)
        }
        interpreter.hookSuspended = true
        return Int32(REDI_HOOK_YIELD)
    }

    /// Whether the running thread is the script's own or a `pcall` coroutine (whose resumer passes a suspension on).
    private static func isManaged(_ lua: LuaState, _ run: ScriptRun) -> Bool {
        if lua.pointer == run.thread.state.pointer { return true }
        lua_getfield(lua.pointer, LUA_REGISTRYINDEX, LuaSandbox.managedKey)
        lua_pushthread(lua.pointer)
        lua_rawget(lua.pointer, -2)
        let managed = !lua.isNil(-1)
        lua.pop(2)
        return managed
    }
}
