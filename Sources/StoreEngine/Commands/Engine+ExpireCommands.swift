/// Deadlines: the EXPIRE family, TTL, PERSIST, and active expiry, after
/// Redis's `expire.c`.
extension Engine {
    func expire(_ args: [Bytes]) -> Reply { expireGeneric(args, base: now, unit: .seconds) }
    func pexpire(_ args: [Bytes]) -> Reply { expireGeneric(args, base: now, unit: .milliseconds) }
    func expireat(_ args: [Bytes]) -> Reply { expireGeneric(args, base: 0, unit: .seconds) }
    func pexpireat(_ args: [Bytes]) -> Reply { expireGeneric(args, base: 0, unit: .milliseconds) }

    /// Redis's `expireGenericCommand`, with NX, XX, GT and LT.
    private func expireGeneric(_ args: [Bytes], base: Int64, unit: SetOptions.Expiry.Unit) -> Reply {
        var nx = false, xx = false, gt = false, lt = false
        for option in args.dropFirst(3) {
            if option.equalsIgnoringCase("NX") { nx = true }
            else if option.equalsIgnoringCase("XX") { xx = true }
            else if option.equalsIgnoringCase("GT") { gt = true }
            else if option.equalsIgnoringCase("LT") { lt = true }
            else { return .error("ERR Unsupported option \(option)") }
        }
        if nx && (xx || gt || lt) {
            return .error("ERR NX and XX, GT or LT options at the same time are not compatible")
        }
        if gt && lt {
            return .error("ERR GT and LT options at the same time are not compatible")
        }
        guard var when = args[2].int64Value else { return .notInteger }
        let invalid = Reply.error("ERR invalid expire time in '\(args[0].asciiLowercased())' command")
        if unit == .seconds {
            if when > Int64.max / 1000 || when < Int64.min / 1000 { return invalid }
            when *= 1000
        }
        if when > Int64.max - base { return invalid }
        when += base

        let key = args[1]
        guard let slot = lookup(key) else { return .zero }
        let current = keyspace.deadline(at: slot)
        let hasDeadline = current != KeyTable.Slot.persistent
        if nx && hasDeadline { return .zero }
        if xx && !hasDeadline { return .zero }
        if gt && (!hasDeadline || when <= current) { return .zero }
        if lt && hasDeadline && when >= current { return .zero }

        if isPast(when) {
            keyspace.remove(at: slot)
            signalWrite(.del, key)
            rewritePropagation(["DEL", key])
        } else {
            keyspace.setDeadline(at: slot, to: when)
            signalWrite(.expire, key)
            if !args[0].equalsIgnoringCase("PEXPIREAT") { rewritePropagation(["PEXPIREAT", key, Bytes(when)]) }
        }
        return .one
    }

    func ttl(_ args: [Bytes]) -> Reply { timeToLive(args[1], milliseconds: false, absolute: false) }
    func pttl(_ args: [Bytes]) -> Reply { timeToLive(args[1], milliseconds: true, absolute: false) }
    func expiretime(_ args: [Bytes]) -> Reply { timeToLive(args[1], milliseconds: false, absolute: true) }
    func pexpiretime(_ args: [Bytes]) -> Reply { timeToLive(args[1], milliseconds: true, absolute: true) }

    /// Redis's `ttlGenericCommand`: -2 for no key, -1 for no deadline,
    /// seconds rounded to the nearest.
    private func timeToLive(_ key: Bytes, milliseconds: Bool, absolute: Bool) -> Reply {
        guard let slot = lookupRead(key) else { return .integer(-2) }
        let deadline = keyspace.deadline(at: slot)
        if deadline == KeyTable.Slot.persistent { return .integer(-1) }
        let ttl = max(absolute ? deadline : deadline - now, 0)
        // (ttl + 500) / 1000 without overflow near Int64.max.
        return .integer(milliseconds ? ttl : ttl / 1000 + (ttl % 1000 >= 500 ? 1 : 0))
    }

    func persist(_ args: [Bytes]) -> Reply {
        guard let slot = lookup(args[1]), keyspace.deadline(at: slot) != KeyTable.Slot.persistent else {
            return .zero
        }
        keyspace.setDeadline(at: slot, to: KeyTable.Slot.persistent)
        signalWrite(.persist, args[1])
        return .one
    }

    // MARK: Active expiry

    /// Removes keys whose deadline has passed, earliest first, at most
    /// `limit` of them, and tells observers (`expired`) in one batch.
    ///
    /// Call it at `nextDeadline` and again while it reports more due: the
    /// limit bounds each pause, the deadline index means no sampling.
    /// - Returns: how many keys were removed, and whether more are due.
    @discardableResult
    public func expireDueKeys(limit: Int = 2048) -> (removed: Int, moreDue: Bool) {
        now = clock.now()
        var removed = 0
        var moreDue = false
        let selected = selectedDatabase
        for database in 0..<Engine.databaseCount {
            let earliest = keys(of: database).earliestDeadline
            guard let earliest, earliest < now else { continue }
            use(database)
            while removed < limit, let slot = keyspace.nextDue(now: now) {
                removeExpired(at: slot)
                finishPropagation(of: [], changed: false)
                removed += 1
            }
            if keyspace.earliestDeadline.map({ $0 < now }) == true { moreDue = true }
        }
        use(selected)
        events.deliver()
        return (removed, moreDue)
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let expireCommands: [(String, Handler)] = [
        ("expire", { $0.expire($1) }),
        ("expireat", { $0.expireat($1) }),
        ("expiretime", { $0.expiretime($1) }),
        ("persist", { $0.persist($1) }),
        ("pexpire", { $0.pexpire($1) }),
        ("pexpireat", { $0.pexpireat($1) }),
        ("pexpiretime", { $0.pexpiretime($1) }),
        ("pttl", { $0.pttl($1) }),
        ("ttl", { $0.ttl($1) }),
    ]
}
