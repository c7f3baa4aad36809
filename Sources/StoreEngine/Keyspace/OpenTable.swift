import CShims

/// What an `OpenTable` holds: a key and whatever goes with it.
protocol TableEntry: Sendable {
    var key: Bytes { get }
}

/// A hash table of `Bytes` keys, in two arrays as Python's and Rust's
/// `indexmap` keep one: the entries, dense and whole (an entry costs no
/// allocation of its own), and an index of four-byte slots, open addressing
/// with linear probing over a power of two, each naming an entry's position
/// and some bits of its key's hash (so a probe rarely reads an entry that
/// is not the one sought). The keyspace is one (`KeyTable`); a large hash
/// or set is another, as Redis's `dict` serves both. An empty slot costs
/// four bytes, where a whole entry costs 16 to 40.
///
/// Written rather than taken from `Dictionary` for two guarantees
/// `Dictionary` cannot give: a key's home slot is a pure function of its
/// hash and the index's size, which makes Redis's reverse-binary SCAN
/// cursor valid across growth and shrinking; and a uniformly random entry
/// is one draw (RANDOMKEY, HRANDFIELD, SPOP). An entry is named by its
/// position, which stays until a removal: removing moves the last entry
/// into the gap, and the index shifts slots back (no tombstones). A copy
/// is O(1) and copies the arrays on the first write, which is what a
/// background save takes.
struct OpenTable<Entry: TableEntry>: Sendable {
    /// The entries, in no particular order.
    private(set) var entries: [Entry] = []
    /// 0 for an empty slot, else the hash's tag bits above the position + 1.
    private var index: [UInt32]
    /// `index.count - 1`.
    private var mask: Int
    /// The slot bits that hold a position + 1; the rest hold the tag.
    private var positionMask: UInt32

    static var minimumCapacity: Int { 16 }
    /// A table shrinks (rehashing every key in one go) once it is under a
    /// tenth full, but only while it holds at most this many keys, so that a
    /// removal never pauses for more than about a millisecond. A table emptied
    /// from millions of keys keeps its slots until few keys are left.
    static var maximumShrinkWork: Int { 16_384 }

    init(capacity: Int = 0) {
        let size = Self.size(for: capacity)
        index = Array(repeating: 0, count: size)
        mask = size - 1
        positionMask = Self.positionMask(size)
        entries.reserveCapacity(capacity)
    }

    /// The number of keys.
    var count: Int { entries.count }

    /// The number of index slots, a power of two.
    var capacity: Int { index.count }

    /// The bytes the table's two arrays take (MEMORY USAGE).
    var heapBytes: Int {
        entries.capacity * MemoryLayout<Entry>.stride + index.count * MemoryLayout<UInt32>.stride
    }

    /// Slots for `count` keys at a load of at most 3/4.
    private static func size(for count: Int) -> Int {
        var size = minimumCapacity
        while size * 3 / 4 < count { size <<= 1 }
        precondition(size <= 1 << 32, "an OpenTable holds fewer than 3 * 2^30 keys")
        return size
    }

    /// A slot holds positions below `size` (the table is at most 3/4 full),
    /// so the bits above them are free for the tag.
    private static func positionMask(_ size: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: size - 1)
    }

    @inline(__always)
    private func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(hash)) >> 32) & ~positionMask
    }

    @inline(__always)
    private func slot(_ hash: Int, position: Int) -> UInt32 {
        tag(hash) | UInt32(truncatingIfNeeded: position + 1)
    }

    @inline(__always)
    private func position(in slot: UInt32) -> Int {
        Int(slot & positionMask) - 1
    }

    /// The position of the entry holding `key`, if any.
    /// - Complexity: O(1) on average.
    func find(_ key: Bytes) -> Int? {
        let hash = key.hashValue
        let tag = tag(hash)
        var slot = hash & mask
        while true {
            let content = index[slot]
            if content == 0 { return nil }
            if content & ~positionMask == tag {
                let position = position(in: content)
                if entries[position].key == key { return position }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index slot naming `position`.
    private func slot(of position: Int) -> Int {
        let hash = entries[position].key.hashValue
        let wanted = slot(hash, position: position)
        var slot = hash & mask
        while index[slot] != wanted { slot = (slot + 1) & mask }
        return slot
    }

    /// The key at `position`.
    func key(at position: Int) -> Bytes { entries[position].key }

    subscript(slot position: Int) -> Entry {
        get { entries[position] }
        set {
            precondition(entries[position].key == newValue.key, "an entry keeps its key")
            entries[position] = newValue
        }
    }

    /// Changes the entry at `position` in place (its key must stay).
    mutating func modify<R, E: Error>(at position: Int, _ body: (inout Entry) throws(E) -> R) throws(E) -> R {
        try body(&entries[position])
    }

    /// Adds an entry whose key is not in the table, at the end.
    /// - Returns: its position, `count - 1`.
    @discardableResult
    mutating func insertNew(_ entry: Entry) -> Int {
        if (count + 1) > capacity * 3 / 4 { resize(to: capacity * 2) }
        let hash = entry.key.hashValue
        var slot = hash & mask
        while index[slot] != 0 { slot = (slot + 1) & mask }
        return append(entry, hash: hash, at: slot)
    }

    /// Adds an entry at the end unless its key is in the table, hashing the
    /// key once (a loader's insert, which must refuse a repeated key).
    /// - Returns: its position, or `nil` when the key was there.
    mutating func insertIfAbsent(_ entry: Entry) -> Int? {
        insertIfAbsent(entry, hash: entry.key.hashValue)
    }

    /// Starts loading the index slot where `key` belongs into the cache, for
    /// an insert after some other work (a loader decoding the key's value).
    /// - Returns: the key's hash, for `insertIfAbsent(_:hash:)`.
    func prefetch(_ key: Bytes) -> Int {
        let hash = key.hashValue
        index.withUnsafeBufferPointer { redi_prefetch($0.baseAddress! + (hash & mask)) }
        return hash
    }

    /// `insertIfAbsent(_:)` with the key's hash, `prefetch(_:)`'s.
    mutating func insertIfAbsent(_ entry: Entry, hash: Int) -> Int? {
        if (count + 1) > capacity * 3 / 4 { resize(to: capacity * 2) }
        let tag = tag(hash)
        var slot = hash & mask
        while index[slot] != 0 {
            if index[slot] & ~positionMask == tag && entries[position(in: index[slot])].key == entry.key { return nil }
            slot = (slot + 1) & mask
        }
        return append(entry, hash: hash, at: slot)
    }

    /// Puts `entry` at the end, named by the empty index slot `slot`.
    /// - Returns: its position.
    private mutating func append(_ entry: Entry, hash: Int, at slot: Int) -> Int {
        index[slot] = self.slot(hash, position: count)
        entries.append(entry)
        return count - 1
    }

    /// Removes the entry at `position`; the last entry moves into its place.
    /// - Returns: the removed entry.
    @discardableResult
    mutating func remove(at position: Int) -> Entry {
        let last = count - 1
        var hole = slot(of: position)
        if position != last {
            let moved = slot(of: last)
            index[moved] = slot(entries[last].key.hashValue, position: position)
            entries.swapAt(position, last)
        }
        let removed = entries.removeLast()
        var next = hole
        while true {
            next = (next + 1) & mask
            let content = index[next]
            if content == 0 { break }
            let wanted = entries[self.position(in: content)].key.hashValue & mask
            // The slot at `next` may move into the hole unless its home
            // lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next)
            if staysPut { continue }
            index[hole] = content
            hole = next
        }
        index[hole] = 0
        if capacity > Self.minimumCapacity && count < capacity / 10 && count <= Self.maximumShrinkWork {
            resize(to: Self.size(for: count))
            var kept = [Entry]()
            kept.reserveCapacity(count)
            kept.append(contentsOf: entries)
            entries = kept
        }
        return removed
    }

    /// Makes room for `additional` more keys without further growth.
    mutating func reserve(_ additional: Int) {
        let size = Self.size(for: count + additional)
        if size > capacity { resize(to: size) }
        entries.reserveCapacity(count + additional)
    }

    /// Rebuilds the index at `size` slots.
    private mutating func resize(to size: Int) {
        index = Array(repeating: 0, count: size)
        mask = size - 1
        positionMask = Self.positionMask(size)
        for position in entries.indices {
            let hash = entries[position].key.hashValue
            var slot = hash & mask
            while index[slot] != 0 { slot = (slot + 1) & mask }
            index[slot] = self.slot(hash, position: position)
        }
    }

    /// Empties the table, keeping no storage.
    mutating func removeAll() {
        let old = entries
        self = OpenTable()
        LazyFree.release(consume old)
    }

    /// A uniformly random entry's position, or `nil` when empty (as Redis's
    /// `dictGetFairRandomKey` aims for, in one draw).
    func randomSlot<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        guard count > 0 else { return nil }
        return Int.random(in: 0..<count, using: &generator)
    }

    /// Visits the positions of the keys whose home slot the cursor names and
    /// returns the next cursor, 0 when the iteration is complete.
    ///
    /// Redis's `dictScan` cursor: the bits are incremented from the top, so
    /// a key present from the first call to the last is returned at least
    /// once however the table grows or shrinks in between.
    func scan(cursor: UInt64, _ visit: (Int) -> Void) -> UInt64 {
        let tableMask = UInt64(mask)
        let bucket = Int(cursor & tableMask)
        var slot = bucket
        while index[slot] != 0 {
            let position = position(in: index[slot])
            if entries[position].key.hashValue & mask == bucket { visit(position) }
            slot = (slot + 1) & mask
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
