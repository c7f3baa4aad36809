/// The set commands, after Redis's `t_set.c`.
extension Engine {
    static let setAccess = CollectionAccess<SetValue>(
        extract: { if case .set(let set) = $0 { set } else { nil } }, wrap: { .set($0) }, isEmpty: { $0.isEmpty })

    /// The set at a live key a command reads; WRONGTYPE for another type.
    func readSet(_ key: Bytes) throws(CommandError) -> SetValue? {
        try readCollection(key, Engine.setAccess.extract)
    }

    /// Changes the set at `key` in place; `create` makes it from a first
    /// member (Redis's `setTypeCreate`: an intset for an integer).
    func modifySet<R>(_ key: Bytes, create: Bool, _ body: (inout SetValue) throws(CommandError) -> R) throws(CommandError) -> R? {
        try modifyCollection(key, create: create ? SetValue.empty : nil, as: Engine.setAccess, body)
    }

    // MARK: Changing

    func sadd(_ args: [Bytes]) throws(CommandError) -> Reply {
        let limits = encodingLimits
        let added = try modifySet(args[1], create: true) { set in
            var added = 0
            for member in args[2...] where set.insert(member, limits: limits) { added += 1 }
            return added
        } ?? 0
        if added > 0 { signalWrite(.sadd, args[1], changes: added) }
        return .integer(Int64(added))
    }

    func srem(_ args: [Bytes]) throws(CommandError) -> Reply {
        try removeElements(args, as: Engine.setAccess, event: .srem) { $0.remove($1) }
    }

    func smove(_ args: [Bytes]) throws(CommandError) -> Reply {
        let (source, destination, member) = (args[1], args[2], args[3])
        guard let sourceSet = try writableSet(source) else { return .zero }
        let destinationSet = try writableSet(destination)
        if source == destination { return sourceSet.contains(member) ? .one : .zero }
        let removed = try modifySet(source, create: false) { set in
            guard set.remove(member) else { return false }
            signalWrite(.srem, source)
            return true
        } ?? false
        guard removed else { return .zero }
        let limits = encodingLimits
        let added = try modifySet(destination, create: destinationSet == nil) { $0.insert(member, limits: limits) } ?? false
        if added { signalWrite(.sadd, destination) }
        return .one
    }

    /// The set at `key` for a command that writes (no hit or miss counted).
    private func writableSet(_ key: Bytes) throws(CommandError) -> SetValue? {
        try writableCollection(key, Engine.setAccess.extract)
    }

    /// SPOP key [count].
    func spop(_ args: [Bytes]) throws(CommandError) -> Reply {
        if args.count > 3 { throw .syntax }
        var count: Int64?
        if args.count == 3 {
            guard let parsed = args[2].int64Value, parsed >= 0 else { throw CommandError("ERR value is out of range, must be positive") }
            count = parsed
        }
        guard try writableSet(args[1]) != nil else { return count == nil ? .null : .set([]) }
        if count == 0 { return .set([]) }
        let popped = try modifySet(args[1], create: false) { (set: inout SetValue) throws(CommandError) -> [Bytes] in
            var popped: [Bytes] = []
            let wanted = min(count ?? 1, Int64(set.count))
            if wanted == set.count {
                popped = set.members
                set = .empty
            } else {
                while popped.count < wanted, let member = set.randomMember(using: &random) {
                    set.remove(member)
                    popped.append(member)
                }
            }
            signalWrite(.spop, args[1], changes: popped.count)
            // What was popped, not a random choice to make again (Redis:
            // SREM in batches of 1024, or DEL when the whole set went).
            if count == nil {
                rewritePropagation(["SREM", args[1], popped[0]])
            } else if set.isEmpty {
                rewritePropagation(["DEL", args[1]])
            } else {
                for start in stride(from: 0, to: popped.count, by: 1024) {
                    alsoPropagate(["SREM", args[1]] + popped[start..<min(start + 1024, popped.count)])
                }
                preventPropagation()
            }
            return popped
        } ?? []
        if count == nil { return popped.first.map(Reply.bulk) ?? .null }
        return .set(popped.map(Reply.bulk))
    }

    // MARK: Reading

    func scard(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readSet(args[1])?.count ?? 0))
    }

    func sismember(_ args: [Bytes]) throws(CommandError) -> Reply {
        try readSet(args[1])?.contains(args[2]) == true ? .one : .zero
    }

    func smismember(_ args: [Bytes]) throws(CommandError) -> Reply {
        let set = try readSet(args[1])
        return .array(args[2...].map { set?.contains($0) == true ? .one : .zero })
    }

    func smembers(_ args: [Bytes]) throws(CommandError) -> Reply {
        .set((try readSet(args[1])?.members ?? []).map(Reply.bulk))
    }

    /// SRANDMEMBER key [count], with Redis's cases for a count.
    func srandmember(_ args: [Bytes]) throws(CommandError) -> Reply {
        if args.count > 3 { throw .syntax }
        guard args.count == 3 else {
            return try readSet(args[1])?.randomMember(using: &random).map(Reply.bulk) ?? .null
        }
        let count = try Engine.randomCount(args[2])
        guard let set = try readSet(args[1]), count != 0 else { return .array([]) }
        let picked = randomPicks(count: count, size: set.count, all: { set.members },
                                 draw: { set.randomMember(using: &random) }, identity: { $0 })
        return .array(picked.map(Reply.bulk))
    }

    /// SSCAN key cursor [MATCH pattern] [COUNT count].
    func sscan(_ args: [Bytes]) throws(CommandError) -> Reply {
        let options = try ScanOptions(args[2...])
        guard let set = try readSet(args[1]) else { return .array([.bulk("0"), .array([])]) }
        switch set.storage {
        case .integers:
            return .array([.bulk("0"), .array(set.members.filter(options.matches).map(Reply.bulk))])
        case .table(let table):
            var found: [Reply] = []
            let next = options.scan(table) { entry in
                if options.matches(entry.key) { found.append(.bulk(entry.key)) }
            }
            return .array([.bulk(Bytes(String(next))), .array(found)])
        }
    }

    // MARK: Algebra

    /// The sets at `keys` (`nil` for a missing key), for a command that reads them.
    private func sets(_ keys: ArraySlice<Bytes>) throws(CommandError) -> [SetValue?] {
        var sets: [SetValue?] = []
        for key in keys { sets.append(try readSet(key)) }
        return sets
    }

    /// Redis's `sinterGenericCommand`: members of the smallest set found in
    /// every other, in the smallest set's order; `limit` stops counting.
    private func intersection(_ keys: ArraySlice<Bytes>, limit: Int = 0) throws(CommandError) -> [Bytes] {
        let found = try sets(keys)
        guard found.allSatisfy({ $0 != nil }) else { return [] }
        let ordered = found.map { $0! }.sorted { $0.count < $1.count }
        var members: [Bytes] = []
        for member in ordered[0].members where ordered.dropFirst().allSatisfy({ $0.contains(member) }) {
            members.append(member)
            if limit > 0 && members.count >= limit { break }
        }
        return members
    }

    /// Redis's `sunionDiffGenericCommand`: the union, or the first set less
    /// the others, built as a set (an intset while it can be).
    private func unionOrDifference(_ keys: ArraySlice<Bytes>, union: Bool) throws(CommandError) -> SetValue {
        let found = try sets(keys)
        var result = SetValue.empty
        let limits = encodingLimits
        if union {
            for set in found { set?.forEach { result.insert($0, limits: limits) } }
        } else if let first = found.first ?? nil {
            first.forEach { member in
                if !found.dropFirst().contains(where: { $0?.contains(member) == true }) { result.insert(member, limits: limits) }
            }
        }
        return result
    }

    func sinter(_ args: [Bytes]) throws(CommandError) -> Reply {
        .set(try intersection(args[1...]).map(Reply.bulk))
    }

    func sunion(_ args: [Bytes]) throws(CommandError) -> Reply {
        .set(try unionOrDifference(args[1...], union: true).members.map(Reply.bulk))
    }

    func sdiff(_ args: [Bytes]) throws(CommandError) -> Reply {
        .set(try unionOrDifference(args[1...], union: false).members.map(Reply.bulk))
    }

    /// SINTERCARD numkeys key [key ...] [LIMIT limit].
    func sintercard(_ args: [Bytes]) throws(CommandError) -> Reply {
        let greaterThanZero = CommandError("ERR numkeys should be greater than 0")
        guard let keys = args[1].int64Value else { throw greaterThanZero }
        guard keys >= 1 else { throw greaterThanZero }
        guard keys <= Int64(args.count - 2) else { throw CommandError("ERR Number of keys can't be greater than number of args") }
        var limit = 0
        var index = 2 + Int(keys)
        while index < args.count {
            guard args[index].equalsIgnoringCase("LIMIT"), index + 1 < args.count else { throw .syntax }
            guard let parsed = args[index + 1].int64Value, parsed >= 0 else { throw CommandError("ERR LIMIT can't be negative") }
            limit = Int(parsed)
            index += 2
        }
        return .integer(Int64(try intersection(args[2..<2 + Int(keys)], limit: limit).count))
    }

    func sinterstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        let limits = encodingLimits
        // An intersection has no repeats, so `make` always makes a set.
        return try storeSet(SetValue.make(intersection(args[2...]), limits: limits) ?? .empty, at: args[1], event: .sinterstore)
    }

    func sunionstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try storeSet(unionOrDifference(args[2...], union: true), at: args[1], event: .sunionstore)
    }

    func sdiffstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try storeSet(unionOrDifference(args[2...], union: false), at: args[1], event: .sdiffstore)
    }

    /// The *STORE variants: the result replaces whatever `key` held, or
    /// deletes it when empty.
    private func storeSet(_ set: SetValue, at key: Bytes, event: KeyEvent) -> Reply {
        if storeResult(.set(set), isEmpty: set.isEmpty, at: key) { signalWrite(event, key) }
        return .integer(Int64(set.count))
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let setCommands: [(String, Handler)] = [
        ("sadd", { engine, args throws(CommandError) in try engine.sadd(args) }),
        ("srem", { engine, args throws(CommandError) in try engine.srem(args) }),
        ("smove", { engine, args throws(CommandError) in try engine.smove(args) }),
        ("spop", { engine, args throws(CommandError) in try engine.spop(args) }),
        ("scard", { engine, args throws(CommandError) in try engine.scard(args) }),
        ("sismember", { engine, args throws(CommandError) in try engine.sismember(args) }),
        ("smismember", { engine, args throws(CommandError) in try engine.smismember(args) }),
        ("smembers", { engine, args throws(CommandError) in try engine.smembers(args) }),
        ("srandmember", { engine, args throws(CommandError) in try engine.srandmember(args) }),
        ("sscan", { engine, args throws(CommandError) in try engine.sscan(args) }),
        ("sinter", { engine, args throws(CommandError) in try engine.sinter(args) }),
        ("sunion", { engine, args throws(CommandError) in try engine.sunion(args) }),
        ("sdiff", { engine, args throws(CommandError) in try engine.sdiff(args) }),
        ("sintercard", { engine, args throws(CommandError) in try engine.sintercard(args) }),
        ("sinterstore", { engine, args throws(CommandError) in try engine.sinterstore(args) }),
        ("sunionstore", { engine, args throws(CommandError) in try engine.sunionstore(args) }),
        ("sdiffstore", { engine, args throws(CommandError) in try engine.sdiffstore(args) }),
    ]
}
