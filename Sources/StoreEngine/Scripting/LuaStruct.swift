import CLua

/// `struct`, the binary packing library Redis gives scripts (Roberto
/// Ierusalimschy's; Debian has no package of it): `pack(fmt, ...)`,
/// `unpack(fmt, s [, pos])` and `size(fmt)`, with its format options
/// (`<` `>` `!n` endianness and alignment, `b B h H l L T i[n] I[n]`
/// integers, `f d` floats, `c[n]` and `s` strings, `x` padding) as on
/// x86-64 (little-endian, `long` of 8 bytes) and its errors.
enum LuaStruct {
    static let maxIntegerSize = 32
    static let maxAlignment = 8

    static func install(in interpreter: LuaInterpreter) {
        let lua = interpreter.main
        lua.newTable()
        for (name, function) in [("pack", pack), ("unpack", unpack), ("size", size)] {
            lua.push(function, context: interpreter.context)
            lua.setField(name, in: -2)
        }
        lua.setField("struct", in: LUA_GLOBALSINDEX)
    }

    /// A format being read: its bytes, the position, the byte order and alignment so far.
    private struct Format {
        let bytes: [UInt8]
        var index = 0
        var littleEndian = true
        var alignment = 1

        var isAtEnd: Bool { index >= bytes.count || bytes[index] == 0 }

        mutating func next() -> UInt8 {
            defer { index += 1 }
            return bytes[index]
        }

        /// The digits that follow, or `otherwise`.
        mutating func number(otherwise: Int) throws(StructError) -> Int {
            guard !isAtEnd, (48...57).contains(bytes[index]) else { return otherwise }
            var value = 0
            while !isAtEnd, (48...57).contains(bytes[index]) {
                let digit = Int(bytes[index] - 48)
                if value > Int(Int32.max) / 10 || value * 10 > Int(Int32.max) - digit { throw .positioned("integral size overflow") }
                value = value * 10 + digit
                index += 1
            }
            return value
        }

        /// The size an option takes (0 for the control options).
        mutating func size(of option: UInt8) throws(StructError) -> Int {
            switch option {
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "x"): return 1
            case UInt8(ascii: "h"), UInt8(ascii: "H"): return 2
            case UInt8(ascii: "l"), UInt8(ascii: "L"), UInt8(ascii: "T"), UInt8(ascii: "d"): return 8
            case UInt8(ascii: "f"): return 4
            case UInt8(ascii: "c"): return try number(otherwise: 1)
            case UInt8(ascii: "i"), UInt8(ascii: "I"):
                let size = try number(otherwise: 4)
                if size > LuaStruct.maxIntegerSize {
                    throw .positioned("integral size \(size) is larger than limit of \(LuaStruct.maxIntegerSize)")
                }
                return size
            default: return 0
            }
        }

        /// Padding before an item of `size` at `position`.
        func padding(at position: Int, option: UInt8, size: Int) -> Int {
            guard size != 0, option != UInt8(ascii: "c") else { return 0 }
            let unit = min(size, alignment)
            return (unit - (position & (unit - 1))) & (unit - 1)
        }

        /// The byte order and alignment options; anything else is invalid.
        mutating func control(_ option: UInt8) throws(StructError) {
            switch option {
            case UInt8(ascii: " "): return
            case UInt8(ascii: ">"): littleEndian = false
            case UInt8(ascii: "<"): littleEndian = true
            case UInt8(ascii: "!"):
                let alignment = try number(otherwise: LuaStruct.maxAlignment)
                guard alignment > 0, alignment & (alignment - 1) == 0 else { throw .positioned("alignment \(alignment) is not a power of 2") }
                self.alignment = alignment
            default:
                throw .argument(1, "invalid format option '\(Character(Unicode.Scalar(option)))'")
            }
        }
    }

    private enum StructError: Error {
        case positioned(String)
        case argument(Int32, String)
        case type(Int32, String)
        case stack(String)
    }

    private static func raise(_ error: StructError, _ lua: LuaState) -> Int32 {
        switch error {
        case .positioned(let message): LuaSandbox.pushPositioned(message, lua); return -1
        case .argument(let index, let message): return LuaSandbox.argumentError(index, message, lua)
        case .type(let index, let expected): return LuaSandbox.typeError(index, expected, lua)
        case .stack(let message): LuaSandbox.pushPositioned("stack overflow (\(message))", lua); return -1
        }
    }

    private static func format(_ lua: LuaState) throws(StructError) -> Format {
        guard lua.isString(1), let bytes = lua.bytes(at: 1) else { throw .type(1, "string") }
        return Format(bytes: bytes.array)
    }

    private static func number(_ index: Int32, _ lua: LuaState) throws(StructError) -> Double {
        guard lua_isnumber(lua.pointer, index) != 0 else { throw .type(index, "number") }
        return lua.number(at: index)
    }

    private static func string(_ index: Int32, _ lua: LuaState) throws(StructError) -> [UInt8] {
        guard lua.isString(index), let bytes = lua.bytes(at: index) else { throw .type(index, "string") }
        return bytes.array
    }

    // MARK: pack, unpack, size

    static let pack: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        do throws(StructError) {
            var format = try format(lua)
            var output: [UInt8] = []
            var argument: Int32 = 2
            while !format.isAtEnd {
                let option = format.next()
                var size = try format.size(of: option)
                output += Array(repeating: 0, count: format.padding(at: output.count, option: option, size: size))
                switch option {
                case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "l"),
                     UInt8(ascii: "L"), UInt8(ascii: "T"), UInt8(ascii: "i"), UInt8(ascii: "I"):
                    let value = try number(argument, lua)
                    argument += 1
                    var bits = value < 0 ? UInt64(bitPattern: LuaReplies.truncated(value)) : (value < 1.8446744073709552e19 ? UInt64(value) : 0)
                    var bytes: [UInt8] = []
                    for _ in 0..<size {
                        bytes.append(UInt8(truncatingIfNeeded: bits))
                        bits >>= 8
                    }
                    output += format.littleEndian ? bytes : bytes.reversed()
                case UInt8(ascii: "x"):
                    output.append(0)
                case UInt8(ascii: "f"):
                    let bits = Float(try number(argument, lua)).bitPattern
                    argument += 1
                    let bytes = (0..<4).map { UInt8(truncatingIfNeeded: bits >> UInt32($0 * 8)) }
                    output += format.littleEndian ? bytes : bytes.reversed()
                case UInt8(ascii: "d"):
                    let bits = try number(argument, lua).bitPattern
                    argument += 1
                    let bytes = (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64($0 * 8)) }
                    output += format.littleEndian ? bytes : bytes.reversed()
                case UInt8(ascii: "c"), UInt8(ascii: "s"):
                    let text = try string(argument, lua)
                    argument += 1
                    if size == 0 { size = text.count }
                    // (Its check names the argument after the string, as the original does.)
                    guard text.count >= size else { throw .argument(argument, "string too short") }
                    output += text.prefix(size)
                    if option == UInt8(ascii: "s") {
                        output.append(0)
                        size += 1
                    }
                default:
                    try format.control(option)
                }
            }
            lua.push(Bytes(output))
            return 1
        } catch {
            return raise(error, lua)
        }
    }

    static let unpack: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        do throws(StructError) {
            var format = try format(lua)
            let data = try string(2, lua)
            var position = 1
            if lua.type(at: 3) > LUA_TNIL { position = Int(LuaReplies.truncated(try number(3, lua))) }
            guard position > 0 else { throw .argument(3, "offset must be 1 or greater") }
            position -= 1
            var results: Int32 = 0
            while !format.isAtEnd {
                let option = format.next()
                var size = try format.size(of: option)
                position += format.padding(at: position, option: option, size: size)
                guard size <= data.count, position <= data.count - size else { throw .argument(2, "data string too short") }
                guard lua.reserve(2) else { throw .stack("too many results") }
                switch option {
                case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "l"),
                     UInt8(ascii: "L"), UInt8(ascii: "T"), UInt8(ascii: "i"), UInt8(ascii: "I"):
                    var bytes = Array(data[position..<(position + size)])
                    if format.littleEndian { bytes.reverse() }
                    let bits = bytes.reduce(UInt64(0)) { $0 &<< 8 | UInt64($1) }
                    if (97...122).contains(option) {
                        let mask = UInt64.max &<< UInt64((size * 8 - 1) & 63)
                        lua.push(Double(Int64(bitPattern: bits & mask != 0 ? bits | mask : bits)))
                    } else {
                        lua.push(Double(bits))
                    }
                    results += 1
                case UInt8(ascii: "x"):
                    break
                case UInt8(ascii: "f"), UInt8(ascii: "d"):
                    var bytes = Array(data[position..<(position + size)])
                    if !format.littleEndian { bytes.reverse() }
                    let bits = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    lua.push(option == UInt8(ascii: "f") ? Double(Float(bitPattern: UInt32(bits))) : Double(bitPattern: bits))
                    results += 1
                case UInt8(ascii: "c"):
                    if size == 0 {
                        guard results > 0, lua_isnumber(lua.pointer, -1) != 0 else { throw .positioned("format 'c0' needs a previous size") }
                        size = Int(LuaReplies.truncated(lua.number(at: -1)))
                        lua.pop()
                        results -= 1
                        guard size >= 0, size <= data.count, position <= data.count - size else { throw .argument(2, "data string too short") }
                    }
                    lua.push(Bytes(data[position..<(position + size)]))
                    results += 1
                case UInt8(ascii: "s"):
                    guard let end = data[position...].firstIndex(of: 0) else { throw .positioned("unfinished string in data") }
                    size = end - position + 1
                    lua.push(Bytes(data[position..<end]))
                    results += 1
                default:
                    try format.control(option)
                }
                position += size
            }
            lua.push(Double(position + 1))
            return results + 1
        } catch {
            return raise(error, lua)
        }
    }

    static let size: redi_lua_function = { pointer in
        let lua = LuaState(pointer!)
        do throws(StructError) {
            var format = try format(lua)
            var position = 0
            while !format.isAtEnd {
                let option = format.next()
                let size = try format.size(of: option)
                position += format.padding(at: position, option: option, size: size)
                if option == UInt8(ascii: "s") { throw .argument(1, "option 's' has no fixed size") }
                if option == UInt8(ascii: "c") && size == 0 { throw .argument(1, "option 'c0' has no fixed size") }
                let isAlphanumeric = (48...57).contains(option) || (65...90).contains(option) || (97...122).contains(option)
                if !isAlphanumeric { try format.control(option) }
                position += size
            }
            lua.push(Double(position))
            return 1
        } catch {
            return raise(error, lua)
        }
    }
}
