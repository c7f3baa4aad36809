/// What an `OpenTable` holds in a slot: a key (nil: the slot is empty) and
/// whatever goes with it.
protocol TableEntry: Sendable {
    var key: Bytes? { get }
    /// An empty slot.
    static var empty: Self { get }
}

/// The keyspace's slots: a key, its value and its deadline.
struct KeySlot: TableEntry {
    var key: Bytes?
    var value: Value
    /// Absolute Unix milliseconds, or `KeySlot.persistent`.
    var deadline: Int64

    static let persistent: Int64 = -1
    static let empty = KeySlot(key: nil, value: .string(Bytes()), deadline: persistent)
}

/// The keyspace's hash table.
typealias KeyTable = OpenTable<KeySlot>

extension OpenTable where Entry == KeySlot {
    typealias Slot = KeySlot

    /// The deadline at `index`, read without copying the slot's key and value.
    func deadline(at index: Int) -> Int64 { slots[index].deadline }

    /// The value at `index`.
    func value(at index: Int) -> Value { slots[index].value }

    /// Replaces the value at an occupied slot, in place.
    mutating func setValue(_ value: Value, at index: Int) { slots[index].value = value }

    /// Replaces the deadline at an occupied slot, in place.
    mutating func setDeadline(_ deadline: Int64, at index: Int) { slots[index].deadline = deadline }

    /// Writes the value and deadline of a key that is not in the table.
    /// - Returns: its slot.
    @discardableResult
    mutating func insertNew(_ key: Bytes, value: Value, deadline: Int64) -> Int {
        insertNew(KeySlot(key: key, value: value, deadline: deadline))
    }
}

/// A hash table of `Bytes` keys: open addressing with linear probing over a
/// power-of-two array of slots, each holding its entry whole, so an entry
/// costs no allocation of its own. The keyspace is one (`KeyTable`); a
/// large hash or set is another, as Redis's `dict` serves both.
///
/// Written rather than taken from `Dictionary` for two guarantees
/// `Dictionary` cannot give: a key's home slot is a pure function of its
/// hash and the table size, which makes Redis's reverse-binary SCAN cursor
/// valid across growth and shrinking; and a random slot can be picked in
/// O(1) (RANDOMKEY, HRANDFIELD, SPOP). Deletion shifts entries back (no
/// tombstones). A copy is O(1) and copies the slots on the first write,
/// which is what a background save takes.
struct OpenTable<Entry: TableEntry>: Sendable {
    private(set) var slots: [Entry]
    private(set) var count = 0
    private var mask: Int

    static var minimumCapacity: Int { 16 }
    /// A table shrinks (rehashing every key in one go) once it is under a
    /// tenth full, but only while it holds at most this many keys, so that a
    /// removal never pauses for more than about a millisecond. A table emptied
    /// from millions of keys keeps its slots until few keys are left.
    static var maximumShrinkWork: Int { 16_384 }

    init(capacity: Int = 0) {
        let size = Self.size(for: capacity)
        slots = Array(repeating: .empty, count: size)
        mask = size - 1
    }

    /// The number of slots, a power of two.
    var capacity: Int { slots.count }

    /// Slots for `count` keys at a load of at most 3/4.
    private static func size(for count: Int) -> Int {
        var size = minimumCapacity
        while size * 3 / 4 < count { size <<= 1 }
        return size
    }

    @inline(__always)
    private func home(of key: Bytes) -> Int {
        key.hashValue & mask
    }

    /// The slot holding `key`, if any.
    /// - Complexity: O(1) on average.
    func find(_ key: Bytes) -> Int? {
        var index = home(of: key)
        while let candidate = slots[index].key {
            if candidate == key { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// The key at `index` (an occupied slot).
    func key(at index: Int) -> Bytes { slots[index].key! }

    subscript(slot index: Int) -> Entry {
        get { slots[index] }
        set {
            precondition(slots[index].key == newValue.key, "a slot keeps its key")
            slots[index] = newValue
        }
    }

    /// Changes the entry at an occupied slot in place (its key must stay).
    mutating func modify<R, E: Error>(at index: Int, _ body: (inout Entry) throws(E) -> R) throws(E) -> R {
        try body(&slots[index])
    }

    /// Writes an entry whose key is not in the table.
    /// - Returns: its slot.
    @discardableResult
    mutating func insertNew(_ entry: Entry) -> Int {
        if (count + 1) > capacity * 3 / 4 { resize(to: capacity * 2) }
        var index = home(of: entry.key!)
        while slots[index].key != nil { index = (index + 1) & mask }
        slots[index] = entry
        count += 1
        return index
    }

    /// Removes the key at `index`, shifting later members of its cluster back.
    /// - Returns: the removed slot.
    @discardableResult
    mutating func remove(at index: Int) -> Entry {
        let removed = slots[index]
        var hole = index
        var next = index
        while true {
            next = (next + 1) & mask
            guard let key = slots[next].key else { break }
            let wanted = home(of: key)
            // The entry at `next` may move into the hole unless its home
            // lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next)
            if staysPut { continue }
            slots[hole] = slots[next]
            hole = next
        }
        slots[hole] = .empty
        count -= 1
        if capacity > Self.minimumCapacity && count < capacity / 10 && count <= Self.maximumShrinkWork {
            resize(to: Self.size(for: count))
        }
        return removed
    }

    /// Makes room for `additional` more keys without further growth.
    mutating func reserve(_ additional: Int) {
        let size = Self.size(for: count + additional)
        if size > capacity { resize(to: size) }
    }

    private mutating func resize(to size: Int) {
        let old = slots
        slots = Array(repeating: .empty, count: size)
        mask = size - 1
        for slot in old {
            guard let key = slot.key else { continue }
            var index = home(of: key)
            while slots[index].key != nil { index = (index + 1) & mask }
            slots[index] = slot
        }
        LazyFree.release(consume old)
    }

    /// Empties the table, keeping no storage.
    mutating func removeAll() {
        let old = slots
        self = OpenTable()
        LazyFree.release(consume old)
    }

    /// A random occupied slot, or `nil` when empty. Slots after long empty
    /// runs are more likely, as buckets with long chains are in Redis.
    func randomSlot<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        guard count > 0 else { return nil }
        var index = Int.random(in: 0..<capacity, using: &generator)
        while slots[index].key == nil { index = (index + 1) & mask }
        return index
    }

    /// A uniformly random occupied slot, or `nil` when empty: random slots
    /// are drawn until one is occupied (every slot as likely as another, as
    /// Redis's `dictGetFairRandomKey` aims for), then after 64 misses the
    /// next occupied one is taken.
    func fairRandomSlot<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        guard count > 0 else { return nil }
        for _ in 0..<64 {
            let index = Int.random(in: 0..<capacity, using: &generator)
            if slots[index].key != nil { return index }
        }
        return randomSlot(using: &generator)
    }

    /// Visits the keys whose home slot the cursor names and returns the next
    /// cursor, 0 when the iteration is complete.
    ///
    /// Redis's `dictScan` cursor: the bits are incremented from the top, so
    /// a key present from the first call to the last is returned at least
    /// once however the table grows or shrinks in between.
    func scan(cursor: UInt64, _ visit: (Int) -> Void) -> UInt64 {
        let tableMask = UInt64(mask)
        let bucket = Int(cursor & tableMask)
        var index = bucket
        while let key = slots[index].key {
            if home(of: key) == bucket { visit(index) }
            index = (index + 1) & mask
        }
        var next = cursor | ~tableMask
        next = next.bitReversed &+ 1
        return next.bitReversed
    }
}

extension UInt64 {
    /// The bits in reverse order.
    var bitReversed: UInt64 {
        var value = self
        value = ((value >> 1) & 0x5555_5555_5555_5555) | ((value & 0x5555_5555_5555_5555) << 1)
        value = ((value >> 2) & 0x3333_3333_3333_3333) | ((value & 0x3333_3333_3333_3333) << 2)
        value = ((value >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((value & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return value.byteSwapped
    }
}
