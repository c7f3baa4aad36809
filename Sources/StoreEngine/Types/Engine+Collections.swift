/// How the engine reaches a collection inside a `Value`: the case it is
/// in, and when it is empty.
struct CollectionAccess<Collection>: Sendable {
    let extract: @Sendable (Value) -> Collection?
    let wrap: @Sendable (Collection) -> Value
    let isEmpty: @Sendable (Collection) -> Bool
    /// Gives back the room a packed encoding grew into, after a change.
    var trim: @Sendable (inout Collection) -> Void = { _ in }
}

/// The arguments of ZMPOP and LMPOP (and of their blocking forms): numkeys,
/// the keys, the side to pop from, and an optional COUNT, checked in
/// Redis's order (the side before the count).
struct MultiPopArguments<Side> {
    let keys: ArraySlice<Bytes>
    let side: Side
    let count: Int64

    /// Reads `args` from numkeys at `index` on; `side` reads the side's word.
    init(_ args: [Bytes], numkeysAt index: Int, side: (Bytes) throws(CommandError) -> Side) throws(CommandError) {
        let keyCountError = CommandError("ERR numkeys should be greater than 0")
        guard let keyCount = args[index].int64Value, keyCount >= 1 else { throw keyCountError }
        guard keyCount < Int64(args.count - index - 1) else { throw .syntax }
        let sideIndex = index + 1 + Int(keyCount)
        keys = args[index + 1..<sideIndex]
        self.side = try side(args[sideIndex])
        var count: Int64?
        var option = sideIndex + 1
        while option < args.count {
            guard count == nil, args[option].equalsIgnoringCase("COUNT"), option + 1 < args.count else { throw .syntax }
            guard let parsed = args[option + 1].int64Value, parsed >= 1 else { throw CommandError("ERR count should be greater than 0") }
            count = parsed
            option += 2
        }
        self.count = count ?? 1
    }
}

/// Access to collection values, after Redis's `db.c` and the
/// `*TypeLookupWriteOrCreate` of each type.
extension Engine {
    /// The collection at a live key a command reads (`lookupRead`);
    /// WRONGTYPE for a key of another type.
    func readCollection<C>(_ key: Bytes, _ extract: (Value) -> C?) throws(CommandError) -> C? {
        guard let slot = lookupRead(key) else { return nil }
        guard let collection = extract(keyspace.value(at: slot)) else { throw .wrongType }
        return collection
    }

    /// The collection at a live key a command writes (Redis's
    /// `lookupKeyWrite`: no hit or miss counted); WRONGTYPE for another type.
    func writableCollection<C>(_ key: Bytes, _ extract: (Value) -> C?) throws(CommandError) -> C? {
        guard let slot = lookup(key) else { return nil }
        guard let collection = extract(keyspace.value(at: slot)) else { throw .wrongType }
        return collection
    }

    /// Changes the collection at `key` in place (Redis's `lookupKeyWrite`,
    /// then `*TypeLookupWriteOrCreate` when `create` is given): a new key is
    /// added first (`new`), and a collection left empty is removed (`del`).
    /// - Returns: what `body` returns; `nil` when there is no such key and
    ///   nothing to create.
    func modifyCollection<C, R>(
        _ key: Bytes, create: C?, as access: CollectionAccess<C>, _ body: (inout C) throws(CommandError) -> R
    ) throws(CommandError) -> R? {
        var slot = lookup(key)
        // A key of another type is refused below, where the value is taken out.
        if slot == nil, let create {
            events.key(.new, key)
            slot = keyspace.insert(key, value: access.wrap(create))
        } else if slot == nil {
            return nil
        }
        let index = slot!
        var emptied = false
        let outcome = keyspace.modifyValue(at: index) { value -> Result<R, CommandError> in
            guard var collection = access.extract(value) else { return .failure(.wrongType) }
            // The slot lets go of the collection, so that it changes in place.
            value = .string(Bytes())
            defer {
                emptied = access.isEmpty(collection)
                access.trim(&collection)
                value = access.wrap(collection)
            }
            return Result { () throws(CommandError) -> R in try body(&collection) }
        }
        if emptied {
            keyspace.remove(at: index)
            events.key(.del, key)
        }
        return try outcome.get()
    }

    /// HDEL, SREM and ZREM: removes each element named after the key, stops
    /// once the collection is empty, and answers how many it removed.
    func removeElements<C>(
        _ args: [Bytes], as access: CollectionAccess<C>, event: KeyEvent, _ remove: (inout C, Bytes) -> Bool
    ) throws(CommandError) -> Reply {
        let key = args[1]
        let removed = try modifyCollection(key, create: nil, as: access) { collection in
            var removed = 0
            for element in args[2...] where remove(&collection, element) {
                removed += 1
                if access.isEmpty(collection) { break }
            }
            // Before the `del` of a collection left empty.
            if removed > 0 { signalWrite(event, key, changes: removed) }
            return removed
        } ?? 0
        return .integer(Int64(removed))
    }

    /// Redis's sanitising of `start stop` indexes (negative from the end),
    /// as ZRANGE's ranks, LRANGE and LTRIM read them: empty when out of range.
    static func ranks(start: Int64, end: Int64, count: Int) -> Range<Int> {
        let length = Int64(count)
        var (start, end) = (start, end)
        if start < 0 { start = length + start }
        if end < 0 { end = length + end }
        if start < 0 { start = 0 }
        guard start <= end, start < length else { return 0..<0 }
        if end >= length { end = length - 1 }
        return Int(start)..<Int(end) + 1
    }

    /// The count of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: an integer
    /// other than the one whose negation overflows, as Redis reads it.
    static func randomCount(_ argument: Bytes) throws(CommandError) -> Int64 {
        guard let count = argument.int64Value else { throw .notInteger }
        guard count != .min else {
            throw CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        return count
    }

    /// What HRANDFIELD, SRANDMEMBER and ZRANDMEMBER pick for a count, in
    /// Redis's cases: a negative count (or 1) draws that many, repeats
    /// allowed; a count as large as the collection takes it all; otherwise
    /// `draw` runs until `count` distinct elements (by `identity`) came.
    func randomPicks<Element>(
        count: Int64, size: Int, all: () -> [Element], draw: () -> Element?, identity: (Element) -> Bytes
    ) -> [Element] {
        var picked: [Element] = []
        if count < 0 || count == 1 {
            picked.reserveCapacity(Int(min(count.magnitude, 1 << 20)))
            for _ in 0..<count.magnitude {
                if let element = draw() { picked.append(element) }
            }
        } else if count >= size {
            picked = all()
        } else {
            var chosen = Set<Bytes>()
            while chosen.count < count, let element = draw() {
                if chosen.insert(identity(element)).inserted { picked.append(element) }
            }
        }
        return picked
    }

    /// Stores a command's result at `key` whatever was there (Redis's
    /// `setKey` for SINTERSTORE and the like): `new` for a new key; an
    /// empty result deletes the key instead (`del` when there was one).
    /// - Returns: whether a value was stored.
    @discardableResult
    func storeResult(_ value: Value, isEmpty: Bool, at key: Bytes) -> Bool {
        let slot = lookup(key)
        guard !isEmpty else {
            if let slot {
                keyspace.remove(at: slot)
                signalWrite(.del, key)
            }
            return false
        }
        store(key, value, at: slot)
        return true
    }
}
