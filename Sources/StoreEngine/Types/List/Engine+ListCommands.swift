/// The list commands, after Redis's `t_list.c`.
extension Engine {
    static let listAccess = CollectionAccess<ListValue>(
        extract: { if case .list(let list) = $0 { list } else { nil } }, wrap: { .list($0) }, isEmpty: { $0.isEmpty },
        trim: { $0.trim() })

    /// The list at a live key a command reads; WRONGTYPE for another type.
    func readList(_ key: Bytes) throws(CommandError) -> ListValue? {
        try readCollection(key, Engine.listAccess.extract)
    }

    /// The list at `key` for a command that writes (no hit or miss counted).
    func writableList(_ key: Bytes) throws(CommandError) -> ListValue? {
        try writableCollection(key, Engine.listAccess.extract)
    }

    /// Changes the list at `key` in place; `create` makes an empty one first.
    func modifyList<R>(_ key: Bytes, create: Bool, _ body: (inout ListValue) throws(CommandError) -> R) throws(CommandError) -> R? {
        let new = create ? ListValue(fill: encodingLimits.listMaxListpackSize) : nil
        return try modifyCollection(key, create: new, as: Engine.listAccess, body)
    }

    // MARK: Pushing

    func lpush(_ args: [Bytes]) throws(CommandError) -> Reply { try push(args, atFront: true, onlyExisting: false) }
    func rpush(_ args: [Bytes]) throws(CommandError) -> Reply { try push(args, atFront: false, onlyExisting: false) }
    func lpushx(_ args: [Bytes]) throws(CommandError) -> Reply { try push(args, atFront: true, onlyExisting: true) }
    func rpushx(_ args: [Bytes]) throws(CommandError) -> Reply { try push(args, atFront: false, onlyExisting: true) }

    /// LPUSH, RPUSH, LPUSHX, RPUSHX (Redis's `pushGenericCommand`).
    private func push(_ args: [Bytes], atFront: Bool, onlyExisting: Bool) throws(CommandError) -> Reply {
        let key = args[1]
        let length = try modifyList(key, create: !onlyExisting) { list in
            for element in args[2...] { list.push(element, atFront: atFront) }
            return list.count
        }
        guard let length else { return .zero }
        signalWrite(atFront ? .lpush : .rpush, key, changes: args.count - 2)
        return .integer(Int64(length))
    }

    /// LINSERT key BEFORE|AFTER pivot element.
    func linsert(_ args: [Bytes]) throws(CommandError) -> Reply {
        let after: Bool
        if args[2].equalsIgnoringCase("AFTER") { after = true }
        else if args[2].equalsIgnoringCase("BEFORE") { after = false }
        else { throw .syntax }
        let (key, pivot, element) = (args[1], args[3], args[4])
        guard let list = try writableList(key) else { return .zero }
        var found: ListValue.Position?
        list.walk(from: 0) { position in
            if list.element(at: position, equals: pivot) { found = position }
            return found == nil
        }
        guard let found else { return .integer(-1) }
        let length = try modifyList(key, create: false) { list in
            list.insert(element, at: found, after: after)
            return list.count
        } ?? 0
        signalWrite(.linsert, key)
        return .integer(Int64(length))
    }

    // MARK: Reading

    func llen(_ args: [Bytes]) throws(CommandError) -> Reply {
        .integer(Int64(try readList(args[1])?.count ?? 0))
    }

    /// LINDEX key index: the key is looked up before the index is read, as in Redis.
    func lindex(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let list = try readList(args[1]) else { return .null }
        guard let index = args[2].int64Value else { throw .notInteger }
        return list.element(at: Int(index)).map(Reply.bulk) ?? .null
    }

    /// LRANGE key start stop.
    func lrange(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let start = args[2].int64Value, let stop = args[3].int64Value else { throw .notInteger }
        guard let list = try readList(args[1]) else { return .array([]) }
        let range = Self.ranks(start: start, end: stop, count: list.count)
        var replies: [Reply] = []
        replies.reserveCapacity(range.count)
        list.forEach(from: range.lowerBound, through: range.upperBound - 1) { replies.append(.bulk($0)) }
        return .array(replies)
    }

    /// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
    func lpos(_ args: [Bytes]) throws(CommandError) -> Reply {
        var (rank, count, maxLength): (Int64, Int64?, Int64) = (1, nil, 0)
        var index = 3
        while index < args.count {
            let option = args[index]
            let hasValue = index + 1 < args.count
            if option.equalsIgnoringCase("RANK") && hasValue {
                guard let parsed = args[index + 1].int64Value else { throw .notInteger }
                guard parsed != 0 else {
                    throw CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                }
                rank = parsed
            } else if option.equalsIgnoringCase("COUNT") && hasValue {
                guard let parsed = args[index + 1].int64Value, parsed >= 0 else { throw CommandError("ERR COUNT can't be negative") }
                count = parsed
            } else if option.equalsIgnoringCase("MAXLEN") && hasValue {
                guard let parsed = args[index + 1].int64Value, parsed >= 0 else { throw CommandError("ERR MAXLEN can't be negative") }
                maxLength = parsed
            } else {
                throw .syntax
            }
            index += 2
        }
        // A negative rank searches from the end (Redis negates it as a C
        // long: the lowest stays negative, and so matches at once).
        let fromBack = rank < 0
        if fromBack { rank = 0 &- rank }
        guard let list = try readList(args[1]) else { return count == nil ? .null : .array([]) }
        let element = args[2]
        var found: [Int64] = []
        var (walked, matches): (Int64, Int64) = (0, 0)
        list.walk(from: fromBack ? -1 : 0, reverse: fromBack) { position in
            guard maxLength == 0 || walked < maxLength else { return false }
            defer { walked += 1 }
            guard list.element(at: position, equals: element) else { return true }
            matches += 1
            guard matches >= rank else { return true }
            found.append(fromBack ? Int64(list.count) - walked - 1 : walked)
            guard let count else { return false }
            return count == 0 || matches &- rank &+ 1 < count
        }
        if count != nil { return .array(found.map { .integer($0) }) }
        return found.first.map { .integer($0) } ?? .null
    }

    // MARK: Changing

    /// LSET key index element.
    func lset(_ args: [Bytes]) throws(CommandError) -> Reply {
        let key = args[1]
        guard let list = try writableList(key) else { throw CommandError(Reply.noSuchKey) }
        guard let index = args[2].int64Value else { throw .notInteger }
        guard let position = list.position(of: Int(index)) else { throw CommandError("ERR index out of range") }
        _ = try modifyList(key, create: false) { $0.replace(at: position, with: args[3]) }
        signalWrite(.lset, key)
        return .ok
    }

    /// LREM key count element: a positive count removes from the front, a
    /// negative one from the back, zero every match.
    func lrem(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let count = args[2].int64Value else { throw .notInteger }
        let key = args[1]
        let removed = try modifyList(key, create: false) { list in
            let removed = list.remove(args[3], limit: Int(clamping: count.magnitude), fromBack: count < 0)
            // Before the `del` of a list left empty.
            if removed > 0 { signalWrite(.lrem, key, changes: removed) }
            return removed
        } ?? 0
        return .integer(Int64(removed))
    }

    /// LTRIM key start stop: `ltrim` even when nothing was removed, as Redis.
    func ltrim(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard let start = args[2].int64Value, let stop = args[3].int64Value else { throw .notInteger }
        let key = args[1]
        _ = try modifyList(key, create: false) { list in
            let kept = Self.ranks(start: start, end: stop, count: list.count)
            let (front, back) = kept.isEmpty ? (list.count, 0) : (kept.lowerBound, list.count - kept.upperBound)
            list.removeRange(from: 0, count: front)
            list.removeRange(from: list.count - back, count: back)
            signalWrite(.ltrim, key, changes: front + back)
        }
        return .ok
    }

    // MARK: Popping

    func lpop(_ args: [Bytes]) throws(CommandError) -> Reply { try pop(args, atFront: true) }
    func rpop(_ args: [Bytes]) throws(CommandError) -> Reply { try pop(args, atFront: false) }

    /// LPOP/RPOP key [count]: one element, or with a count an array of up to that many.
    private func pop(_ args: [Bytes], atFront: Bool) throws(CommandError) -> Reply {
        if args.count > 3 { throw CommandError(Reply.wrongArity(atFront ? "lpop" : "rpop")) }
        var count: Int64?
        if args.count == 3 {
            guard let parsed = args[2].int64Value, parsed >= 0 else { throw CommandError("ERR value is out of range, must be positive") }
            count = parsed
        }
        guard try writableList(args[1]) != nil else { return count == nil ? .null : .nullArray }
        if count == 0 { return .array([]) }
        let popped = try popElements(from: args[1], atFront: atFront, count: count ?? 1) ?? []
        return count == nil ? .bulk(popped[0]) : .array(popped.map(Reply.bulk))
    }

    /// Takes up to `count` elements from one end of the list at `key`
    /// (a list: the caller checked), in the order they leave.
    func popElements(from key: Bytes, atFront: Bool, count: Int64) throws(CommandError) -> [Bytes]? {
        try modifyList(key, create: false) { list in
            let taken = Int(min(count, Int64(list.count)))
            let range = atFront ? 0..<taken : list.count - taken..<list.count
            let popped = list.elements(from: range.lowerBound, through: range.upperBound - 1, reverse: !atFront)
            list.removeRange(from: range.lowerBound, count: taken)
            signalWrite(atFront ? .lpop : .rpop, key, changes: taken)
            return popped
        }
    }

    /// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the
    /// first non-empty list, propagated as LPOP/RPOP with the count popped.
    func lmpop(_ args: [Bytes]) throws(CommandError) -> Reply {
        let arguments = try MultiPopArguments(args, numkeysAt: 1, side: Self.listEnd)
        let atFront = arguments.side
        for key in arguments.keys {
            guard try writableList(key) != nil else { continue }
            let popped = try popElements(from: key, atFront: atFront, count: arguments.count) ?? []
            rewritePropagation([atFront ? "LPOP" : "RPOP", key, Bytes(Int64(popped.count))])
            return .array([.bulk(key), .array(popped.map(Reply.bulk))])
        }
        return .nullArray
    }

    /// LEFT (the front) or RIGHT, as LMOVE and LMPOP read it.
    private static func listEnd(_ word: Bytes) throws(CommandError) -> Bool {
        if word.equalsIgnoringCase("LEFT") { return true }
        if word.equalsIgnoringCase("RIGHT") { return false }
        throw .syntax
    }

    /// LMOVE source destination LEFT|RIGHT LEFT|RIGHT.
    func lmove(_ args: [Bytes]) throws(CommandError) -> Reply {
        let from = try Self.listEnd(args[3])
        let to = try Self.listEnd(args[4])
        return try move(args[1], args[2], fromFront: from, toFront: to)
    }

    /// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
    func rpoplpush(_ args: [Bytes]) throws(CommandError) -> Reply {
        try move(args[1], args[2], fromFront: false, toFront: true)
    }

    /// Moves an element from one end of `source` to one end of `destination`
    /// (Redis's `lmoveGenericCommand`): the push and its event first, then
    /// the pop's event and the source's `del` if it emptied; one change.
    func move(_ source: Bytes, _ destination: Bytes, fromFront: Bool, toFront: Bool) throws(CommandError) -> Reply {
        guard let sourceList = try writableList(source), let element = sourceList.peek(atFront: fromFront) else { return .null }
        let destinationExists = try writableList(destination) != nil
        let (pushed, popped): (KeyEvent, KeyEvent) = (toFront ? .lpush : .rpush, fromFront ? .lpop : .rpop)
        if source == destination {
            _ = try modifyList(source, create: false) { list in
                _ = list.pop(atFront: fromFront)
                list.push(element, atFront: toFront)
            }
            signalWrite(pushed, destination, changes: 0)
            signalWrite(popped, source)
        } else {
            _ = try modifyList(destination, create: !destinationExists) { $0.push(element, atFront: toFront) }
            signalWrite(pushed, destination, changes: 0)
            _ = try modifyList(source, create: false) { list in
                _ = list.pop(atFront: fromFront)
                signalWrite(popped, source)
            }
        }
        return .bulk(element)
    }
}

/// The blocking list commands: as their plain forms when a list has
/// something, else the session waits (`Engine+Blocking.swift`).
extension Engine {
    func blpop(_ args: [Bytes]) throws(CommandError) -> Reply { try blockingPop(args, atFront: true) }
    func brpop(_ args: [Bytes]) throws(CommandError) -> Reply { try blockingPop(args, atFront: false) }

    /// BLPOP/BRPOP key [key ...] timeout: the first list with an element
    /// gives one, replied with its key and propagated as LPOP/RPOP.
    private func blockingPop(_ args: [Bytes], atFront: Bool) throws(CommandError) -> Reply {
        let deadline = try blockDeadline(args[args.count - 1])
        return try takeOrBlock(args[1..<args.count - 1], deadline: deadline, .pop(atFront: atFront, count: nil))
    }

    /// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
    func blmpop(_ args: [Bytes]) throws(CommandError) -> Reply {
        let arguments = try MultiPopArguments(args, numkeysAt: 2, side: Self.listEnd)
        let deadline = try blockDeadline(args[1])
        return try takeOrBlock(arguments.keys, deadline: deadline, .pop(atFront: arguments.side, count: arguments.count))
    }

    /// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
    func blmove(_ args: [Bytes]) throws(CommandError) -> Reply {
        let from = try Self.listEnd(args[3])
        let to = try Self.listEnd(args[4])
        return try blockingMove(args, fromFront: from, toFront: to, deadline: try blockDeadline(args[5]), isRPopLPush: false)
    }

    /// BRPOPLPUSH source destination timeout.
    func brpoplpush(_ args: [Bytes]) throws(CommandError) -> Reply {
        try blockingMove(args, fromFront: false, toFront: true, deadline: try blockDeadline(args[3]), isRPopLPush: true)
    }

    /// Where it may not wait, an empty source answers at once (a null, not a null array).
    private func blockingMove(_ args: [Bytes], fromFront: Bool, toFront: Bool, deadline: Int64, isRPopLPush: Bool) throws(CommandError) -> Reply {
        let operation = BlockedOperation.move(destination: args[2], fromFront: fromFront, toFront: toFront, isRPopLPush: isRPopLPush)
        return try takeOrBlock(args[1...1], deadline: deadline, operation, unserved: .null)
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let listCommands: [(String, Handler)] = [
        ("lpush", { engine, args throws(CommandError) in try engine.lpush(args) }),
        ("rpush", { engine, args throws(CommandError) in try engine.rpush(args) }),
        ("lpushx", { engine, args throws(CommandError) in try engine.lpushx(args) }),
        ("rpushx", { engine, args throws(CommandError) in try engine.rpushx(args) }),
        ("linsert", { engine, args throws(CommandError) in try engine.linsert(args) }),
        ("llen", { engine, args throws(CommandError) in try engine.llen(args) }),
        ("lindex", { engine, args throws(CommandError) in try engine.lindex(args) }),
        ("lrange", { engine, args throws(CommandError) in try engine.lrange(args) }),
        ("lpos", { engine, args throws(CommandError) in try engine.lpos(args) }),
        ("lset", { engine, args throws(CommandError) in try engine.lset(args) }),
        ("lrem", { engine, args throws(CommandError) in try engine.lrem(args) }),
        ("ltrim", { engine, args throws(CommandError) in try engine.ltrim(args) }),
        ("lpop", { engine, args throws(CommandError) in try engine.lpop(args) }),
        ("rpop", { engine, args throws(CommandError) in try engine.rpop(args) }),
        ("lmpop", { engine, args throws(CommandError) in try engine.lmpop(args) }),
        ("lmove", { engine, args throws(CommandError) in try engine.lmove(args) }),
        ("rpoplpush", { engine, args throws(CommandError) in try engine.rpoplpush(args) }),
        ("blpop", { engine, args throws(CommandError) in try engine.blpop(args) }),
        ("brpop", { engine, args throws(CommandError) in try engine.brpop(args) }),
        ("blmpop", { engine, args throws(CommandError) in try engine.blmpop(args) }),
        ("blmove", { engine, args throws(CommandError) in try engine.blmove(args) }),
        ("brpoplpush", { engine, args throws(CommandError) in try engine.brpoplpush(args) }),
    ]
}
