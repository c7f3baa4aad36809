import CLua

/// A library of functions (FUNCTION LOAD), after Redis's `functions.c`:
/// its code, whose `#!lua name=...` line names it, and the functions its
/// code registered with `redis.register_function` while it loaded.
final class LuaLibrary {
    let name: String
    /// The whole payload FUNCTION LOAD got, shebang included (FUNCTION LIST WITHCODE, DUMP, snapshots).
    let code: Bytes
    /// Its functions, in the order they were registered.
    var functions: [LuaFunction] = []

    /// How long a library's code may run while it loads (Redis's `LOAD_TIMEOUT_MS`).
    static let loadTimeout = Duration.milliseconds(500)

    init(name: String, code: Bytes) {
        self.name = name
        self.code = code
    }

    /// Redis's `functionExtractLibMetaData`: the engine and name of the
    /// first line, and where the code after that line starts.
    static func metadata(of code: Bytes) throws(CommandError) -> (engine: String, name: String, bodyStart: Int) {
        let bytes = code.array
        guard bytes.starts(with: [35, 33]) else { throw CommandError("ERR Missing library metadata") }
        guard let end = bytes.prefix(while: { $0 != 0 }).firstIndex(of: 10) else { throw CommandError("ERR Invalid library metadata") }
        guard let parts = InlineCommand.split(bytes[..<end]), let first = parts.first else {
            throw CommandError("ERR Invalid library metadata")
        }
        let engine = String(decoding: first.array.dropFirst(2), as: UTF8.self)
        var name: String?
        for part in parts.dropFirst() {
            guard part.array.prefix(5).map({ $0 | 0x20 }) == Array("name=".utf8) else {
                throw CommandError("ERR Invalid metadata value given: \(part.cString)")
            }
            guard name == nil else { throw CommandError("ERR Invalid metadata value, name argument was given multiple times") }
            name = String(decoding: part.array.dropFirst(5), as: UTF8.self)
        }
        guard let name else { throw CommandError("ERR Library name was not given") }
        return (engine, name, end)
    }

    /// Redis's `functionsVerifyName`: letters, digits and underscores, at least one.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    static let invalidName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

    // MARK: redis.register_function

    /// `redis.register_function(name, callback)` or `redis.register_function{function_name=...,
    /// callback=..., flags={...}, description=...}`, only while FUNCTION LOAD runs the library's code.
    static let registerFunction: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let interpreter = LuaInterpreter.from(pointer)
        guard let library = interpreter.loading else {
            lua.pushError("redis.register_function can only be called on FUNCTION LOAD command")
            return -1
        }
        let arguments: (name: String, description: Bytes?, flags: ScriptFlags, reference: Int32)
        switch readArguments(lua) {
        case .success(let read): arguments = read
        case .failure(let error):
            lua.top = 0
            lua.pushError(error.message)
            return -1
        }
        let refuse = { (message: String) -> Int32 in
            luaL_unref(pointer, LUA_REGISTRYINDEX, arguments.reference)
            lua.top = 0
            lua.pushError(message)
            return -1
        }
        guard isValidName(arguments.name) else { return refuse(invalidName) }
        guard !library.functions.contains(where: { $0.name == arguments.name }) else {
            return refuse("Function already exists in the library")
        }
        library.functions.append(LuaFunction(
            name: arguments.name, description: arguments.description, flags: arguments.flags,
            reference: arguments.reference, library: library))
        return 0
    }

    struct RegistrationError: Error {
        let message: String
    }

    private static func readArguments(_ lua: LuaState) -> Result<(name: String, description: Bytes?, flags: ScriptFlags, reference: Int32), RegistrationError> {
        let count = lua.top
        guard count == 1 || count == 2 else { return .failure(.init(message: "wrong number of arguments to redis.register_function")) }
        if count == 2 {
            guard lua.isString(1), let name = lua.string(at: 1) else {
                return .failure(.init(message: "first argument to redis.register_function must be a string"))
            }
            guard lua.type(at: 2) == LUA_TFUNCTION else {
                return .failure(.init(message: "second argument to redis.register_function must be a function"))
            }
            return .success((name, nil, [], luaL_ref(lua.pointer, LUA_REGISTRYINDEX)))
        }
        guard lua.isTable(1) else {
            return .failure(.init(message: "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."))
        }
        var name: String?
        var description: Bytes?
        var flags: ScriptFlags = []
        var reference: Int32?
        func fail(_ message: String) -> Result<(name: String, description: Bytes?, flags: ScriptFlags, reference: Int32), RegistrationError> {
            if let reference { luaL_unref(lua.pointer, LUA_REGISTRYINDEX, reference) }
            return .failure(.init(message: message))
        }
        lua.pushNil()
        while lua_next(lua.pointer, 1) != 0 {
            // The key is read without converting it: lua_tolstring would change a number key under lua_next.
            guard lua.type(at: -2) == LUA_TSTRING, let key = lua.string(at: -2)?.lowercased() else {
                return fail("named argument key given to redis.register_function is not a string")
            }
            switch key {
            case "function_name":
                guard lua.isString(-1) else { return fail("function_name argument given to redis.register_function must be a string") }
                name = lua.string(at: -1)
            case "description":
                guard lua.isString(-1) else { return fail("description argument given to redis.register_function must be a string") }
                description = lua.bytes(at: -1)
            case "callback":
                guard lua.type(at: -1) == LUA_TFUNCTION else { return fail("callback argument given to redis.register_function must be a function") }
                if let reference { luaL_unref(lua.pointer, LUA_REGISTRYINDEX, reference) }
                reference = luaL_ref(lua.pointer, LUA_REGISTRYINDEX)
                continue
            case "flags":
                guard lua.isTable(-1) else {
                    return fail("flags argument to redis.register_function must be a table representing function flags")
                }
                var index: Int32 = 1
                while true {
                    lua.rawIndex(index, of: -1)
                    defer { lua.pop() }
                    if lua.isNil(-1) { break }
                    guard lua.isString(-1), let text = lua.string(at: -1)?.lowercased(),
                          let flag = ScriptFlags.names.first(where: { $0.0 == text })?.1 else { return fail("unknown flag given") }
                    flags.insert(flag)
                    index += 1
                }
            default:
                return fail("unknown argument given to redis.register_function")
            }
            lua.pop()
        }
        guard let name else { return fail("redis.register_function must get a function name argument") }
        guard let reference else { return fail("redis.register_function must get a callback argument") }
        return .success((name, description, flags, reference))
    }
}

/// A function of a library: FCALL calls its callback with KEYS and ARGV.
final class LuaFunction {
    let name: String
    let description: Bytes?
    let flags: ScriptFlags
    /// The callback, in the registry of the functions' Lua state.
    let reference: Int32
    unowned let library: LuaLibrary

    init(name: String, description: Bytes?, flags: ScriptFlags, reference: Int32, library: LuaLibrary) {
        self.name = name
        self.description = description
        self.flags = flags
        self.reference = reference
        self.library = library
    }
}

extension LuaInterpreter {
    /// FUNCTION LOAD [REPLACE]: runs the library's code so that it registers
    /// its functions, then puts it in place of one of the same name
    /// (`replace`), as Redis's `functionsCreateWithLibraryCtx`.
    /// - Returns: the library's name.
    func loadLibrary(_ code: Bytes, replace: Bool) throws(CommandError) -> String {
        let metadata = try LuaLibrary.metadata(of: code)
        guard LuaLibrary.isValidName(metadata.name) else { throw CommandError("ERR " + LuaLibrary.invalidName) }
        guard metadata.engine.lowercased() == "lua" else { throw CommandError("ERR Engine '\(metadata.engine)' not found") }
        let old = libraries[metadata.name]
        if old != nil && !replace { throw CommandError("ERR Library '\(metadata.name)' already exists") }
        let library = LuaLibrary(name: metadata.name, code: code)
        if let error = compile(code.array.dropFirst(metadata.bodyStart), chunk: "@user_function") {
            throw CommandError("ERR Error compiling function: \(error)")
        }
        loading = library
        loadStarted = .now
        LuaSandbox.setLoading(true, self)
        redi_set_hook(main.pointer, LuaHook.check, Engine.hookInterval)
        let status = lua_pcall(main.pointer, 0, 0, 0)
        redi_set_hook(main.pointer, nil, 0)
        LuaSandbox.setLoading(false, self)
        loading = nil
        loadStarted = nil
        func discard() {
            for function in library.functions { luaL_unref(main.pointer, LUA_REGISTRYINDEX, function.reference) }
        }
        guard status == 0 else {
            let message = LuaReplies.errorText(main).text
            main.top = 0
            discard()
            throw CommandError("ERR Error registering functions: \(message)")
        }
        guard !library.functions.isEmpty else {
            discard()
            throw CommandError("ERR No functions registered")
        }
        if let clash = library.functions.first(where: { functions[$0.name.lowercased()].map { $0.library !== old } ?? false }) {
            discard()
            throw CommandError("ERR Function \(clash.name) already exists")
        }
        if let old { unlink(old) }
        libraries[library.name] = library
        for function in library.functions { functions[function.name.lowercased()] = function }
        return library.name
    }

    /// Removes a library and its functions.
    func unlink(_ library: LuaLibrary) {
        for function in library.functions {
            functions[function.name.lowercased()] = nil
            luaL_unref(main.pointer, LUA_REGISTRYINDEX, function.reference)
        }
        libraries[library.name] = nil
    }

    /// Pushes function `function`'s callback on `thread`.
    func pushFunction(_ function: LuaFunction, on thread: LuaState) {
        lua_rawgeti(main.pointer, LUA_REGISTRYINDEX, function.reference)
        lua_xmove(main.pointer, thread.pointer, 1)
    }
}
