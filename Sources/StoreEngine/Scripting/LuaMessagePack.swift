import CLua

/// `cmsgpack`, the MessagePack library Redis gives scripts (Debian has no
/// package of it): `pack(...)`, `unpack(s)`, `unpack_one(s [, offset])`,
/// `unpack_limit(s, limit [, offset])`, with Redis's encodings (integers in
/// the smallest form, a number that fits a float as a float, a table with
/// keys 1..n as an array, tables nested past 16 levels as nil) and errors.
enum LuaMessagePack {
    static let maxNesting = 16

    static func install(in interpreter: LuaInterpreter) {
        let lua = interpreter.main
        lua.newTable()
        for (name, function) in [("pack", pack), ("unpack", unpack), ("unpack_one", unpackOne), ("unpack_limit", unpackLimit)] {
            lua.push(function, context: interpreter.context)
            lua.setField(name, in: -2)
        }
        for (name, text) in [
            ("_NAME", "cmsgpack"), ("_VERSION", "lua-cmsgpack 0.4.0"),
            ("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"), ("_DESCRIPTION", "MessagePack C implementation for Lua"),
        ] {
            lua.push(text)
            lua.setField(name, in: -2)
        }
        lua.setField("cmsgpack", in: LUA_GLOBALSINDEX)
    }

    // MARK: Packing

    static let pack: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        let count = lua.top
        guard count > 0 else { return LuaSandbox.argumentError(0, "MessagePack pack needs input.", lua) }
        var output: [UInt8] = []
        for index in 1...count {
            guard lua.reserve(4) else { return LuaSandbox.argumentError(0, "Too many arguments for MessagePack pack.", lua) }
            lua_pushvalue(pointer, index)
            encode(lua, into: &output, level: 0)
        }
        lua.push(Bytes(output))
        return 1
    }

    /// Encodes the value on top and pops it.
    private static func encode(_ lua: LuaState, into output: inout [UInt8], level: Int) {
        defer { lua.pop() }
        var type = lua.type(at: -1)
        if type == LUA_TTABLE && level == maxNesting { type = LUA_TNIL }
        switch type {
        case LUA_TSTRING:
            let bytes = lua.bytes(at: -1) ?? Bytes()
            let count = bytes.count
            if count < 32 {
                output.append(0xA0 | UInt8(count))
            } else if count <= 0xFF {
                output += [0xD9, UInt8(count)]
            } else if count <= 0xFFFF {
                output.append(0xDA)
                appendBigEndian(UInt64(count), bytes: 2, to: &output)
            } else {
                output.append(0xDB)
                appendBigEndian(UInt64(count), bytes: 4, to: &output)
            }
            output += bytes.array
        case LUA_TBOOLEAN:
            output.append(lua.boolean(at: -1) ? 0xC3 : 0xC2)
        case LUA_TNUMBER:
            let number = lua.number(at: -1)
            if number.isFinite, number >= -9_223_372_036_854_775_808.0, number < 9_223_372_036_854_775_808.0, Double(Int64(number)) == number {
                encodeInteger(Int64(number), into: &output)
            } else if Double(Float(number)) == number || number.isNaN && Float(number).isNaN {
                output.append(0xCA)
                appendBigEndian(UInt64(Float(number).bitPattern), bytes: 4, to: &output)
            } else {
                output.append(0xCB)
                appendBigEndian(number.bitPattern, bytes: 8, to: &output)
            }
        case LUA_TTABLE:
            guard lua.reserve(3) else { output.append(0xC0); return }
            if isArray(lua) {
                let count = Int(lua_objlen(lua.pointer, -1))
                header(count, small: 0x90, medium: 0xDC, large: 0xDD, into: &output)
                if count > 0 {
                    for index in 1...count {
                        lua.rawIndex(Int32(clamping: index), of: -1)
                        encode(lua, into: &output, level: level + 1)
                    }
                }
            } else {
                var count = 0
                lua.pushNil()
                while lua_next(lua.pointer, -2) != 0 {
                    lua.pop()
                    count += 1
                }
                header(count, small: 0x80, medium: 0xDE, large: 0xDF, into: &output)
                lua.pushNil()
                while lua_next(lua.pointer, -2) != 0 {
                    lua_pushvalue(lua.pointer, -2)
                    encode(lua, into: &output, level: level + 1)
                    encode(lua, into: &output, level: level + 1)
                }
            }
        default:
            output.append(0xC0)
        }
    }

    /// Whether the table on top has exactly the keys 1 to n.
    private static func isArray(_ lua: LuaState) -> Bool {
        var count = 0.0, largest = 0.0
        lua.pushNil()
        while lua_next(lua.pointer, -2) != 0 {
            lua.pop()
            let key = lua.number(at: -1)
            guard lua.type(at: -1) == LUA_TNUMBER, key > 0, key < 2_147_483_648, key == key.rounded(.towardZero) else {
                lua.pop()
                return false
            }
            largest = max(largest, key)
            count += 1
        }
        return largest == count
    }

    private static func header(_ count: Int, small: UInt8, medium: UInt8, large: UInt8, into output: inout [UInt8]) {
        if count <= 15 {
            output.append(small | UInt8(count))
        } else if count <= 0xFFFF {
            output.append(medium)
            appendBigEndian(UInt64(count), bytes: 2, to: &output)
        } else {
            output.append(large)
            appendBigEndian(UInt64(count), bytes: 4, to: &output)
        }
    }

    private static func encodeInteger(_ value: Int64, into output: inout [UInt8]) {
        let raw = UInt64(bitPattern: value)
        if value >= 0 {
            switch value {
            case 0...127: output.append(UInt8(value))
            case 128...0xFF: output += [0xCC, UInt8(value)]
            case 0x100...0xFFFF: output.append(0xCD); appendBigEndian(raw, bytes: 2, to: &output)
            case 0x1_0000...0xFFFF_FFFF: output.append(0xCE); appendBigEndian(raw, bytes: 4, to: &output)
            default: output.append(0xCF); appendBigEndian(raw, bytes: 8, to: &output)
            }
        } else {
            switch value {
            case -32 ... -1: output.append(UInt8(truncatingIfNeeded: value))
            case -128 ... -33: output += [0xD0, UInt8(truncatingIfNeeded: value)]
            case -32768 ... -129: output.append(0xD1); appendBigEndian(raw, bytes: 2, to: &output)
            case -2_147_483_648 ... -32769: output.append(0xD2); appendBigEndian(raw, bytes: 4, to: &output)
            default: output.append(0xD3); appendBigEndian(raw, bytes: 8, to: &output)
            }
        }
    }

    private static func appendBigEndian(_ value: UInt64, bytes: Int, to output: inout [UInt8]) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    // MARK: Unpacking

    static let unpack: redi_lua_function = { pointer in unpack(LuaState(pointer!), limit: 0, offset: 0) }

    static let unpackOne: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard let offset = optionalInteger(2, lua) else { return -1 }
        if lua.top > 1 { lua.top = 1 }
        return unpack(lua, limit: 1, offset: offset)
    }

    static let unpackLimit: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        guard lua_isnumber(pointer, 2) != 0 else { return LuaSandbox.typeError(2, "number", lua) }
        let limit = Int64(LuaReplies.truncated(lua.number(at: 2)))
        guard let offset = optionalInteger(3, lua) else { return -1 }
        if lua.top > 1 { lua.top = 1 }
        return unpack(lua, limit: limit, offset: offset)
    }

    /// `luaL_optinteger`: the integer at `index`, 0 if none; nil after pushing the error.
    private static func optionalInteger(_ index: Int32, _ lua: LuaState) -> Int64? {
        if lua.type(at: index) <= LUA_TNIL { return 0 }
        guard lua_isnumber(lua.pointer, index) != 0 else {
            _ = LuaSandbox.typeError(index, "number", lua)
            return nil
        }
        return LuaReplies.truncated(lua.number(at: index))
    }

    private enum DecodeError: Error {
        case missingBytes, badFormat, stackFull, badKey(String)
        /// Nested deeper than a thread's stack allows (Redis's Lua stack runs out there).
        case nested(String)
    }

    private static func unpack(_ lua: LuaState, limit: Int64, offset: Int64) -> Int32 {
        guard lua.isString(1), let input = lua.bytes(at: 1)?.array else { return LuaSandbox.typeError(1, "string", lua) }
        let decodeAll = limit == 0 && offset == 0
        if offset < 0 || limit < 0 {
            LuaSandbox.pushPositioned("Invalid request to unpack with offset of \(Int32(truncatingIfNeeded: offset)) and limit of \(Int32(truncatingIfNeeded: input.count)).", lua)
            return -1
        }
        if offset > Int64(input.count) {
            LuaSandbox.pushPositioned("Start offset \(Int32(truncatingIfNeeded: offset)) greater than input length \(Int32(truncatingIfNeeded: input.count)).", lua)
            return -1
        }
        var position = Int(offset)
        var count: Int32 = 0
        let most = decodeAll ? Int64(Int32.max) : limit
        while position < input.count && Int64(count) < most {
            do throws(DecodeError) {
                try decode(input, at: &position, on: lua)
            } catch {
                switch error {
                case .missingBytes: LuaSandbox.pushPositioned("Missing bytes in input.", lua)
                case .badFormat: LuaSandbox.pushPositioned("Bad data format in input.", lua)
                case .stackFull:
                    LuaSandbox.pushPositioned("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)", lua)
                case .badKey(let message): lua.push(message)
                case .nested(let function): LuaSandbox.pushPositioned("stack overflow (\(function))", lua)
                }
                return -1
            }
            count += 1
        }
        guard !decodeAll else { return count }
        guard lua.reserve(1) else { return -1 }
        lua.push(Double(position == input.count ? -1 : position))
        lua_insert(lua.pointer, 2)
        return count + 1
    }

    private static func decode(_ input: [UInt8], at position: inout Int, on lua: LuaState, depth: Int = 0) throws(DecodeError) {
        func need(_ count: Int) throws(DecodeError) {
            guard input.count - position >= count else { throw .missingBytes }
        }
        func bigEndian(_ count: Int, from start: Int) -> UInt64 {
            input[start..<(start + count)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        try need(1)
        guard lua.reserve(3) else { throw .stackFull }
        let type = input[position]
        switch type {
        case 0xCC, 0xCD, 0xCE, 0xCF:
            let size = 1 << Int(type - 0xCC)
            try need(1 + size)
            lua.push(Double(bigEndian(size, from: position + 1)))
            position += 1 + size
        case 0xD0, 0xD1, 0xD2, 0xD3:
            let size = 1 << Int(type - 0xD0)
            try need(1 + size)
            let raw = bigEndian(size, from: position + 1)
            let shift = UInt64(64 - size * 8)
            lua.push(Double(Int64(bitPattern: raw << shift) >> Int64(shift)))
            position += 1 + size
        case 0xC0: lua.pushNil(); position += 1
        case 0xC3: lua.push(true); position += 1
        case 0xC2: lua.push(false); position += 1
        case 0xCA:
            try need(5)
            lua.push(Double(Float(bitPattern: UInt32(bigEndian(4, from: position + 1)))))
            position += 5
        case 0xCB:
            try need(9)
            lua.push(Double(bitPattern: bigEndian(8, from: position + 1)))
            position += 9
        case 0xD9, 0xDA, 0xDB:
            let size = type == 0xD9 ? 1 : type == 0xDA ? 2 : 4
            try need(1 + size)
            let length = Int(bigEndian(size, from: position + 1))
            position += 1 + size
            try need(length)
            lua.push(Bytes(input[position..<(position + length)]))
            position += length
        case 0xDC, 0xDD, 0xDE, 0xDF:
            let size = type == 0xDC || type == 0xDE ? 2 : 4
            try need(1 + size)
            let length = Int(bigEndian(size, from: position + 1))
            position += 1 + size
            if type == 0xDC || type == 0xDD {
                try decodeArray(length, input, at: &position, on: lua, depth: depth)
            } else {
                try decodeMap(length, input, at: &position, on: lua, depth: depth)
            }
        case 0x00...0x7F: lua.push(Double(type)); position += 1
        case 0xE0...0xFF: lua.push(Double(Int8(bitPattern: type))); position += 1
        case 0xA0...0xBF:
            let length = Int(type & 0x1F)
            try need(1 + length)
            lua.push(Bytes(input[(position + 1)..<(position + 1 + length)]))
            position += 1 + length
        case 0x90...0x9F:
            position += 1
            try decodeArray(Int(type & 0x0F), input, at: &position, on: lua, depth: depth)
        case 0x80...0x8F:
            position += 1
            try decodeMap(Int(type & 0x0F), input, at: &position, on: lua, depth: depth)
        default:
            throw .badFormat
        }
    }

    private static func decodeArray(_ count: Int, _ input: [UInt8], at position: inout Int, on lua: LuaState, depth: Int) throws(DecodeError) {
        guard depth < LuaReplies.maxDepth else { throw .nested("in function mp_decode_to_lua_array") }
        lua.newTable()
        var index = 1.0
        for _ in 0..<count {
            lua.push(index)
            index += 1
            try decode(input, at: &position, on: lua, depth: depth + 1)
            lua_rawset(lua.pointer, -3)
        }
    }

    private static func decodeMap(_ count: Int, _ input: [UInt8], at position: inout Int, on lua: LuaState, depth: Int) throws(DecodeError) {
        guard depth < LuaReplies.maxDepth else { throw .nested("in function mp_decode_to_lua_hash") }
        lua.newTable()
        for _ in 0..<count {
            try decode(input, at: &position, on: lua, depth: depth + 1)
            try decode(input, at: &position, on: lua, depth: depth + 1)
            // lua_rawset would raise for these (across this Swift frame): the same error, raised by the trampoline.
            if lua.isNil(-2) { throw .badKey("table index is nil") }
            if lua.type(at: -2) == LUA_TNUMBER && lua.number(at: -2).isNaN { throw .badKey("table index is NaN") }
            lua_rawset(lua.pointer, -3)
        }
    }
}
