/// The keyspace commands, after Redis's `db.c`.
extension Engine {
    func del(_ args: [Bytes]) -> Reply {
        var deleted: Int64 = 0
        for key in args.dropFirst() where delete(key) {
            signalWrite(.del, key)
            deleted += 1
        }
        return .integer(deleted)
    }

    func exists(_ args: [Bytes]) -> Reply {
        .integer(Int64(args.dropFirst().count { lookupRead($0) != nil }))
    }

    func type(_ args: [Bytes]) -> Reply {
        .status(value(of: args[1])?.typeName ?? "none")
    }

    func keys(_ args: [Bytes]) -> Reply {
        let pattern = GlobPattern(args[1])
        var found: [Reply] = []
        for slot in keyspace.occupiedSlots {
            let key = slot.key
            if pattern.matches(key) && !isExpired(slot, at: now) { found.append(.bulk(key)) }
        }
        return .array(found)
    }

    /// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], with Redis's
    /// guarantee: a full iteration returns every key present throughout.
    func scan(_ args: [Bytes]) throws(CommandError) -> Reply {
        let options = try ScanOptions(args[1...], allowsType: true)
        // Collect first, then filter: lazy expiry below may move slots.
        var candidates: [Bytes] = []
        let next = options.scan(keyspace.table) { candidates.append($0.key) }
        var found: [Reply] = []
        for key in candidates where options.matches(key) {
            // Lazy expiry, but no hit, miss or keymiss: SCAN reads no key.
            guard let slot = lookup(key) else { continue }
            if let type = options.type, Bytes(keyspace.value(at: slot).typeName) != type { continue }
            found.append(.bulk(key))
        }
        return .array([.bulk(Bytes(String(next))), .array(found)])
    }

    /// Redis's `parseScanCursorOrReply`: an unsigned decimal, as `strtoul` reads it.
    static func parseCursor(_ text: Bytes) -> UInt64? {
        var digits = text.array[...]
        if digits.isEmpty { return 0 }
        // strtoul takes one sign; a minus negates modulo 2^64.
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let value = UInt64(String(decoding: digits, as: UTF8.self)) else { return nil }
        return negative ? 0 &- value : value
    }

    func rename(_ args: [Bytes]) -> Reply {
        renameGeneric(args, onlyIfAbsent: false)
    }

    func renamenx(_ args: [Bytes]) -> Reply {
        renameGeneric(args, onlyIfAbsent: true)
    }

    /// Redis's `renameGenericCommand`: the value and its deadline move together.
    private func renameGeneric(_ args: [Bytes], onlyIfAbsent: Bool) -> Reply {
        let (source, target) = (args[1], args[2])
        guard let sourceSlot = lookup(source) else { return .noSuchKey }
        if source == target { return onlyIfAbsent ? .zero : .ok }
        let moved = keyspace[slot: sourceSlot]
        if let targetSlot = lookup(target) {
            if onlyIfAbsent { return .zero }
            keyspace.remove(at: targetSlot)
        }
        // The removal may have moved the source: find it again.
        keyspace.remove(at: keyspace.find(source)!)
        events.key(.new, target)
        keyspace.insert(target, value: moved.value, deadline: moved.deadline)
        signalWrite(.renameFrom, source)
        signalWrite(.renameTo, target, changes: 0)
        return onlyIfAbsent ? .one : .ok
    }

    func randomkey(_ args: [Bytes]) -> Reply {
        while let slot = keyspace.randomSlot(using: &random) {
            let entry = keyspace[slot: slot]
            if isExpired(entry, at: now) {
                removeExpired(at: slot)
                continue
            }
            return .bulk(entry.key)
        }
        return .null
    }

    func dbsize(_ args: [Bytes]) -> Reply {
        .integer(Int64(keyspace.count))
    }

    func flushdb(_ args: [Bytes]) -> Reply {
        guard Self.isFlushMode(args) else { return .syntaxError }
        flushSelected()
        forcePropagation()
        return .ok
    }

    private static func isFlushMode(_ args: [Bytes]) -> Bool {
        args.count == 1 || (args.count == 2 && (args[1].equalsIgnoringCase("ASYNC") || args[1].equalsIgnoringCase("SYNC")))
    }

    private func flushSelected() {
        let removed = keyspace.count
        touchWatchedKeys(in: selectedDatabase)
        keyspace.removeAll()
        dirty += removed
        events.emit(.flushed(database: selectedDatabase, keys: removed))
    }

    /// FLUSHDB of every database, then as Redis's `flushAllDataAndResetRDB`:
    /// a running background save is stopped (it holds the data from before
    /// the flush), and when save rules are set the empty dataset is saved at
    /// once, so that neither a crash nor that save brings the data back.
    func flushall(_ args: [Bytes]) -> Reply {
        guard Self.isFlushMode(args) else { return .syntaxError }
        for database in 0..<Engine.databaseCount where keyCount(in: database) > 0 || database == selectedDatabase {
            withDatabase(database) { flushSelected() }
        }
        stopBackgroundSave()
        if let persistence, !persistence.rules.isEmpty {
            _ = saveInForeground(path: persistence.path)
        }
        forcePropagation()
        return .ok
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let keyCommands: [(String, Handler)] = [
        ("dbsize", { $0.dbsize($1) }),
        ("del", { $0.del($1) }),
        ("exists", { $0.exists($1) }),
        ("flushall", { $0.flushall($1) }),
        ("flushdb", { $0.flushdb($1) }),
        ("keys", { $0.keys($1) }),
        ("randomkey", { $0.randomkey($1) }),
        ("rename", { $0.rename($1) }),
        ("renamenx", { $0.renamenx($1) }),
        ("scan", { engine, args throws(CommandError) in try engine.scan(args) }),
        ("touch", { $0.exists($1) }),
        ("type", { $0.type($1) }),
        ("unlink", { $0.del($1) }),
    ]
}
