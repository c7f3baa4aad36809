/// MULTI, EXEC, DISCARD, WATCH and UNWATCH, after Redis's `multi.c`. While
/// a session is in MULTI the processor queues its commands (`execute`);
/// EXEC runs them one after the other through `call`, nothing else in
/// between, its "now" the same for all, their events delivered and their
/// propagations handed on together once it ends. A write to a watched key
/// (`signalWrite`), its expiry, a FLUSHDB, FLUSHALL or SWAPDB that touches
/// it marks each session watching it, and its EXEC then fails.
extension Engine {
    func multi(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard !session.isInTransaction else { throw CommandError("ERR MULTI calls can not be nested") }
        session.queued = []
        return .ok
    }

    func discard(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard session.isInTransaction else { throw CommandError("ERR DISCARD without MULTI") }
        discardTransaction(session)
        return .ok
    }

    func exec(_ args: [Bytes]) throws(CommandError) -> Reply {
        let session = self.session
        guard let queued = session.queued else { throw CommandError("ERR EXEC without MULTI") }
        if watchedKeyExpired(session) { session.watchedKeyChanged = true }
        if session.queueingFailed || session.watchedKeyChanged {
            let failed = session.queueingFailed
            discardTransaction(session)
            if failed { throw CommandError("EXECABORT Transaction discarded because of previous errors.") }
            return .nullArray
        }
        unwatchAll(session)
        session.queued = nil
        var replies: [Reply] = []
        replies.reserveCapacity(queued.count)
        for command in queued {
            // Looked up again: a command was known when it was queued.
            guard let entry = commands[command[0]] else { replies.append(.error(Engine.unknownCommandMessage(command))); continue }
            replies.append(call(entry, command, in: session))
        }
        // The commands propagate themselves; EXEC adds nothing.
        preventPropagation()
        return .array(replies)
    }

    func watch(_ args: [Bytes]) throws(CommandError) -> Reply {
        guard !session.isInTransaction else { throw CommandError("ERR WATCH inside MULTI is not allowed") }
        // No point in watching once a watched key changed.
        guard !session.watchedKeyChanged else { return .ok }
        for key in args.dropFirst() {
            let watched = DatabaseKey(database: session.database, key: key)
            guard session.watched[watched] == nil else { continue }
            session.watched[watched] = isLogicallyExpired(watched)
            watchers[watched, default: []].append(session)
        }
        return .ok
    }

    func unwatch(_ args: [Bytes]) throws(CommandError) -> Reply {
        unwatchAll(session)
        session.watchedKeyChanged = false
        return .ok
    }

    // MARK: The session's transaction state

    /// Leaves MULTI and forgets the watched keys (DISCARD, a failed EXEC,
    /// RESET, a closed connection).
    public func discardTransaction(_ session: Session) {
        session.queued = nil
        session.queueingFailed = false
        session.watchedKeyChanged = false
        unwatchAll(session)
    }

    /// Redis's `flagTransaction`: a command refused while queueing makes EXEC abort.
    func flagTransaction(_ session: Session) {
        if session.isInTransaction { session.queueingFailed = true }
    }

    func unwatchAll(_ session: Session) {
        for watched in session.watched.keys {
            watchers[watched]?.removeAll { $0 === session }
            if watchers[watched]?.isEmpty == true { watchers[watched] = nil }
        }
        session.watched = [:]
    }

    // MARK: Touching watched keys

    /// Redis's `touchWatchedKey`: every session watching `key` in the
    /// database of the events (`signalWrite`, expiry) fails its EXEC. A key
    /// already expired when watched and now deleted counts as unchanged.
    func touchWatchedKey(_ key: Bytes) {
        let watched = DatabaseKey(database: events.database, key: key)
        guard let sessions = watchers[watched] else { return }
        for session in sessions {
            if session.watched[watched] == true {
                guard keys(of: watched.database).find(key) != nil else {
                    session.watched[watched] = false
                    continue
                }
            }
            session.watchedKeyChanged = true
            unwatchAll(session)
        }
    }

    /// Redis's `touchAllWatchedKeysInDb` before FLUSHDB, FLUSHALL or
    /// SWAPDB empties or replaces `database`: a watched key there, or in
    /// `replacement` (SWAPDB's other database), changes.
    func touchWatchedKeys(in database: Int, replacedWith replacement: Int? = nil) {
        guard !watchers.isEmpty else { return }
        let emptied = keys(of: database)
        let replacing = replacement.map { keys(of: $0) }
        for (watched, sessions) in watchers where watched.database == database {
            let existed = emptied.find(watched.key) != nil
            let arrives = replacing?.find(watched.key) != nil
            guard existed || arrives else { continue }
            for session in sessions {
                if session.watched[watched] == true {
                    // Already expired when watched: gone now, or expired still, is no change.
                    if !arrives || replacing.map({ isExpired(key: watched.key, in: $0) }) == true { continue }
                } else if !existed, replacing.map({ isExpired(key: watched.key, in: $0) }) == true {
                    session.watched[watched] = true
                    continue
                }
                session.watchedKeyChanged = true
            }
        }
    }

    /// Redis's `isWatchedKeyExpired`: a watched key, live when watched, is
    /// past its deadline now (even if not yet removed).
    private func watchedKeyExpired(_ session: Session) -> Bool {
        session.watched.contains { watched, wasExpired in !wasExpired && isLogicallyExpired(watched) }
    }

    private func isLogicallyExpired(_ watched: DatabaseKey) -> Bool {
        isExpired(key: watched.key, in: keys(of: watched.database))
    }

    private func isExpired(key: Bytes, in keyspace: Keyspace) -> Bool {
        guard let slot = keyspace.find(key) else { return false }
        return isExpired(keyspace[slot: slot], at: now)
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let transactionCommands: [(String, Handler)] = [
        ("multi", { engine, args throws(CommandError) in try engine.multi(args) }),
        ("exec", { engine, args throws(CommandError) in try engine.exec(args) }),
        ("discard", { engine, args throws(CommandError) in try engine.discard(args) }),
        ("watch", { engine, args throws(CommandError) in try engine.watch(args) }),
        ("unwatch", { engine, args throws(CommandError) in try engine.unwatch(args) }),
    ]
}
