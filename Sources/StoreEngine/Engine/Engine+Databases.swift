/// Redis's numbered databases: SELECT, SWAPDB, MOVE, and the bookkeeping
/// that lets commands work on the selected one as if it were the only one.
///
/// The selected database lives in `keyspace`, the others in `parked`;
/// selecting swaps two keyspaces (a few pointers), so the commands' hot path
/// never indexes an array.
extension Engine {
    /// Databases 0 to 15, as Redis's default `databases 16`.
    public static let databaseCount = 16

    /// Makes `database` the default session's (`execute` without a session).
    public func select(_ database: Int) {
        precondition((0..<Engine.databaseCount).contains(database), "database \(database) out of range")
        defaultSession.database = database
        use(database)
    }

    /// Puts `database`'s keys in `keyspace`, where commands work on them.
    func use(_ database: Int) {
        guard database != selectedDatabase else { return }
        swap(&keyspace, &parked[selectedDatabase])
        swap(&keyspace, &parked[database])
        selectedDatabase = database
        events.database = database
        refreshParkedDeadline()
    }

    /// After a parked database changed without being selected (SWAPDB, a load).
    private func refreshParkedDeadline() {
        parkedDeadline = parked.compactMap(\.earliestDeadline).min()
    }

    /// Runs `body` with `database` selected, then selects back.
    func withDatabase<R>(_ database: Int, _ body: () -> R) -> R {
        let previous = selectedDatabase
        use(database)
        defer { use(previous) }
        return body()
    }

    /// A database's keys, to read (a copy that shares storage): the selected
    /// one lives in `keyspace`, the others in `parked`.
    func keys(of database: Int) -> Keyspace {
        database == selectedDatabase ? keyspace : parked[database]
    }

    /// Keys in `database`, including expired ones not yet removed.
    public func keyCount(in database: Int) -> Int {
        keys(of: database).count
    }

    /// Keys with a deadline in `database`.
    public func volatileKeyCount(in database: Int) -> Int {
        keys(of: database).volatileCount
    }

    /// Replaces every database (a snapshot load), keeping the selection.
    func install(_ databases: [Keyspace]) {
        precondition(databases.count == Engine.databaseCount)
        parked = databases
        keyspace = parked[selectedDatabase]
        parked[selectedDatabase] = Keyspace()
        refreshParkedDeadline()
    }

    /// An argument as Redis's `getIntFromObjectOrReply` reads an int.
    private static func int32(_ argument: Bytes) -> Int? {
        argument.int64Value.flatMap { Int32(exactly: $0) }.map(Int.init)
    }

    /// A database number argument, as Redis's `getIntFromObjectOrReply`
    /// then `selectDb` check it: an integer, within an int, then a database.
    func databaseIndex(_ argument: Bytes) throws(CommandError) -> Int {
        guard let value = argument.int64Value else { throw .notInteger }
        guard let index = Int32(exactly: value) else {
            throw CommandError("ERR value is out of range, value must between -2147483648 and 2147483647")
        }
        guard (0..<Int32(Engine.databaseCount)).contains(index) else { throw CommandError("ERR DB index is out of range") }
        return Int(index)
    }

    func selectCommand(_ args: [Bytes]) throws(CommandError) -> Reply {
        let database = try databaseIndex(args[1])
        session.database = database
        use(database)
        return .ok
    }

    func swapdb(_ args: [Bytes]) -> Reply {
        guard let first = Self.int32(args[1]) else { return .error("ERR invalid first DB index") }
        guard let second = Self.int32(args[2]) else { return .error("ERR invalid second DB index") }
        let range = 0..<Engine.databaseCount
        guard range.contains(first), range.contains(second) else { return .error("ERR DB index is out of range") }
        if first != second {
            touchWatchedKeys(in: first, replacedWith: second)
            touchWatchedKeys(in: second, replacedWith: first)
            let selected = selectedDatabase
            use(first)
            swap(&keyspace, &parked[second])
            refreshParkedDeadline()
            use(selected)
            if !blockedOn.isEmpty { signalReadyKeys(in: [first, second]) }
            events.emit(.swapped(first, second))
        }
        dirty += 1
        return .ok
    }

    func move(_ args: [Bytes]) throws(CommandError) -> Reply {
        let target = try databaseIndex(args[2])
        if target == selectedDatabase { return .error("ERR source and destination objects are the same") }
        guard let slot = lookup(args[1]) else { return .zero }
        let value = keyspace.value(at: slot)
        let deadline = keyspace.deadline(at: slot)
        let source = selectedDatabase
        let moved = withDatabase(target) { () -> Bool in
            guard lookup(args[1]) == nil else { return false }
            keyspace.insert(args[1], value: value, deadline: deadline)
            // dbAdd's event in Redis, in the target database.
            events.key(.new, args[1])
            return true
        }
        guard moved, let current = keyspace.find(args[1]) else { return .zero }
        keyspace.remove(at: current)
        events.database = source
        signalWrite(.moveFrom, args[1])
        events.database = target
        signalWrite(.moveTo, args[1], changes: 0)
        events.database = source
        return .one
    }
}

extension Engine {
    /// COPY source destination [DB destination-db] [REPLACE], TTL included.
    func copy(_ args: [Bytes]) throws(CommandError) -> Reply {
        var target = selectedDatabase
        var replace = false
        var index = 3
        while index < args.count {
            if args[index].equalsIgnoringCase("REPLACE") {
                replace = true
            } else if args[index].equalsIgnoringCase("DB"), index + 1 < args.count {
                target = try databaseIndex(args[index + 1])
                index += 1
            } else {
                return .syntaxError
            }
            index += 1
        }
        let (source, destination) = (args[1], args[2])
        if target == selectedDatabase && source == destination {
            return .error("ERR source and destination objects are the same")
        }
        guard let slot = lookupRead(source) else { return .zero }
        let value = keyspace.value(at: slot).copied
        let deadline = keyspace.deadline(at: slot)
        return withDatabase(target) {
            if let existing = lookup(destination) {
                guard replace else { return .zero }
                keyspace.remove(at: existing)
            }
            keyspace.insert(destination, value: value, deadline: deadline)
            events.key(.new, destination)
            signalWrite(.copyTo, destination)
            return .one
        }
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let databaseCommands: [(String, Handler)] = [
        ("copy", { engine, args throws(CommandError) in try engine.copy(args) }),
        ("move", { engine, args throws(CommandError) in try engine.move(args) }),
        ("select", { engine, args throws(CommandError) in try engine.selectCommand(args) }),
        ("swapdb", { $0.swapdb($1) }),
    ]
}
