/// One database: the key table and the deadline index kept in step with it.
///
/// Pure state, with no clock and no events: the engine decides when a key is
/// expired and tells observers. A copy is O(1) and is what snapshots save.
public struct Keyspace: Sendable {
    typealias Slot = KeyTable.Slot

    private(set) var table = KeyTable()
    private(set) var expiries = ExpiryQueue()
    /// Keys with a deadline.
    public private(set) var volatileCount = 0

    public init() {}

    /// The number of keys, expired ones not yet removed included.
    public var count: Int { table.count }

    func find(_ key: Bytes) -> Int? { table.find(key) }

    subscript(slot index: Int) -> Slot { table[slot: index] }

    /// Adds a key that is not present.
    /// - Returns: its slot.
    @discardableResult
    mutating func insert(_ key: Bytes, value: Value, deadline: Int64 = Slot.persistent) -> Int {
        let slot = table.insertNew(key, value: value, deadline: deadline)
        if deadline != Slot.persistent {
            volatileCount += 1
            expiries.push(key, deadline: deadline)
            compactExpiriesIfStale()
        }
        return slot
    }

    /// Changes the value at `slot` in place, keeping its deadline.
    mutating func modifyValue<R, E: Error>(at slot: Int, _ body: (inout Value) throws(E) -> R) throws(E) -> R {
        try table.modify(at: slot) { (entry: inout KeySlot) throws(E) -> R in try body(&entry.value) }
    }

    /// Replaces the value at `slot`, keeping its deadline.
    mutating func replaceValue(at slot: Int, with value: Value) {
        table.setValue(value, at: slot)
    }

    /// The deadline at `slot`, or `Slot.persistent`.
    func deadline(at slot: Int) -> Int64 { table.deadline(at: slot) }

    /// The value at `slot`.
    func value(at slot: Int) -> Value { table.value(at: slot) }

    /// Sets or clears (`Slot.persistent`) the deadline at `slot`.
    mutating func setDeadline(at slot: Int, to deadline: Int64) {
        let wasVolatile = table.deadline(at: slot) != Slot.persistent
        let isVolatile = deadline != Slot.persistent
        table.setDeadline(deadline, at: slot)
        volatileCount += (isVolatile ? 1 : 0) - (wasVolatile ? 1 : 0)
        if isVolatile {
            expiries.push(table.key(at: slot), deadline: deadline)
            compactExpiriesIfStale()
        }
    }

    /// Removes the key at `slot`. Other slots may move.
    @discardableResult
    mutating func remove(at slot: Int) -> Slot {
        let removed = table.remove(at: slot)
        if removed.deadline != Slot.persistent { volatileCount -= 1 }
        return removed
    }

    mutating func removeAll() {
        table.removeAll()
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
            if let slot = table.find(entry.key), table[slot: slot].deadline == entry.deadline {
                return slot
            }
        }
        return nil
    }

    private mutating func compactExpiriesIfStale() {
        guard expiries.count > 2 * volatileCount + 1024 else { return }
        var live = [ExpiryQueue.Entry]()
        live.reserveCapacity(volatileCount)
        for slot in table.slots where slot.deadline != Slot.persistent {
            live.append(.init(deadline: slot.deadline, key: slot.key!))
        }
        expiries.rebuild(from: live)
    }

    /// Every occupied slot, in table order.
    var occupiedSlots: some Sequence<Slot> {
        table.slots.lazy.filter { $0.key != nil }
    }

    func randomSlot<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        table.randomSlot(using: &generator)
    }
}
