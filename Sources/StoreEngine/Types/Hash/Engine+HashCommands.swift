/// The hash commands, after Redis's `t_hash.c`.
extension Engine {
    // MARK: Access

    /// The hash at a live key a command reads (`lookupRead`); WRONGTYPE for
    /// a key of another type.
    func readHash(_ key: Bytes) throws(CommandError) -> HashValue? {
        try readCollection(key, Engine.hashAccess.extract)
    }

    /// Changes the hash at `key` in place, creating it when `create`; see
    /// `modifyCollection`.
    func modifyHash<R>(_ key: Bytes, create: Bool, _ body: (inout HashValue) throws(CommandError) -> R) throws(CommandError) -> R? {
        try modifyCollection(key, create: create ? HashValue.empty : nil, as: Engine.hashAccess, body)
    }

    static let hashAccess = CollectionAccess<HashValue>(
        extract: { if case .hash(let hash) = $0 { hash } else { nil } }, wrap: { .hash($0) }, isEmpty: { $0.isEmpty },
        trim: { $0.trim() })

    // MARK: Setting

    func hset(_ args: [Bytes]) throws(CommandError) -> Reply {
        try hsetGeneric(args, name: "hset")
    }

    func hmset(_ args: [Bytes]) throws(CommandError) -> Reply {
        _ = try hsetGeneric(args, name: "hmset")
        return .ok
    }

    /// HSET and HMSET: fields and values in pairs. Redis counts every pair
    /// in `dirty`, new or not.
    private func hsetGeneric(_ args: [Bytes], name: String) throws(CommandError) -> Reply {
        guard args.count % 2 == 0 else { throw CommandError(Reply.wrongArity(name)) }
        let limits = encodingLimits
        let created = try modifyHash(args[1], create: true) { hash in
            var created = 0
            for index in stride(from: 2, to: args.count, by: 2) where hash.set(args[index], to: args[index + 1], limits: limits) {
                created += 1
            }
            return created
        } ?? 0
        signalWrite(.hset, args[1], changes: (args.count - 2) / 2)
        return .integer(Int64(created))
    }

    func hsetnx(_ args: [Bytes]) throws(CommandError) -> Reply {
        let limits = encodingLimits
        let set = try modifyHash(args[1], create: true) { hash in
            guard hash.value(of: args[2]) == nil else { return false }
            hash.set(args[2], to: args[3], limits: limits)
            return true
        } ?? false
        guard set else { return .zero }
        signalWrite(.hset, args[1])
        return .one
    }

    func hdel(_ args: [Bytes]) throws(CommandError) -> Reply {
        try removeElements(args, as: Engine.hashAccess, event: .hdel) { $0.remove($1) }
    }

    func hincrby(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let increment = args[3].int64Value else { throw .notInteger }
        let limits = encodingLimits
        let result = try modifyHash(args[1], create: true) { (hash: inout HashValue) throws(CommandError) -> Int64 in
            var current: Int64 = 0
            if let existing = hash.value(of: args[2]) {
                guard let parsed = existing.int64Value else { throw CommandError("ERR hash value is not an integer") }
                current = parsed
            }
            let (sum, overflow) = current.addingReportingOverflow(increment)
            if overflow { throw .overflow }
            hash.set(args[2], to: Bytes(sum), limits: limits)
            return sum
        }!
        signalWrite(.hincrby, args[1])
        return .integer(result)
    }

    func hincrbyfloat(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let increment = Engine.longDouble(args[3]) else { throw .notFloat }
        if increment.isNaN || increment.isInfinite { throw CommandError("ERR value is NaN or Infinity") }
        let limits = encodingLimits
        let result = try modifyHash(args[1], create: true) { (hash: inout HashValue) throws(CommandError) -> Bytes in
            var current: Float80 = 0
            if let existing = hash.value(of: args[2]) {
                guard let parsed = Engine.longDouble(existing) else { throw CommandError("ERR hash value is not a float") }
                current = parsed
            }
            let sum = current + increment
            if sum.isNaN || sum.isInfinite { throw CommandError("ERR increment would produce NaN or Infinity") }
            let text = Engine.format(sum)
            hash.set(args[2], to: text, limits: limits)
            return text
        }!
        signalWrite(.hincrbyfloat, args[1])
        // The result, not the sum: float formatting never differs between copies.
        rewritePropagation(["HSET", args[1], args[2], result])
        return .bulk(result)
    }

    // MARK: Reading

    func hget(_ args: [Bytes]) throws(CommandError) -> Reply {
        try readHash(args[1])?.value(of: args[2]).map(Reply.bulk) ?? .null
    }

    func hmget(_ args: [Bytes]) throws(CommandError) -> Reply {
        let hash = try readHash(args[1])
        return .array(args[2...].map { field in hash?.value(of: field).map(Reply.bulk) ?? .null })
    }

    func hexists(_ args: [Bytes]) throws(CommandError) -> Reply {
        try readHash(args[1])?.value(of: args[2]) != nil ? .one : .zero
    }

    func hlen(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readHash(args[1])?.count ?? 0))
    }

    func hstrlen(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readHash(args[1])?.value(of: args[2])?.count ?? 0))
    }

    func hkeys(_ args: [Bytes]) throws(CommandError) -> Reply {
        var replies: [Reply] = []
        try readHash(args[1])?.forEach { field, _ in replies.append(.bulk(field)) }
        return .array(replies)
    }

    func hvals(_ args: [Bytes]) throws(CommandError) -> Reply {
        var replies: [Reply] = []
        try readHash(args[1])?.forEach { _, value in replies.append(.bulk(value)) }
        return .array(replies)
    }

    func hgetall(_ args: [Bytes]) throws(CommandError) -> Reply {
        var replies: [Reply] = []
        try readHash(args[1])?.forEach { field, value in replies += [.bulk(field), .bulk(value)] }
        return .map(replies)
    }

    /// HRANDFIELD key [count [WITHVALUES]], with Redis's four cases for a count.
    func hrandfield(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard args.count >= 3 else {
            guard let hash = try readHash(args[1]), let (field, _) = hash.randomField(using: &random) else { return .null }
            return .bulk(field)
        }
        let count = try Engine.randomCount(args[2])
        var withValues = false
        if args.count == 4 {
            guard args[3].equalsIgnoringCase("WITHVALUES") else { throw .syntax }
            withValues = true
            // The reply would hold twice as many elements as the count.
            guard count.magnitude <= UInt64(Int64.max / 2) else { throw CommandError("ERR value is out of range") }
        } else if args.count > 4 {
            throw .syntax
        }
        guard let hash = try readHash(args[1]), count != 0 else { return .array([]) }
        let picked = randomPicks(count: count, size: hash.count, all: {
            var pairs: [(Bytes, Bytes)] = []
            hash.forEach { pairs.append(($0, $1)) }
            return pairs
        }, draw: { hash.randomField(using: &random) }, identity: { $0.0 })
        return withValues ? .pairs(picked.flatMap { [Reply.bulk($0.0), .bulk($0.1)] }) : .array(picked.map { .bulk($0.0) })
    }

    /// HSCAN key cursor [MATCH pattern] [COUNT count]: a packed hash in one
    /// reply, a table by Redis's cursor.
    func hscan(_ args: [Bytes]) throws(CommandError) -> Reply {
        let options = try ScanOptions(args[2...])
        guard let hash = try readHash(args[1]) else { return .array([.bulk("0"), .array([])]) }
        var found: [Reply] = []
        func add(_ field: Bytes, _ value: Bytes) {
            if options.matches(field) { found += [.bulk(field), .bulk(value)] }
        }
        switch hash.storage {
        case .packed:
            hash.forEach(add)
            return .array([.bulk("0"), .array(found)])
        case .table(let table):
            let next = options.scan(table) { add($0.key, $0.value) }
            return .array([.bulk(Bytes(String(next))), .array(found)])
        }
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let hashCommands: [(String, Handler)] = [
        ("hset", { engine, args throws(CommandError) in try engine.hset(args) }),
        ("hmset", { engine, args throws(CommandError) in try engine.hmset(args) }),
        ("hsetnx", { engine, args throws(CommandError) in try engine.hsetnx(args) }),
        ("hdel", { engine, args throws(CommandError) in try engine.hdel(args) }),
        ("hincrby", { engine, args throws(CommandError) in try engine.hincrby(args) }),
        ("hincrbyfloat", { engine, args throws(CommandError) in try engine.hincrbyfloat(args) }),
        ("hget", { engine, args throws(CommandError) in try engine.hget(args) }),
        ("hmget", { engine, args throws(CommandError) in try engine.hmget(args) }),
        ("hexists", { engine, args throws(CommandError) in try engine.hexists(args) }),
        ("hlen", { engine, args throws(CommandError) in try engine.hlen(args) }),
        ("hstrlen", { engine, args throws(CommandError) in try engine.hstrlen(args) }),
        ("hkeys", { engine, args throws(CommandError) in try engine.hkeys(args) }),
        ("hvals", { engine, args throws(CommandError) in try engine.hvals(args) }),
        ("hgetall", { engine, args throws(CommandError) in try engine.hgetall(args) }),
        ("hrandfield", { engine, args throws(CommandError) in try engine.hrandfield(args) }),
        ("hscan", { engine, args throws(CommandError) in try engine.hscan(args) }),
    ]
}
