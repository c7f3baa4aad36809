/// The sorted set commands that read one (and ZRANGESTORE), after Redis's
/// `t_zset.c`.
extension Engine {
    func zcard(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readSortedSet(args[1])?.count ?? 0))
    }

    func zscore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try readSortedSet(args[1])?.score(of: args[2]).map(Reply.double) ?? .null
    }

    func zmscore(_ args: [Bytes]) throws(CommandError) -> Reply {
        let sortedSet = try readSortedSet(args[1])
        return .array(args[2...].map { sortedSet?.score(of: $0).map(Reply.double) ?? .null })
    }

    func zrank(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let rank = try readSortedSet(args[1])?.rank(of: args[2]) else { return .null }
        return .integer(Int64(rank))
    }

    func zrevrank(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let sortedSet = try readSortedSet(args[1]), let rank = sortedSet.rank(of: args[2]) else { return .null }
        return .integer(Int64(sortedSet.count - 1 - rank))
    }

    func zcount(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let range = ScoreRange(min: args[2], max: args[3]) else { throw .notFloatRange }
        return .integer(Int64(try readSortedSet(args[1])?.ranks(in: range).count ?? 0))
    }

    func zlexcount(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let range = LexRange(min: args[2], max: args[3]) else { throw .notLexRange }
        return .integer(Int64(try readSortedSet(args[1])?.ranks(in: range).count ?? 0))
    }

    // MARK: Ranges

    /// What a range command selects by: ranks, scores or members.
    enum RangeKind {
        case rank, score, lex
    }

    func zrange(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: nil, reverse: nil)
    }

    func zrangestore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 2, store: true, kind: nil, reverse: nil)
    }

    func zrevrange(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: .rank, reverse: true)
    }

    func zrangebyscore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: .score, reverse: false)
    }

    func zrevrangebyscore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: .score, reverse: true)
    }

    func zrangebylex(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: .lex, reverse: false)
    }

    func zrevrangebylex(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zrangeGeneric(args, first: 1, store: false, kind: .lex, reverse: true)
    }

    /// Redis's `zrangeGenericCommand`: the key at `first`, then min, max and
    /// the options; `kind` and `reverse` are fixed by the older commands and
    /// chosen by options (BYSCORE, BYLEX, REV) in ZRANGE and ZRANGESTORE.
    private func zrangeGeneric(
        _ args: [Bytes], first: Int, store: Bool, kind fixedKind: RangeKind?, reverse fixedReverse: Bool?
    ) throws(CommandError) -> Reply {
        var kind = fixedKind, reverse = fixedReverse
        var withScores = false
        var offset: Int64 = 0, limit: Int64 = -1
        var index = first + 3
        while index < args.count {
            let option = args[index]
            if !store && option.equalsIgnoringCase("WITHSCORES") {
                withScores = true
            } else if option.equalsIgnoringCase("LIMIT") && args.count - index - 1 >= 2 {
                guard let parsedOffset = args[index + 1].int64Value, let parsedLimit = args[index + 2].int64Value else { throw .notInteger }
                (offset, limit) = (parsedOffset, parsedLimit)
                index += 2
            } else if fixedReverse == nil && reverse == nil && option.equalsIgnoringCase("REV") {
                reverse = true
            } else if fixedKind == nil && kind == nil && option.equalsIgnoringCase("BYLEX") {
                kind = .lex
            } else if fixedKind == nil && kind == nil && option.equalsIgnoringCase("BYSCORE") {
                kind = .score
            } else {
                throw .syntax
            }
            index += 1
        }
        let finalKind = kind ?? .rank
        let isReverse = reverse ?? false
        if limit != -1 && finalKind == .rank {
            throw CommandError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        }
        if withScores && finalKind == .lex {
            throw CommandError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
        }
        // The reverse forms take the range as `max min`.
        var (low, high) = (args[first + 1], args[first + 2])
        if isReverse && finalKind != .rank { (low, high) = (high, low) }
        let select: (SortedSetValue) -> [ScoredMember]
        switch finalKind {
        case .rank:
            guard let start = low.int64Value, let end = high.int64Value else { throw .notInteger }
            select = { sortedSet in
                let ranks = Engine.ranks(start: start, end: end, count: sortedSet.count)
                // Reversed ranks count from the highest.
                let chosen = isReverse ? sortedSet.count - ranks.upperBound..<sortedSet.count - ranks.lowerBound : ranks
                return sortedSet.entries(ranks: chosen, reverse: isReverse)
            }
        case .score:
            guard let range = ScoreRange(min: low, max: high) else { throw .notFloatRange }
            select = { Engine.limited($0.ranks(in: range), in: $0, offset: offset, limit: limit, reverse: isReverse) }
        case .lex:
            guard let range = LexRange(min: low, max: high) else { throw .notLexRange }
            select = { Engine.limited($0.ranks(in: range), in: $0, offset: offset, limit: limit, reverse: isReverse) }
        }
        let source = args[first]
        let found = try readSortedSet(source)
        let entries = found.map(select) ?? []
        if store { return storeSortedSet(entries, at: args[1], event: .zrangestore) }
        return Engine.reply(entries, withScores: withScores)
    }

    /// LIMIT offset count applied to `ranks`, from the end when `reverse`:
    /// a negative offset selects nothing and a negative count everything,
    /// as in Redis.
    private static func limited(
        _ ranks: Range<Int>, in sortedSet: SortedSetValue, offset: Int64, limit: Int64, reverse: Bool
    ) -> [ScoredMember] {
        guard offset >= 0, offset < Int64(ranks.count) else { return [] }
        let available = Int64(ranks.count) - offset
        let taken = Int(limit < 0 ? available : min(limit, available))
        let start = Int(offset)
        let chosen = reverse ? ranks.upperBound - start - taken..<ranks.upperBound - start : ranks.lowerBound + start..<ranks.lowerBound + start + taken
        return sortedSet.entries(ranks: chosen, reverse: reverse)
    }

    /// Members, or members and scores in pairs.
    static func reply(_ entries: [ScoredMember], withScores: Bool) -> Reply {
        guard withScores else { return .array(entries.map { .bulk($0.member) }) }
        return .pairs(entries.flatMap { [Reply.bulk($0.member), .double($0.score)] })
    }

    /// The *STORE commands' end: the entries replace whatever `key` held
    /// (or delete it, if none), then `event`.
    func storeSortedSet(_ entries: [ScoredMember], at key: Bytes, event: KeyEvent) -> Reply {
        let value = SortedSetValue.make(entries, limits: encodingLimits) ?? .empty
        if storeResult(.sortedSet(value), isEmpty: value.isEmpty, at: key) { signalWrite(event, key) }
        return .integer(Int64(value.count))
    }

    // MARK: Random and scan

    /// ZRANDMEMBER key [count [WITHSCORES]], with Redis's cases for a count.
    func zrandmember(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard args.count >= 3 else {
            return try readSortedSet(args[1])?.randomEntry(using: &random).map { .bulk($0.member) } ?? .null
        }
        let count = try Engine.randomCount(args[2])
        if args.count > 4 || (args.count == 4 && !args[3].equalsIgnoringCase("WITHSCORES")) { throw .syntax }
        let withScores = args.count == 4
        if withScores && (count < -Int64.max / 2 || count > Int64.max / 2) { throw CommandError("ERR value is out of range") }
        guard let sortedSet = try readSortedSet(args[1]), count != 0 else { return .array([]) }
        let picked = randomPicks(count: count, size: sortedSet.count, all: { sortedSet.entries },
                                 draw: { sortedSet.randomEntry(using: &random) }, identity: \.member)
        return Engine.reply(picked, withScores: withScores)
    }

    /// ZSCAN key cursor [MATCH pattern] [COUNT count].
    func zscan(_ args: [Bytes]) throws(CommandError) -> Reply {
        let options = try ScanOptions(args[2...])
        guard let sortedSet = try readSortedSet(args[1]) else { return .array([.bulk("0"), .array([])]) }
        var found: [Reply] = []
        switch sortedSet.storage {
        case .packed:
            for entry in sortedSet.entries where options.matches(entry.member) {
                found += [.bulk(entry.member), .bulk(Score.format(entry.score))]
            }
            return .array([.bulk("0"), .array(found)])
        case .indexed(let index):
            let next = options.scan(index.scores) { entry in
                if options.matches(entry.key) { found += [.bulk(entry.key), .bulk(Score.format(entry.score))] }
            }
            return .array([.bulk(Bytes(String(next))), .array(found)])
        }
    }
}
