/// The string commands, after Redis's `t_string.c`.
extension Engine {
    /// Redis's `proto-max-bulk-len`: the largest string a command may build.
    public static let maxStringLength: Int64 = 512 * 1024 * 1024

    func get(_ args: [Bytes]) -> Reply {
        stringReply(args[1])
    }

    /// GET's answer for a key: its string, nil, or WRONGTYPE for other types.
    private func stringReply(_ key: Bytes) -> Reply {
        value(of: key).map { .bulk($0.bytes) } ?? .null
    }

    func set(_ args: [Bytes]) -> Reply {
        let options: SetOptions
        switch SetOptions.parse(args[3...], for: .set) {
        case .success(let parsed): options = parsed
        case .failure(let error): return error.reply
        }
        return setGeneric(key: args[1], value: args[2], options: options, command: "set")
    }

    func setnx(_ args: [Bytes]) -> Reply {
        var options = SetOptions()
        options.condition = .ifAbsent
        let reply = setGeneric(key: args[1], value: args[2], options: options, command: "setnx")
        return reply == .null ? .zero : (reply.isError ? reply : .one)
    }

    func setex(_ args: [Bytes]) -> Reply {
        setWithExpiry(args, unit: .seconds, command: "setex")
    }

    func psetex(_ args: [Bytes]) -> Reply {
        setWithExpiry(args, unit: .milliseconds, command: "psetex")
    }

    private func setWithExpiry(_ args: [Bytes], unit: SetOptions.Expiry.Unit, command: String) -> Reply {
        var options = SetOptions()
        options.expiry = SetOptions.Expiry(value: args[2], unit: unit, isAbsolute: false)
        return setGeneric(key: args[1], value: args[3], options: options, command: command)
    }

    /// Redis's `setGenericCommand`: SET and its variants.
    private func setGeneric(key: Bytes, value: Bytes, options: SetOptions, command: String) -> Reply {
        var deadline: Int64?
        if let expiry = options.expiry {
            switch expiry.deadline(now: now, command: command) {
            case .success(let milliseconds): deadline = milliseconds
            case .failure(let error): return error.reply
            }
        }
        var previous = Reply.null
        if options.returnOld {
            previous = stringReply(key)
            if previous.isError { return previous }
        }
        let slot = lookup(key)
        switch options.condition {
        case .ifAbsent where slot != nil, .ifPresent where slot == nil:
            return options.returnOld ? previous : .null
        default:
            break
        }
        let stored = store(key, .string(value), at: slot, keepTTL: options.keepTTL)
        dirty += 1
        events.key(.set, key)
        if let deadline {
            keyspace.setDeadline(at: stored, to: deadline)
            events.key(.expire, key)
        }
        return options.returnOld ? previous : .ok
    }

    func getset(_ args: [Bytes]) -> Reply {
        let previous = get(args)
        if previous.isError { return previous }
        store(args[1], .string(args[2]), at: lookup(args[1]))
        events.key(.set, args[1])
        dirty += 1
        return previous
    }

    func getdel(_ args: [Bytes]) -> Reply {
        let previous = get(args)
        if case .bulk = previous, delete(args[1]) {
            events.key(.del, args[1])
            dirty += 1
        }
        return previous
    }

    func getex(_ args: [Bytes]) -> Reply {
        let options: SetOptions
        switch SetOptions.parse(args[2...], for: .getex) {
        case .success(let parsed): options = parsed
        case .failure(let error): return error.reply
        }
        let key = args[1]
        guard let slot = lookupRead(key) else { return .null }
        let bytes = keyspace.value(at: slot).bytes
        var deadline: Int64?
        if let expiry = options.expiry {
            switch expiry.deadline(now: now, command: "getex") {
            case .success(let milliseconds): deadline = milliseconds
            case .failure(let error): return error.reply
            }
        }
        if let deadline, options.expiry?.isAbsolute == true, isPast(deadline) {
            keyspace.remove(at: slot)
            events.key(.del, key)
            dirty += 1
        } else if let deadline {
            keyspace.setDeadline(at: slot, to: deadline)
            events.key(.expire, key)
            dirty += 1
        } else if options.persist, keyspace.deadline(at: slot) != KeyTable.Slot.persistent {
            keyspace.setDeadline(at: slot, to: KeyTable.Slot.persistent)
            events.key(.persist, key)
            dirty += 1
        }
        return .bulk(bytes)
    }

    func mget(_ args: [Bytes]) -> Reply {
        .array(args.dropFirst().map { key in
            if let value = value(of: key) { return .bulk(value.bytes) }
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
            events.key(.set, args[index])
        }
        dirty += args.count / 2
        return onlyIfNoneExist ? .one : .ok
    }

    func append(_ args: [Bytes]) -> Reply {
        let key = args[1]
        let total: Int
        if let slot = lookup(key) {
            let bytes = keyspace.value(at: slot).bytes
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
        events.key(.append, key)
        dirty += 1
        return .integer(Int64(total))
    }

    func strlen(_ args: [Bytes]) -> Reply {
        value(of: args[1]).map { .integer(Int64($0.byteCount)) } ?? .zero
    }

    func incr(_ args: [Bytes]) -> Reply { incrementBy(args[1], 1) }
    func decr(_ args: [Bytes]) -> Reply { incrementBy(args[1], -1) }

    func incrby(_ args: [Bytes]) -> Reply {
        guard let increment = args[2].int64Value else { return .notInteger }
        return incrementBy(args[1], increment)
    }

    func decrby(_ args: [Bytes]) -> Reply {
        guard let decrement = args[2].int64Value else { return .notInteger }
        if decrement == .min { return .error("ERR decrement would overflow") }
        return incrementBy(args[1], -decrement)
    }

    /// Redis's `incrDecrCommand`.
    private func incrementBy(_ key: Bytes, _ increment: Int64) -> Reply {
        let slot = lookup(key)
        var current: Int64 = 0
        if let slot {
            let bytes = keyspace.value(at: slot).bytes
            guard let parsed = bytes.int64Value else { return .notInteger }
            current = parsed
        }
        let (result, overflow) = current.addingReportingOverflow(increment)
        if overflow { return .error("ERR increment or decrement would overflow") }
        store(key, .string(Bytes(result)), at: slot, keepTTL: true)
        events.key(.incrby, key)
        dirty += 1
        return .integer(result)
    }

    func getrange(_ args: [Bytes]) -> Reply {
        guard var start = args[2].int64Value, var end = args[3].int64Value else { return .notInteger }
        guard let bytes = value(of: args[1])?.bytes else { return .bulk(Bytes()) }
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

    func setrange(_ args: [Bytes]) -> Reply {
        guard let offset = args[2].int64Value else { return .notInteger }
        if offset < 0 { return .error("ERR offset is out of range") }
        let key = args[1]
        let patch = args[3]
        let slot = lookup(key)
        var bytes: [UInt8] = []
        if let slot {
            let existing = keyspace.value(at: slot).bytes
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
        events.key(.setrange, key)
        dirty += 1
        return .integer(Int64(bytes.count))
    }
}
