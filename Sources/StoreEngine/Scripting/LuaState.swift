import CLua

/// A Lua thread's stack, with the macros of `lua.h` Swift cannot import and
/// binary-safe strings. Nothing here raises a Lua error: only the C
/// trampolines of `Modules/CLua` do (a longjmp must not cross Swift frames).
struct LuaState {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    var top: Int32 {
        get { lua_gettop(pointer) }
        nonmutating set { lua_settop(pointer, newValue) }
    }

    func pop(_ count: Int32 = 1) { redi_pop(pointer, count) }
    func type(at index: Int32) -> Int32 { lua_type(pointer, index) }
    func isNil(_ index: Int32) -> Bool { lua_type(pointer, index) == LUA_TNIL }
    func isTable(_ index: Int32) -> Bool { lua_type(pointer, index) == LUA_TTABLE }
    /// Whether the value is a string or a number (Lua's `lua_isstring`).
    func isString(_ index: Int32) -> Bool { lua_isstring(pointer, index) != 0 }

    func push(_ bytes: Bytes) {
        bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress {
                lua_pushlstring(pointer, base.assumingMemoryBound(to: CChar.self), buffer.count)
            } else {
                lua_pushlstring(pointer, "", 0)
            }
        }
    }

    func push(_ text: String) {
        push(Bytes(text))
    }

    func push(_ number: Double) { lua_pushnumber(pointer, number) }
    func push(_ flag: Bool) { lua_pushboolean(pointer, flag ? 1 : 0) }
    func pushNil() { lua_pushnil(pointer) }
    func newTable(arrayCount: Int32 = 0, fieldCount: Int32 = 0) { lua_createtable(pointer, arrayCount, fieldCount) }

    /// Pushes a function written in Swift (see `redi_push_function`).
    func push(_ function: redi_lua_function, context: UnsafeMutableRawPointer?) {
        redi_push_function(pointer, function, context)
    }

    /// The bytes of the string (or number, as Lua prints it) at `index`; `nil` for other types.
    func bytes(at index: Int32) -> Bytes? {
        var length = 0
        guard let text = lua_tolstring(pointer, index, &length) else { return nil }
        return Bytes(UnsafeRawBufferPointer(start: text, count: length))
    }

    /// The string at `index` as text (invalid UTF-8 repaired).
    func string(at index: Int32) -> String? {
        var length = 0
        guard let text = lua_tolstring(pointer, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    func number(at index: Int32) -> Double { lua_tonumber(pointer, index) }
    func boolean(at index: Int32) -> Bool { lua_toboolean(pointer, index) != 0 }

    /// `table[name] = top`, popping the value; no metamethods.
    func setField(_ name: String, in table: Int32) {
        let table = table < 0 && table > LUA_REGISTRYINDEX ? table - 1 : table
        push(name)
        lua_insert(pointer, -2)
        lua_rawset(pointer, table)
    }

    /// Pushes `table[name]`, with no metamethods.
    func rawField(_ name: String, of table: Int32) {
        let table = table < 0 && table > LUA_REGISTRYINDEX ? table - 1 : table
        push(name)
        lua_rawget(pointer, table)
    }

    /// Pushes `table[index]`, with no metamethods.
    func rawIndex(_ index: Int32, of table: Int32) { lua_rawgeti(pointer, table, index) }

    /// Pops the top into `table[index]`, with no metamethods.
    func setRawIndex(_ index: Int32, in table: Int32) { lua_rawseti(pointer, table, index) }

    /// Makes room for `count` more values; false when Lua's stack limit is reached.
    func reserve(_ count: Int32) -> Bool { lua_checkstack(pointer, count) != 0 }

    /// Pushes Redis's error table, `{err = "CODE message"}`, as `luaPushErrorBuff`
    /// makes it: a text starting with `-` keeps its code, another gets `ERR`;
    /// trailing CR and LF are trimmed.
    func pushError(_ text: String) {
        var code = "ERR"
        var message = Substring(text)
        if message.hasPrefix("-") {
            message = message.dropFirst()
            if let space = message.firstIndex(of: " ") {
                code = String(message[..<space])
                message = message[message.index(after: space)...]
            }
        }
        while let last = message.unicodeScalars.last, last == "\r" || last == "\n" { message = message.dropLast() }
        while let first = message.unicodeScalars.first, first == "\r" || first == "\n" { message = message.dropFirst() }
        newTable()
        push("\(code) \(message)")
        setField("err", in: -2)
    }
}
