import CLua

/// Redis's conversions between replies and Lua values (`script_lua.c`):
/// a command's reply as the script sees it (`redisProtocolToLuaType`, as
/// encoded in the script's RESP version), and a script's result as the
/// client's reply (`luaReplyToRedisReply`).
enum LuaReplies {
    /// How deep a script's reply (and a cmsgpack value) may nest.
    static let maxDepth = 1000

    /// Pushes `reply` as Redis gives it to a script speaking `version`.
    /// - Returns: false when Lua's stack is full (a reply nested too deep).
    static func push(_ reply: Reply, as version: Int, on lua: LuaState) -> Bool {
        guard lua.reserve(4) else { return false }
        switch reply {
        case .integer(let value): lua.push(Double(value))
        case .bulk(let bytes): lua.push(bytes)
        case .status(let text):
            lua.newTable()
            lua.push(text)
            lua.setField("ok", in: -2)
        case .error(let text): lua.pushError("-" + text)
        case .null, .nullArray: if version == 2 { lua.push(false) } else { lua.pushNil() }
        case .boolean(let value): if version == 2 { lua.push(Double(value ? 1 : 0)) } else { lua.push(value) }
        case .double(let value):
            if version == 2 {
                lua.push(Score.format(value))
            } else {
                lua.newTable()
                lua.push(value)
                lua.setField("double", in: -2)
            }
        case .bigNumber(let digits):
            if version == 2 {
                lua.push(digits)
            } else {
                lua.newTable()
                lua.push(digits)
                lua.setField("big_number", in: -2)
            }
        case .verbatim(let format, let text):
            if version == 2 {
                lua.push(text)
            } else {
                lua.newTable()
                lua.newTable()
                lua.push(text)
                lua.setField("string", in: -2)
                lua.push(format)
                lua.setField("format", in: -2)
                lua.setField("verbatim_string", in: -2)
            }
        case .array(let elements), .push(let elements):
            return pushArray(elements, as: version, on: lua)
        case .set(let elements):
            guard version == 3 else { return pushArray(elements, as: version, on: lua) }
            lua.newTable()
            lua.newTable()
            for element in elements {
                guard push(element, as: version, on: lua) else { return false }
                lua.push(true)
                lua_settable(lua.pointer, -3)
            }
            lua.setField("set", in: -2)
        case .map(let elements):
            guard version == 3 else { return pushArray(elements, as: version, on: lua) }
            lua.newTable()
            lua.newTable()
            for pair in stride(from: 0, to: elements.count - 1, by: 2) {
                guard push(elements[pair], as: version, on: lua), push(elements[pair + 1], as: version, on: lua) else { return false }
                lua_settable(lua.pointer, -3)
            }
            lua.setField("map", in: -2)
        case .pairs(let elements):
            guard version == 3 else { return pushArray(elements, as: version, on: lua) }
            let pairs = stride(from: 0, to: elements.count - 1, by: 2).map { Reply.array([elements[$0], elements[$0 + 1]]) }
            return pushArray(pairs, as: version, on: lua)
        }
        return true
    }

    private static func pushArray(_ elements: [Reply], as version: Int, on lua: LuaState) -> Bool {
        lua.newTable(arrayCount: Int32(clamping: elements.count))
        for (index, element) in elements.enumerated() {
            guard push(element, as: version, on: lua) else { return false }
            lua.setRawIndex(Int32(clamping: index + 1), in: -2)
        }
        return true
    }

    /// The value on top of `lua` as the reply to the script's caller, for a
    /// script speaking `version`; the value is popped.
    static func reply(from lua: LuaState, version: Int, depth: Int = 0) -> Reply {
        defer { lua.pop() }
        // Redis stops where Lua's stack runs out (a table that holds itself); this stops sooner, as deep as a thread's stack allows.
        guard depth < maxDepth, lua.reserve(4) else { return .error("ERR reached lua stack limit") }
        let type = lua.type(at: -1)
        if let scalar = scalarReply(lua, type: type) { return scalar }
        switch type {
        case LUA_TBOOLEAN:
            let value = lua.boolean(at: -1)
            if version == 2 { return value ? .integer(1) : .null }
            return .boolean(value)
        case LUA_TTABLE:
            return tableReply(lua, version: version, depth: depth)
        default:
            return .null
        }
    }

    /// A string's or a number's reply, for the value of `type` on top (not
    /// popped); `nil` for any other type.
    private static func scalarReply(_ lua: LuaState, type: Int32) -> Reply? {
        switch type {
        case LUA_TSTRING: return .bulk(lua.bytes(at: -1) ?? Bytes())
        case LUA_TNUMBER: return .integer(truncated(lua.number(at: -1)))
        default: return nil
        }
    }

    /// A table: an error (`err`), a status (`ok`), RESP3's `double`,
    /// `big_number`, `verbatim_string`, `map` and `set`, else an array up
    /// to its first nil. Fields are read raw: a metatable is never called.
    private static func tableReply(_ lua: LuaState, version: Int, depth: Int) -> Reply {
        lua.rawField("err", of: -1)
        if lua.type(at: -1) == LUA_TSTRING {
            lua.pop()
            return .error(errorText(lua).text)
        }
        lua.pop()
        lua.rawField("ok", of: -1)
        if lua.type(at: -1) == LUA_TSTRING {
            let text = lua.string(at: -1) ?? ""
            lua.pop()
            return .status(String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
        }
        lua.pop()
        lua.rawField("double", of: -1)
        if lua.type(at: -1) == LUA_TNUMBER {
            let value = lua.number(at: -1)
            lua.pop()
            return .double(value)
        }
        lua.pop()
        lua.rawField("big_number", of: -1)
        if lua.type(at: -1) == LUA_TSTRING {
            let digits = lua.string(at: -1) ?? ""
            lua.pop()
            return .bigNumber(String(digits.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
        }
        lua.pop()
        lua.rawField("verbatim_string", of: -1)
        if lua.isTable(-1) {
            lua.rawField("format", of: -1)
            lua.rawField("string", of: -2)
            if lua.type(at: -2) == LUA_TSTRING, lua.type(at: -1) == LUA_TSTRING {
                let format = lua.string(at: -2) ?? ""
                let text = lua.bytes(at: -1) ?? Bytes()
                lua.pop(3)
                return .verbatim(format: String(format.prefix(3)), text: text)
            }
            lua.pop(2)
        }
        lua.pop()
        lua.rawField("map", of: -1)
        if lua.isTable(-1) {
            var elements: [Reply] = []
            lua.pushNil()
            while lua_next(lua.pointer, -2) != 0 {
                lua_pushvalue(lua.pointer, -2)
                elements.append(reply(from: lua, version: version, depth: depth + 1))
                elements.append(reply(from: lua, version: version, depth: depth + 1))
            }
            lua.pop()
            return .map(elements)
        }
        lua.pop()
        lua.rawField("set", of: -1)
        if lua.isTable(-1) {
            var elements: [Reply] = []
            lua.pushNil()
            while lua_next(lua.pointer, -2) != 0 {
                lua.pop()
                lua_pushvalue(lua.pointer, -1)
                elements.append(reply(from: lua, version: version, depth: depth + 1))
            }
            lua.pop()
            return .set(elements)
        }
        lua.pop()
        var elements: [Reply] = []
        // The length operator's border is where a table without holes ends (a guess otherwise: the loop decides).
        elements.reserveCapacity(min(lua_objlen(lua.pointer, -1), 1 << 16))
        var index: Int32 = 1
        while true {
            lua.rawIndex(index, of: -1)
            let type = lua.type(at: -1)
            if type == LUA_TNIL {
                lua.pop()
                return .array(elements)
            }
            // Numbers and strings, most of what scripts return, without the nested call.
            if let scalar = scalarReply(lua, type: type) {
                elements.append(scalar)
                lua.pop()
            } else {
                elements.append(reply(from: lua, version: version, depth: depth + 1))
            }
            index += 1
        }
    }

    /// The error a table on top describes (Redis's `luaExtractErrorInformation`):
    /// its `err` text and, when set, the `source` and `line` it came from.
    static func errorText(_ lua: LuaState) -> (text: String, source: String?, line: String?) {
        var text = "(null)"
        if lua.isString(-1) { text = "ERR " + (lua.string(at: -1) ?? "") }
        guard lua.isTable(-1) else { return (text, nil, nil) }
        func field(_ name: String) -> String? {
            lua.rawField(name, of: -1)
            defer { lua.pop() }
            return lua.isString(-1) ? lua.string(at: -1) : nil
        }
        return (field("err") ?? text, field("source"), field("line"))
    }

    /// Whether the value on top is an error table marked as counted
    /// already (`ignore_error_stats_update`: the error of a command the
    /// script called, passed on).
    static func isCountedError(_ lua: LuaState) -> Bool {
        guard lua.isTable(-1) else { return false }
        lua.rawField("err", of: -1)
        lua.rawField("ignore_error_stats_update", of: -2)
        defer { lua.pop(2) }
        return lua.isString(-2) && lua.type(at: -1) == LUA_TBOOLEAN && lua.boolean(at: -1)
    }

    /// `(long long)` of a Lua number, as C on x86-64 makes it: out of range
    /// and NaN become the smallest integer.
    static func truncated(_ value: Double) -> Int64 {
        guard value.isFinite, value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else { return .min }
        return Int64(value)
    }
}
