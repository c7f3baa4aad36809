/// A key's entry in the keyspace's table: the key and its value. Its
/// deadline, which most keys lack, is kept beside the table (`Keyspace`).
struct KeyEntry: TableEntry {
    var key: Bytes
    var value: Value
}

/// A key as the keyspace gives it: its key, value and deadline.
struct KeySlot: Sendable {
    var key: Bytes
    var value: Value
    /// Absolute Unix milliseconds, or `KeySlot.persistent`.
    var deadline: Int64

    static let persistent: Int64 = -1
}

/// The keyspace's hash table.
typealias KeyTable = OpenTable<KeyEntry>

extension OpenTable where Entry == KeyEntry {
    typealias Slot = KeySlot
}

/// One database: the key table and the deadline index kept in step with it.
///
/// Pure state, with no clock and no events: the engine decides when a key is
/// expired and tells observers. A copy is O(1) and is what snapshots save.
public struct Keyspace: Sendable {
    typealias Slot = KeyTable.Slot

    private(set) var table = KeyTable()
    /// Each key's deadline by its position in the table, from the first
    /// deadline a key is given until the keyspace empties (`tracksDeadlines`);
    /// a keyspace whose keys never had one pays nothing for them (Redis keeps
    /// them in a second dict, `expires`). Kept while the last deadline goes,
    /// so that giving one key a TTL and taking it away stays O(1).
    private var deadlines: [Int64] = []
    /// Whether `deadlines` holds one per key.
    private(set) var tracksDeadlines = false
    private(set) var expiries = ExpiryQueue()
    /// Keys with a deadline.
    public private(set) var volatileCount = 0

    public init() {}

    /// The number of keys, expired ones not yet removed included.
    public var count: Int { table.count }

    func find(_ key: Bytes) -> Int? { table.find(key) }

    subscript(slot index: Int) -> Slot {
        let entry = table[slot: index]
        return Slot(key: entry.key, value: entry.value, deadline: deadline(at: index))
    }

    /// Adds a key that is not present.
    /// - Returns: its slot.
    @discardableResult
    mutating func insert(_ key: Bytes, value: Value, deadline: Int64 = Slot.persistent) -> Int {
        let slot = table.insertNew(KeyEntry(key: key, value: value))
        noteInserted(key, deadline: deadline)
        return slot
    }

    /// Records the deadline of the key just added at the table's end.
    private mutating func noteInserted(_ key: Bytes, deadline: Int64) {
        if deadline != Slot.persistent && !tracksDeadlines { trackDeadlines(count: table.count - 1) }
        if tracksDeadlines { deadlines.append(deadline) }
        if deadline != Slot.persistent {
            volatileCount += 1
            expiries.push(key, deadline: deadline)
            compactExpiriesIfStale()
        }
    }

    /// Starts keeping deadlines: `count` keys, none with one.
    private mutating func trackDeadlines(count: Int) {
        deadlines = Array(repeating: Slot.persistent, count: count)
        tracksDeadlines = true
    }

    /// Starts loading where `key` belongs into the cache (`OpenTable.prefetch`).
    /// - Returns: its hash, for `insertIfAbsent`.
    func prefetch(_ key: Bytes) -> Int { table.prefetch(key) }

    /// Adds a key unless it is present (a loader's insert), `hash` its hash.
    /// - Returns: false, changing nothing, when the key is there.
    mutating func insertIfAbsent(_ key: Bytes, hash: Int, value: Value, deadline: Int64) -> Bool {
        guard table.insertIfAbsent(KeyEntry(key: key, value: value), hash: hash) != nil else { return false }
        noteInserted(key, deadline: deadline)
        return true
    }

    /// Changes the value at `slot` in place, keeping its deadline.
    mutating func modifyValue<R, E: Error>(at slot: Int, _ body: (inout Value) throws(E) -> R) throws(E) -> R {
        try table.modify(at: slot) { (entry: inout KeyEntry) throws(E) -> R in try body(&entry.value) }
    }

    /// Replaces the value at `slot`, keeping its deadline.
    mutating func replaceValue(at slot: Int, with value: Value) {
        table.modify(at: slot) { $0.value = value }
    }

    /// The deadline at `slot`, or `Slot.persistent`.
    func deadline(at slot: Int) -> Int64 { tracksDeadlines ? deadlines[slot] : Slot.persistent }

    /// The value at `slot`.
    func value(at slot: Int) -> Value { table[slot: slot].value }

    /// Sets or clears (`Slot.persistent`) the deadline at `slot`.
    mutating func setDeadline(at slot: Int, to deadline: Int64) {
        let wasVolatile = self.deadline(at: slot) != Slot.persistent
        let isVolatile = deadline != Slot.persistent
        if isVolatile && !tracksDeadlines { trackDeadlines(count: table.count) }
        if tracksDeadlines { deadlines[slot] = deadline }
        volatileCount += (isVolatile ? 1 : 0) - (wasVolatile ? 1 : 0)
        if isVolatile {
            expiries.push(table.key(at: slot), deadline: deadline)
            compactExpiriesIfStale()
        }
    }

    /// Removes the key at `slot`; the last key moves into its place.
    @discardableResult
    mutating func remove(at slot: Int) -> Slot {
        let deadline = deadline(at: slot)
        let removed = table.remove(at: slot)
        if tracksDeadlines {
            deadlines.swapAt(slot, deadlines.count - 1)
            deadlines.removeLast()
            if table.count == 0 {
                deadlines = []
                tracksDeadlines = false
            }
        }
        if deadline != Slot.persistent { volatileCount -= 1 }
        return Slot(key: removed.key, value: removed.value, deadline: deadline)
    }

    mutating func removeAll() {
        table.removeAll()
        deadlines = []
        tracksDeadlines = false
        expiries.removeAll()
        volatileCount = 0
    }

    mutating func reserve(_ additional: Int) { table.reserve(additional) }

    /// The earliest deadline in the index; possibly stale.
    var earliestDeadline: Int64? { expiries.earliestDeadline }

    /// Removes and returns the slot of the next key whose deadline is before
    /// `now`, skipping stale index entries; `nil` when none is due.
    mutating func nextDue(now: Int64) -> Int? {
        while let entry = expiries.popDue(now: now) {
            if let slot = table.find(entry.key), deadline(at: slot) == entry.deadline {
                return slot
            }
        }
        return nil
    }

    private mutating func compactExpiriesIfStale() {
        guard expiries.count > 2 * volatileCount + 1024 else { return }
        var live = [ExpiryQueue.Entry]()
        live.reserveCapacity(volatileCount)
        for (slot, deadline) in deadlines.enumerated() where deadline != Slot.persistent {
            live.append(.init(deadline: deadline, key: table.key(at: slot)))
        }
        expiries.rebuild(from: live)
    }

    /// Every key, in the table's order.
    var occupiedSlots: some Sequence<Slot> {
        table.entries.indices.lazy.map { self[slot: $0] }
    }

    func randomSlot<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        table.randomSlot(using: &generator)
    }
}
