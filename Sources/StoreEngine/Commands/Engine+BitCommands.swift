/// SETBIT, GETBIT and BITCOUNT, after Redis's `bitops.c`: bit 0 is the most
/// significant bit of the first byte.
extension Engine {
    /// Redis's `getBitOffsetFromArgument`: a bit offset within proto-max-bulk-len bytes.
    private static func bitOffset(_ argument: Bytes) -> Int64? {
        guard let offset = argument.int64Value, offset >= 0, offset >> 3 < maxStringLength else { return nil }
        return offset
    }

    private static let badOffset = Reply.error("ERR bit offset is not an integer or out of range")

    func setbit(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let offset = Self.bitOffset(args[2]) else { return Self.badOffset }
        let badBit = Reply.error("ERR bit is not an integer or out of range")
        guard let on = args[3].int64Value else { return badBit }
        if on & ~1 != 0 { return badBit }
        let key = args[1]
        let slot = lookup(key)
        var bytes: [UInt8] = []
        if let slot {
            bytes = try keyspace.value(at: slot).stringBytes().array
        }
        let byte = Int(offset >> 3)
        let grown = bytes.count <= byte
        if grown { bytes.append(contentsOf: repeatElement(0, count: byte + 1 - bytes.count)) }
        let mask = UInt8(1) << UInt8(7 - offset & 7)
        let wasSet = bytes[byte] & mask != 0
        if slot == nil || grown || wasSet != (on == 1) {
            if on == 1 { bytes[byte] |= mask } else { bytes[byte] &= ~mask }
            store(key, .rawString(Bytes(bytes)), at: slot, keepTTL: true)
            signalWrite(.setbit, key)
        }
        return wasSet ? .one : .zero
    }

    func getbit(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let offset = Self.bitOffset(args[2]) else { return Self.badOffset }
        guard let bytes = try readString(args[1]) else { return .zero }
        let byte = Int(offset >> 3)
        return bytes.withUnsafeBytes { raw in
            byte < raw.count && raw[byte] & (UInt8(1) << UInt8(7 - offset & 7)) != 0 ? .one : .zero
        }
    }

    /// BITCOUNT key [start end [BYTE | BIT]]. A missing key counts 0 before
    /// the range is even read, as in Redis.
    func bitcount(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let string = try readString(args[1]) else { return .zero }
        let length = Int64(string.count)
        var start: Int64 = 0, end = length - 1
        var firstMask: UInt8 = 0, lastMask: UInt8 = 0
        if args.count == 4 || args.count == 5 {
            guard let first = args[2].int64Value, let last = args[3].int64Value else { return .notInteger }
            (start, end) = (first, last)
            if start < 0 && end < 0 && start > end { return .zero }
            var isBit = false
            if args.count == 5 {
                if args[4].equalsIgnoringCase("BIT") { isBit = true } else if !args[4].equalsIgnoringCase("BYTE") { return .syntaxError }
            }
            let total = isBit ? length << 3 : length
            if start < 0 { start += total }
            if end < 0 { end += total }
            start = max(start, 0)
            end = max(end, 0)
            if end >= total { end = total - 1 }
            if isBit && start <= end {
                firstMask = ~UInt8(truncatingIfNeeded: (1 << (8 - (start & 7))) - 1)
                lastMask = UInt8(truncatingIfNeeded: (1 << (7 - (end & 7))) - 1)
                start >>= 3
                end >>= 3
            }
        } else if args.count != 2 {
            return .syntaxError
        }
        if start > end { return .zero }
        return string.withUnsafeBytes { raw in
            var count = 0
            for index in Int(start)...Int(end) { count += raw[index].nonzeroBitCount }
            // Bits of the edge bytes outside a BIT range are taken off again.
            if firstMask != 0 { count -= (raw[Int(start)] & firstMask).nonzeroBitCount }
            if lastMask != 0 { count -= (raw[Int(end)] & lastMask).nonzeroBitCount }
            return .integer(Int64(count))
        }
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let bitCommands: [(String, Handler)] = [
        ("bitcount", { engine, args throws(CommandError) in try engine.bitcount(args) }),
        ("getbit", { engine, args throws(CommandError) in try engine.getbit(args) }),
        ("setbit", { engine, args throws(CommandError) in try engine.setbit(args) }),
    ]
}
