/// The sorted set commands that change one, after Redis's `t_zset.c`.
extension Engine {
    static let sortedSetAccess = CollectionAccess<SortedSetValue>(
        extract: { if case .sortedSet(let sortedSet) = $0 { sortedSet } else { nil } },
        wrap: { .sortedSet($0) }, isEmpty: { $0.isEmpty }, trim: { $0.trim() })

    /// The sorted set at a live key a command reads; WRONGTYPE for another type.
    func readSortedSet(_ key: Bytes) throws(CommandError) -> SortedSetValue? {
        try readCollection(key, Engine.sortedSetAccess.extract)
    }

    /// The sorted set at `key` for a command that writes (no hit or miss counted).
    func writableSortedSet(_ key: Bytes) throws(CommandError) -> SortedSetValue? {
        try writableCollection(key, Engine.sortedSetAccess.extract)
    }

    /// Changes the sorted set at `key` in place, creating it when `create`.
    func modifySortedSet<R>(
        _ key: Bytes, create: Bool, _ body: (inout SortedSetValue) throws(CommandError) -> R
    ) throws(CommandError) -> R? {
        try modifyCollection(key, create: create ? SortedSetValue.empty : nil, as: Engine.sortedSetAccess, body)
    }

    // MARK: Adding

    func zadd(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zaddGeneric(args, increment: false)
    }

    func zincrby(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zaddGeneric(args, increment: true)
    }

    /// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...],
    /// and ZINCRBY (INCR given), as Redis's `zaddGenericCommand`.
    private func zaddGeneric(_ args: [Bytes], increment: Bool) throws(CommandError) -> Reply {
        var (nx, xx, gt, lt, changed, incr) = (false, false, false, false, false, increment)
        var index = 2
        while index < args.count {
            let option = args[index]
            if option.equalsIgnoringCase("NX") { nx = true }
            else if option.equalsIgnoringCase("XX") { xx = true }
            else if option.equalsIgnoringCase("CH") { changed = true }
            else if option.equalsIgnoringCase("INCR") { incr = true }
            else if option.equalsIgnoringCase("GT") { gt = true }
            else if option.equalsIgnoringCase("LT") { lt = true }
            else { break }
            index += 1
        }
        let elements = args.count - index
        guard elements > 0, elements % 2 == 0 else { throw .syntax }
        if nx && xx { throw CommandError("ERR XX and NX options at the same time are not compatible") }
        if (gt && nx) || (lt && nx) || (gt && lt) {
            throw CommandError("ERR GT, LT, and/or NX options at the same time are not compatible")
        }
        if incr && elements > 2 { throw CommandError("ERR INCR option supports a single increment-element pair") }
        // Every score is checked before anything changes; read again below.
        for pair in stride(from: index, to: args.count, by: 2) where Score.parse(args[pair]) == nil { throw .notFloat }
        let key = args[1]
        if xx, try writableSortedSet(key) == nil { return incr ? .null : .zero }
        let limits = encodingLimits
        var added = 0, updated = 0, processed = 0
        var lastScore = 0.0
        _ = try modifySortedSet(key, create: true) { (sortedSet: inout SortedSetValue) throws(CommandError) -> Void in
            for pair in stride(from: index, to: args.count, by: 2) {
                let member = args[pair + 1]
                var score = Score.parse(args[pair])!
                if let current = sortedSet.score(of: member) {
                    if nx { continue }
                    if incr {
                        score += current
                        if score.isNaN { throw CommandError("ERR resulting score is not a number (NaN)") }
                    }
                    if (lt && score >= current) || (gt && score <= current) { continue }
                    if score != current {
                        sortedSet.set(member, score: score, limits: limits)
                        updated += 1
                    }
                } else {
                    if xx { continue }
                    sortedSet.set(member, score: score, limits: limits)
                    added += 1
                }
                processed += 1
                lastScore = score
            }
        }
        if added + updated > 0 { signalWrite(incr ? .zincr : .zadd, key, changes: added + updated) }
        if incr { return processed > 0 ? .double(lastScore) : .null }
        return .integer(Int64(changed ? added + updated : added))
    }

    // MARK: Removing

    func zrem(_ args: [Bytes]) throws(CommandError) -> Reply {
        try removeElements(args, as: Engine.sortedSetAccess, event: .zrem) { $0.remove($1) }
    }

    func zremrangebyrank(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let start = args[2].int64Value, let end = args[3].int64Value else { throw .notInteger }
        return try removeRanks(args[1], event: .zremrangebyrank) { Engine.ranks(start: start, end: end, count: $0.count) }
    }

    func zremrangebyscore(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let range = ScoreRange(min: args[2], max: args[3]) else { throw .notFloatRange }
        return try removeRanks(args[1], event: .zremrangebyscore) { $0.ranks(in: range) }
    }

    func zremrangebylex(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let range = LexRange(min: args[2], max: args[3]) else { throw .notLexRange }
        return try removeRanks(args[1], event: .zremrangebylex) { $0.ranks(in: range) }
    }

    /// ZREMRANGEBY*: removes the ranks `ranks` picks.
    private func removeRanks(
        _ key: Bytes, event: KeyEvent, _ ranks: (SortedSetValue) -> Range<Int>
    ) throws(CommandError) -> Reply {
        let removed = try modifySortedSet(key, create: false) { sortedSet in
            let removed = sortedSet.removeRanks(ranks(sortedSet))
            if removed > 0 { signalWrite(event, key, changes: removed) }
            return removed
        } ?? 0
        return .integer(Int64(removed))
    }

    // MARK: Popping

    func zpopmin(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zpopCommand(args, highest: false)
    }

    func zpopmax(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zpopCommand(args, highest: true)
    }

    /// ZPOPMIN/ZPOPMAX key [count].
    private func zpopCommand(_ args: [Bytes], highest: Bool) throws(CommandError) -> Reply {
        if args.count > 3 { throw .syntax }
        var count: Int64?
        if args.count == 3 {
            guard let parsed = args[2].int64Value, parsed >= 0 else { throw CommandError("ERR value is out of range, must be positive") }
            count = parsed
        }
        guard let popped = try pop(from: args[1], highest: highest, count: count ?? 1) else { return .array([]) }
        let pairs = popped.flatMap { [Reply.bulk($0.member), .double($0.score)] }
        return count == nil ? .array(pairs) : .pairs(pairs)
    }

    /// Pops up to `count` of the lowest or highest entries of the sorted set at `key`.
    /// - Returns: `nil` when there is no such key.
    func pop(from key: Bytes, highest: Bool, count: Int64) throws(CommandError) -> [ScoredMember]? {
        guard try writableSortedSet(key) != nil else { return nil }
        guard count > 0 else { return [] }
        return try modifySortedSet(key, create: false) { sortedSet in
            let taken = Int(min(count, Int64(sortedSet.count)))
            let ranks = highest ? sortedSet.count - taken..<sortedSet.count : 0..<taken
            let popped = sortedSet.entries(ranks: ranks, reverse: highest)
            sortedSet.removeRanks(ranks)
            signalWrite(highest ? .zpopmax : .zpopmin, key, changes: popped.count)
            return popped
        }
    }

    /// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
    func zmpop(_ args: [Bytes]) throws(CommandError) -> Reply {
        let arguments = try MultiPopArguments(args, numkeysAt: 1, side: Self.scoreEnd)
        let highest = arguments.side
        for key in arguments.keys {
            guard let popped = try pop(from: key, highest: highest, count: arguments.count) else { continue }
            // As ZPOPMIN/ZPOPMAX with the count that was popped, as Redis.
            rewritePropagation([highest ? "ZPOPMAX" : "ZPOPMIN", key, Bytes(Int64(popped.count))])
            return .array([.bulk(key), .array(popped.map { .array([.bulk($0.member), .double($0.score)]) })])
        }
        return .nullArray
    }
}

/// The blocking sorted set commands: as ZPOPMIN, ZPOPMAX and ZMPOP when a
/// sorted set has members, else the session waits.
extension Engine {
    /// MIN (false) or MAX, as ZMPOP and BZMPOP read it.
    static func scoreEnd(_ word: Bytes) throws(CommandError) -> Bool {
        if word.equalsIgnoringCase("MIN") { return false }
        if word.equalsIgnoringCase("MAX") { return true }
        throw .syntax
    }

    func bzpopmin(_ args: [Bytes]) throws(CommandError) -> Reply { try blockingScoredPop(args, highest: false) }
    func bzpopmax(_ args: [Bytes]) throws(CommandError) -> Reply { try blockingScoredPop(args, highest: true) }

    /// BZPOPMIN/BZPOPMAX key [key ...] timeout: key, member and score.
    private func blockingScoredPop(_ args: [Bytes], highest: Bool) throws(CommandError) -> Reply {
        let deadline = try blockDeadline(args[args.count - 1])
        return try takeOrBlock(args[1..<args.count - 1], deadline: deadline, .popScored(highest: highest, count: nil))
    }

    /// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count].
    func bzmpop(_ args: [Bytes]) throws(CommandError) -> Reply {
        let arguments = try MultiPopArguments(args, numkeysAt: 2, side: Self.scoreEnd)
        let deadline = try blockDeadline(args[1])
        return try takeOrBlock(arguments.keys, deadline: deadline, .popScored(highest: arguments.side, count: arguments.count))
    }
}

extension CommandError {
    static let notFloatRange = CommandError("ERR min or max is not a float")
    static let notLexRange = CommandError("ERR min or max not valid string range item")
}

extension Engine {
    /// The commands of this file, of `Engine+SortedSetQueries` and of
    /// `Engine+SortedSetAlgebra`, by name, for the dispatch table.
    static let sortedSetCommands: [(String, Handler)] = [
        ("zadd", { engine, args throws(CommandError) in try engine.zadd(args) }),
        ("zincrby", { engine, args throws(CommandError) in try engine.zincrby(args) }),
        ("zrem", { engine, args throws(CommandError) in try engine.zrem(args) }),
        ("zremrangebyrank", { engine, args throws(CommandError) in try engine.zremrangebyrank(args) }),
        ("zremrangebyscore", { engine, args throws(CommandError) in try engine.zremrangebyscore(args) }),
        ("zremrangebylex", { engine, args throws(CommandError) in try engine.zremrangebylex(args) }),
        ("zpopmin", { engine, args throws(CommandError) in try engine.zpopmin(args) }),
        ("zpopmax", { engine, args throws(CommandError) in try engine.zpopmax(args) }),
        ("zmpop", { engine, args throws(CommandError) in try engine.zmpop(args) }),
        ("bzpopmin", { engine, args throws(CommandError) in try engine.bzpopmin(args) }),
        ("bzpopmax", { engine, args throws(CommandError) in try engine.bzpopmax(args) }),
        ("bzmpop", { engine, args throws(CommandError) in try engine.bzmpop(args) }),
        ("zcard", { engine, args throws(CommandError) in try engine.zcard(args) }),
        ("zscore", { engine, args throws(CommandError) in try engine.zscore(args) }),
        ("zmscore", { engine, args throws(CommandError) in try engine.zmscore(args) }),
        ("zrank", { engine, args throws(CommandError) in try engine.zrank(args) }),
        ("zrevrank", { engine, args throws(CommandError) in try engine.zrevrank(args) }),
        ("zcount", { engine, args throws(CommandError) in try engine.zcount(args) }),
        ("zlexcount", { engine, args throws(CommandError) in try engine.zlexcount(args) }),
        ("zrange", { engine, args throws(CommandError) in try engine.zrange(args) }),
        ("zrangestore", { engine, args throws(CommandError) in try engine.zrangestore(args) }),
        ("zrevrange", { engine, args throws(CommandError) in try engine.zrevrange(args) }),
        ("zrangebyscore", { engine, args throws(CommandError) in try engine.zrangebyscore(args) }),
        ("zrevrangebyscore", { engine, args throws(CommandError) in try engine.zrevrangebyscore(args) }),
        ("zrangebylex", { engine, args throws(CommandError) in try engine.zrangebylex(args) }),
        ("zrevrangebylex", { engine, args throws(CommandError) in try engine.zrevrangebylex(args) }),
        ("zrandmember", { engine, args throws(CommandError) in try engine.zrandmember(args) }),
        ("zscan", { engine, args throws(CommandError) in try engine.zscan(args) }),
        ("zunion", { engine, args throws(CommandError) in try engine.zunion(args) }),
        ("zinter", { engine, args throws(CommandError) in try engine.zinter(args) }),
        ("zdiff", { engine, args throws(CommandError) in try engine.zdiff(args) }),
        ("zunionstore", { engine, args throws(CommandError) in try engine.zunionstore(args) }),
        ("zinterstore", { engine, args throws(CommandError) in try engine.zinterstore(args) }),
        ("zdiffstore", { engine, args throws(CommandError) in try engine.zdiffstore(args) }),
        ("zintercard", { engine, args throws(CommandError) in try engine.zintercard(args) }),
    ]
}
