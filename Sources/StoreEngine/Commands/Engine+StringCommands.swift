/// The string commands, after Redis's `t_string.c`.
extension Engine {
    /// Redis's `proto-max-bulk-len`: the largest string a command may build.
    public static let maxStringLength: Int64 = 512 * 1024 * 1024

    func get(_ args: [Bytes]) throws(CommandError) -> Reply {
        try stringReply(args[1])
    }

    /// GET's answer for a key: its string, nil, or WRONGTYPE for other types.
    private func stringReply(_ key: Bytes) throws(CommandError) -> Reply {
        try readString(key).map { .bulk($0) } ?? .null
    }

    func set(_ args: [Bytes]) throws(CommandError) -> Reply {
        try setGeneric(key: args[1], value: args[2], options: SetOptions.parse(args[3...], for: .set), command: "set")
    }

    func setnx(_ args: [Bytes]) throws(CommandError) -> Reply {
        var options = SetOptions()
        options.condition = .ifAbsent
        return try setGeneric(key: args[1], value: args[2], options: options, command: "setnx") == .null ? .zero : .one
    }

    func setex(_ args: [Bytes]) throws(CommandError) -> Reply {
        try setWithExpiry(args, unit: .seconds, command: "setex")
    }

    func psetex(_ args: [Bytes]) throws(CommandError) -> Reply {
        try setWithExpiry(args, unit: .milliseconds, command: "psetex")
    }

    private func setWithExpiry(_ args: [Bytes], unit: SetOptions.Expiry.Unit, command: String) throws(CommandError) -> Reply {
        var options = SetOptions()
        options.expiry = SetOptions.Expiry(value: args[2], unit: unit, isAbsolute: false)
        return try setGeneric(key: args[1], value: args[3], options: options, command: command)
    }

    /// Redis's `setGenericCommand`: SET and its variants.
    private func setGeneric(key: Bytes, value: Bytes, options: SetOptions, command: String) throws(CommandError) -> Reply {
        let deadline = try options.expiry?.deadline(now: now, command: command)
        var previous = Reply.null
        if options.returnOld { previous = try stringReply(key) }
        let slot = lookup(key)
        switch options.condition {
        case .ifAbsent where slot != nil, .ifPresent where slot == nil:
            return options.returnOld ? previous : .null
        default:
            break
        }
        let stored = store(key, .string(value), at: slot, keepTTL: options.keepTTL)
        signalWrite(.set, key)
        if let deadline {
            keyspace.setDeadline(at: stored, to: deadline)
            signalWrite(.expire, key, changes: 0)
            // A relative or second-based deadline goes on as an absolute one.
            if !(options.expiry?.isAbsolute == true && options.expiry?.unit == .milliseconds) {
                rewritePropagation(["SET", key, value, "PXAT", Bytes(deadline)])
            }
        }
        return options.returnOld ? previous : .ok
    }

    func getset(_ args: [Bytes]) throws(CommandError) -> Reply {
        let previous = try get(args)
        store(args[1], .string(args[2]), at: lookup(args[1]))
        signalWrite(.set, args[1])
        return previous
    }

    func getdel(_ args: [Bytes]) throws(CommandError) -> Reply {
        let previous = try get(args)
        if case .bulk = previous, delete(args[1]) {
            signalWrite(.del, args[1])
            rewritePropagation(["DEL", args[1]])
        }
        return previous
    }

    func getex(_ args: [Bytes]) throws(CommandError) -> Reply {
        let options = try SetOptions.parse(args[2...], for: .getex)
        let key = args[1]
        guard let slot = lookupRead(key) else { return .null }
        let bytes = try keyspace.value(at: slot).stringBytes()
        let deadline = try options.expiry?.deadline(now: now, command: "getex")
        // Never propagated as typed: as DEL, PEXPIREAT or PERSIST.
        if let deadline, options.expiry?.isAbsolute == true, isPast(deadline) {
            keyspace.remove(at: slot)
            signalWrite(.del, key)
            rewritePropagation(["DEL", key])
        } else if let deadline {
            keyspace.setDeadline(at: slot, to: deadline)
            signalWrite(.expire, key)
            rewritePropagation(["PEXPIREAT", key, Bytes(deadline)])
        } else if options.persist, keyspace.deadline(at: slot) != KeyTable.Slot.persistent {
            keyspace.setDeadline(at: slot, to: KeyTable.Slot.persistent)
            signalWrite(.persist, key)
            rewritePropagation(["PERSIST", key])
        }
        return .bulk(bytes)
    }

    func mget(_ args: [Bytes]) -> Reply {
        .array(args.dropFirst().map { key in
            // MGET answers nil for a key of another type.
            if let string = value(of: key)?.string { return .bulk(string) }
            return .null
        })
    }

    func mset(_ args: [Bytes]) -> Reply {
        msetGeneric(args, onlyIfNoneExist: false)
    }

    func msetnx(_ args: [Bytes]) -> Reply {
        msetGeneric(args, onlyIfNoneExist: true)
    }

    private func msetGeneric(_ args: [Bytes], onlyIfNoneExist: Bool) -> Reply {
        guard args.count % 2 == 1 else {
            return .wrongArity(onlyIfNoneExist ? "msetnx" : "mset")
        }
        let pairs = stride(from: 1, to: args.count, by: 2)
        if onlyIfNoneExist && pairs.contains(where: { lookup(args[$0]) != nil }) {
            return .zero
        }
        for index in pairs {
            store(args[index], .string(args[index + 1]), at: lookup(args[index]))
            signalWrite(.set, args[index])
        }
        return onlyIfNoneExist ? .one : .ok
    }

    func append(_ args: [Bytes]) throws(CommandError) -> Reply {
        let key = args[1]
        let total: Int
        if let slot = lookup(key) {
            let bytes = try keyspace.value(at: slot).stringBytes()
            if Int64(bytes.count) + Int64(args[2].count) > Engine.maxStringLength {
                return .error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            let joined = bytes + args[2]
            store(key, .rawString(joined), at: slot, keepTTL: true)
            total = joined.count
        } else {
            store(key, .string(args[2]), at: nil)
            total = args[2].count
        }
        signalWrite(.append, key)
        return .integer(Int64(total))
    }

    func strlen(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readString(args[1])?.count ?? 0))
    }

    func incr(_ args: [Bytes]) throws(CommandError) -> Reply { try incrementBy(args[1], 1) }
    func decr(_ args: [Bytes]) throws(CommandError) -> Reply { try incrementBy(args[1], -1) }

    func incrby(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let increment = args[2].int64Value else { return .notInteger }
        return try incrementBy(args[1], increment)
    }

    func decrby(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let decrement = args[2].int64Value else { return .notInteger }
        if decrement == .min { return .error("ERR decrement would overflow") }
        return try incrementBy(args[1], -decrement)
    }

    /// Redis's `incrDecrCommand`.
    private func incrementBy(_ key: Bytes, _ increment: Int64) throws(CommandError) -> Reply {
        let slot = lookup(key)
        var current: Int64 = 0
        if let slot {
            let bytes = try keyspace.value(at: slot).stringBytes()
            guard let parsed = bytes.int64Value else { return .notInteger }
            current = parsed
        }
        let (result, overflow) = current.addingReportingOverflow(increment)
        if overflow { return .error("ERR increment or decrement would overflow") }
        store(key, .string(Bytes(result)), at: slot, keepTTL: true)
        signalWrite(.incrby, key)
        return .integer(result)
    }

    func getrange(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard var start = args[2].int64Value, var end = args[3].int64Value else { return .notInteger }
        guard let bytes = try readString(args[1]) else { return .bulk(Bytes()) }
        let length = Int64(bytes.count)
        if start < 0 && end < 0 && start > end { return .bulk(Bytes()) }
        if start < 0 { start += length }
        if end < 0 { end += length }
        start = max(start, 0)
        end = max(end, 0)
        if end >= length { end = length - 1 }
        if start > end || length == 0 { return .bulk(Bytes()) }
        return .bulk(bytes.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[Int(start)...Int(end)])) })
    }

    func setrange(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let offset = args[2].int64Value else { return .notInteger }
        if offset < 0 { return .error("ERR offset is out of range") }
        let key = args[1]
        let patch = args[3]
        let slot = lookup(key)
        var bytes: [UInt8] = []
        if let slot {
            let existing = try keyspace.value(at: slot).stringBytes()
            if patch.isEmpty { return .integer(Int64(existing.count)) }
            bytes = existing.array
        } else if patch.isEmpty {
            return .zero
        }
        if offset > Engine.maxStringLength - Int64(patch.count) {
            return .error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        }
        let end = Int(offset) + patch.count
        if bytes.count < end { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
        patch.withUnsafeBytes { bytes.replaceSubrange(Int(offset)..<end, with: $0) }
        store(key, .rawString(Bytes(bytes)), at: slot, keepTTL: true)
        signalWrite(.setrange, key)
        return .integer(Int64(bytes.count))
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let stringCommands: [(String, Handler)] = [
        ("append", { engine, args throws(CommandError) in try engine.append(args) }),
        ("decr", { engine, args throws(CommandError) in try engine.decr(args) }),
        ("decrby", { engine, args throws(CommandError) in try engine.decrby(args) }),
        ("get", { engine, args throws(CommandError) in try engine.get(args) }),
        ("getdel", { engine, args throws(CommandError) in try engine.getdel(args) }),
        ("getex", { engine, args throws(CommandError) in try engine.getex(args) }),
        ("getrange", { engine, args throws(CommandError) in try engine.getrange(args) }),
        ("getset", { engine, args throws(CommandError) in try engine.getset(args) }),
        ("incr", { engine, args throws(CommandError) in try engine.incr(args) }),
        ("incrby", { engine, args throws(CommandError) in try engine.incrby(args) }),
        ("mget", { $0.mget($1) }),
        ("mset", { $0.mset($1) }),
        ("msetnx", { $0.msetnx($1) }),
        ("psetex", { engine, args throws(CommandError) in try engine.psetex(args) }),
        ("set", { engine, args throws(CommandError) in try engine.set(args) }),
        ("setex", { engine, args throws(CommandError) in try engine.setex(args) }),
        ("setnx", { engine, args throws(CommandError) in try engine.setnx(args) }),
        ("setrange", { engine, args throws(CommandError) in try engine.setrange(args) }),
        ("strlen", { engine, args throws(CommandError) in try engine.strlen(args) }),
    ]
}
