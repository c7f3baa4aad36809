/// A key in a database: what WATCH watches and what a blocked session waits on.
struct DatabaseKey: Hashable {
    let database: Int
    let key: Bytes
}

/// What a blocked command does once a key it waits on holds something.
enum BlockedOperation: Sendable {
    /// BLPOP and BRPOP (`count` nil: one element, replied with its key);
    /// BLMPOP (up to `count`, replied as LMPOP).
    case pop(atFront: Bool, count: Int64?)
    /// BLMOVE and BRPOPLPUSH.
    case move(destination: Bytes, fromFront: Bool, toFront: Bool, isRPopLPush: Bool)
    /// BZPOPMIN and BZPOPMAX (`count` nil); BZMPOP.
    case popScored(highest: Bool, count: Int64?)

    /// Whether it waits for a list (else a sorted set).
    var waitsForList: Bool {
        if case .popScored = self { return false }
        return true
    }
}

/// Why and until when a session waits (Redis's `bpop`).
struct BlockedState: Sendable {
    let database: Int
    let keys: [Bytes]
    /// Unix milliseconds; 0 waits for ever.
    let deadline: Int64
    let operation: BlockedOperation
}

/// The blocking commands' machinery, after Redis's `blocked.c`. A command
/// that finds nothing to take blocks its session on its keys (the
/// processor's outcome then is no reply: `Session.isBlocked`). A write to a
/// key somebody waits on (`signalWrite`) marks it ready; once the outermost
/// command is over, the sessions waiting on ready keys are served in the
/// order they blocked, each as the command it ran would have been, and
/// their replies handed to their front ends (`Session.whenUnblocked`). A
/// deadline is kept in a queue like the keys' deadlines; the host's timer
/// answers a session whose time ran out.
extension Engine {
    /// The number of sessions blocked (INFO's `blocked_clients`).
    public var blockedSessionCount: Int { blockedSessions }
    /// Those of them with a deadline (INFO's `clients_in_timeout_table`).
    public var blockedWithTimeoutCount: Int { blockedWithTimeout }

    /// Blocks the running session on `keys` of its database until
    /// `deadline` (0: for ever).
    func block(on keys: [Bytes], deadline: Int64, operation: BlockedOperation) {
        let session = self.session
        // Front ends send nothing while a session waits; should one, the new wait replaces the old.
        forgetBlocked(session)
        session.blocked = BlockedState(database: session.database, keys: keys, deadline: deadline, operation: operation)
        var seen = Set<Bytes>()
        for key in keys where seen.insert(key).inserted {
            blockedOn[DatabaseKey(database: session.database, key: key), default: []].append(session)
        }
        if deadline != 0 {
            blockDeadlines.push(Bytes(Int64(session.id.rawValue)), deadline: deadline)
            blockedWithTimeout += 1
        }
        blockedSessions += 1
    }

    /// Whether the running session may block: a front end can wait for
    /// its reply, and it is not inside EXEC (where a blocking command
    /// answers as if its time ran out, as in Redis).
    var mayBlock: Bool { session.canBlock && callDepth <= 1 }

    /// Forgets that `session` waits, without answering it.
    func forgetBlocked(_ session: Session) {
        guard let state = session.blocked else { return }
        for key in Set(state.keys) {
            let waiting = DatabaseKey(database: state.database, key: key)
            blockedOn[waiting]?.removeAll { $0 === session }
            if blockedOn[waiting]?.isEmpty == true { blockedOn[waiting] = nil }
        }
        session.blocked = nil
        blockedSessions -= 1
        guard state.deadline != 0 else { return }
        blockedWithTimeout -= 1
        // The queue keeps the deadlines of waits that ended (served, unblocked,
        // closed) until they pass: rebuilt from the live ones once they dominate.
        if blockDeadlines.count > 2 * blockedWithTimeout + 64 {
            blockDeadlines.rebuild(from: sessions.values.compactMap { waiting in
                guard let deadline = waiting.blocked?.deadline, deadline != 0 else { return nil }
                return ExpiryQueue.Entry(deadline: deadline, key: Bytes(Int64(waiting.id.rawValue)))
            })
        }
    }

    /// Answers a blocked session now: CLIENT UNBLOCK (with `error`, as
    /// if the command failed; else as if its time ran out), or its front
    /// end giving up the wait (Esc in the UI, Ctrl-C at the prompt).
    /// - Returns: whether it was blocked.
    @discardableResult
    public func unblock(_ id: SessionID, error: Bool = false) -> Bool {
        // A session waiting for its long script is not blocked (`killScript(of:)` ends that).
        guard let session = session(id), session.blocked != nil else { return false }
        forgetBlocked(session)
        if error { countError("UNBLOCKED client unblocked via CLIENT UNBLOCK") }
        session.whenUnblocked?(error ? .error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : .nullArray)
        return true
    }

    /// Answers the sessions whose deadline passed, as Redis does: a null array.
    public func unblockTimedOut() {
        let now = clock.now()
        while let due = blockDeadlines.popDue(now: now) {
            guard let id = due.key.int64Value, let session = sessions[SessionID(rawValue: Int(id))],
                  session.blocked?.deadline == due.deadline else { continue }
            forgetBlocked(session)
            session.whenUnblocked?(.nullArray)
        }
    }

    /// Redis's `signalKeyAsReady`: a session waits on `key` (in the
    /// database of the events) and it was just written.
    func signalKeyAsReady(_ key: Bytes) {
        let ready = DatabaseKey(database: events.database, key: key)
        guard blockedOn[ready] != nil, readyKeySet.insert(ready).inserted else { return }
        readyKeys.append(ready)
    }

    /// After SWAPDB: keys somebody waits on that the swap brought.
    func signalReadyKeys(in databases: [Int]) {
        for waiting in blockedOn.keys where databases.contains(waiting.database) && keys(of: waiting.database).find(waiting.key) != nil {
            if readyKeySet.insert(waiting).inserted { readyKeys.append(waiting) }
        }
    }

    /// Redis's `handleClientsBlockedOnKeys`: serves the sessions waiting on
    /// ready keys, first blocked first served, as long as the key holds
    /// something; serving may make more keys ready (BLMOVE's destination).
    func serveBlockedSessions() {
        let running = session
        var answered: [(Session, Reply)] = []
        while !readyKeys.isEmpty {
            let ready = readyKeys
            readyKeys = []
            for key in ready {
                readyKeySet.remove(key)
                use(key.database)
                guard let slot = lookup(key.key) else { continue }
                let isList: Bool
                switch keyspace.value(at: slot) {
                case .list: isList = true
                case .sortedSet: isList = false
                default: continue
                }
                for receiver in blockedOn[key] ?? [] {
                    guard let state = receiver.blocked, state.operation.waitsForList == isList else { continue }
                    session = receiver
                    let reply: Reply
                    do {
                        // The key holds the type waited for (checked above), so something is taken.
                        guard let (served, propagated) = try take(state.operation, from: key.key) else { continue }
                        alsoPropagate(propagated)
                        reply = served
                    } catch {
                        // BLMOVE's destination became another type: WRONGTYPE, as in Redis.
                        reply = error.reply
                    }
                    finishPropagation(of: [], changed: false)
                    forgetBlocked(receiver)
                    answered.append((receiver, reply))
                    if lookup(key.key) == nil { break }
                }
            }
        }
        session = running
        use(running.database)
        for (receiver, reply) in answered { receiver.whenUnblocked?(reply) }
    }

    /// What every blocking command does: the first of `keys` holding
    /// something answers at once, propagated as the command without its
    /// wait (LPOP, LMOVE, ZPOPMIN...); else the session waits, or answers
    /// `unserved` where it may not wait (inside EXEC).
    func takeOrBlock(
        _ keys: ArraySlice<Bytes>, deadline: Int64, _ operation: BlockedOperation, unserved: Reply = .nullArray
    ) throws(CommandError) -> Reply {
        for key in keys {
            guard let (reply, propagated) = try take(operation, from: key) else { continue }
            rewritePropagation(propagated)
            return reply
        }
        guard mayBlock else { return unserved }
        block(on: Array(keys), deadline: deadline, operation: operation)
        return .nullArray
    }

    /// Does what a blocking command does once `key` holds something: its
    /// reply and the command it propagates as; `nil` when there is no such key.
    private func take(_ operation: BlockedOperation, from key: Bytes) throws(CommandError) -> (Reply, [Bytes])? {
        switch operation {
        case .pop(let atFront, let count):
            guard try writableList(key) != nil else { return nil }
            let popped = try popElements(from: key, atFront: atFront, count: count ?? 1) ?? []
            let name: Bytes = atFront ? "LPOP" : "RPOP"
            guard count != nil else { return (.array([.bulk(key), .bulk(popped[0])]), [name, key]) }
            return (.array([.bulk(key), .array(popped.map(Reply.bulk))]), [name, key, Bytes(Int64(popped.count))])
        case .move(let destination, let fromFront, let toFront, let isRPopLPush):
            guard try writableList(key) != nil else { return nil }
            let reply = try move(key, destination, fromFront: fromFront, toFront: toFront)
            return (reply, isRPopLPush ? ["RPOPLPUSH", key, destination]
                : ["LMOVE", key, destination, fromFront ? "LEFT" : "RIGHT", toFront ? "LEFT" : "RIGHT"])
        case .popScored(let highest, let count):
            guard try writableSortedSet(key) != nil else { return nil }
            let popped = try pop(from: key, highest: highest, count: count ?? 1) ?? []
            let name: Bytes = highest ? "ZPOPMAX" : "ZPOPMIN"
            guard count != nil else { return (.array([.bulk(key), .bulk(popped[0].member), .double(popped[0].score)]), [name, key]) }
            return (.array([.bulk(key), .array(popped.map { .array([.bulk($0.member), .double($0.score)]) })]),
                    [name, key, Bytes(Int64(popped.count))])
        }
    }

    /// Reads a blocking command's timeout (seconds, decimals allowed) as
    /// Redis's `getTimeoutFromObjectOrReply`: the deadline, or 0 for ever.
    func blockDeadline(_ argument: Bytes) throws(CommandError) -> Int64 {
        guard let seconds = Engine.longDouble(argument) else { throw CommandError("ERR timeout is not a float or out of range") }
        let milliseconds = (seconds * 1000).rounded(.up)
        // A C cast of what no long long holds gives its lowest value: negative.
        let fits = milliseconds.isFinite && milliseconds >= -0x1p63 && milliseconds < 0x1p63
        let whole = fits ? Int64(milliseconds) : Int64.min
        guard whole >= 0 else { throw CommandError("ERR timeout is negative") }
        // A deadline past the last millisecond there is waits for ever.
        let (deadline, overflows) = now.addingReportingOverflow(whole)
        return whole == 0 ? 0 : overflows ? .max : deadline
    }
}
