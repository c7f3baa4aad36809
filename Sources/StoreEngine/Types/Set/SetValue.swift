/// One member of a set in its table encoding.
struct MemberEntry: TableEntry {
    var key: Bytes
}

/// Redis's set. A set of integers only, up to `set-max-intset-entries`,
/// is kept as Redis's intset (sorted integers, found by binary search);
/// any other becomes a table (Redis's `hashtable` encoding) and stays one.
///
/// A value type: a copy shares the storage until either side changes, and
/// mutating methods take the storage out of `self` first so that a set in
/// the keyspace changes in place.
public struct SetValue: Sendable {
    enum Storage: Sendable {
        /// Sorted, distinct (`intset`).
        case integers([Int64])
        /// `hashtable`.
        indirect case table(OpenTable<MemberEntry>)
    }

    var storage: Storage

    /// An empty set of integers.
    public static let empty = SetValue(storage: .integers([]))

    /// OBJECT ENCODING's name for it.
    public var encodingName: String {
        switch storage {
        case .integers: return "intset"
        case .table: return "hashtable"
        }
    }

    public var count: Int {
        switch storage {
        case .integers(let integers): return integers.count
        case .table(let table): return table.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// A member as an intset holds it: Redis's `string2ll`, strict.
    static func integer(_ member: Bytes) -> Int64? {
        member.count <= 20 ? member.int64Value : nil
    }

    public func contains(_ member: Bytes) -> Bool {
        switch storage {
        case .integers(let integers):
            guard let value = Self.integer(member) else { return false }
            return Self.position(of: value, in: integers).found
        case .table(let table):
            return table.find(member) != nil
        }
    }

    /// Where `value` is, or would go, in sorted `integers`.
    private static func position(of value: Int64, in integers: [Int64]) -> (index: Int, found: Bool) {
        var low = 0, high = integers.count
        while low < high {
            let middle = (low + high) / 2
            if integers[middle] < value { low = middle + 1 } else { high = middle }
        }
        return (low, low < integers.count && integers[low] == value)
    }

    /// Calls `body` with every member, in the set's order (an intset:
    /// ascending; a table: its slots').
    public func forEach(_ body: (Bytes) -> Void) {
        forEachWhile { member in
            body(member)
            return true
        }
    }

    /// The bytes of its data in O(1), for a front end's size column: the
    /// integers, or the table's slots.
    var byteCount: Int {
        switch storage {
        case .integers(let integers): return integers.count * MemoryLayout<Int64>.stride
        case .table(let table): return table.heapBytes
        }
    }

    /// Calls `body` with the members in order while it returns true.
    func forEachWhile(_ body: (Bytes) -> Bool) {
        switch storage {
        case .integers(let integers):
            for value in integers where !body(Bytes(value)) { return }
        case .table(let table):
            for entry in table.entries {
                if !body(entry.key) { return }
            }
        }
    }

    /// Every member, in the set's order.
    public var members: [Bytes] {
        var members: [Bytes] = []
        members.reserveCapacity(count)
        forEach { members.append($0) }
        return members
    }

    /// Adds `member`, converting to a table as `limits` say.
    /// - Returns: whether it is new.
    @discardableResult
    public mutating func insert(_ member: Bytes, limits: EncodingLimits) -> Bool {
        // A member already there changes nothing: the storage stays put.
        if contains(member) { return false }
        if case .integers = storage, Self.integer(member) == nil { convertToTable() }
        withStorage(integers: { integers in
            let value = Self.integer(member)!
            integers.insert(value, at: Self.position(of: value, in: integers).index)
        }, table: { table in
            _ = table.insertNew(MemberEntry(key: member))
        })
        if case .integers = storage, count > limits.setMaxIntsetEntries { convertToTable() }
        return true
    }

    /// Removes `member`.
    /// - Returns: whether it was there.
    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        guard contains(member) else { return false }
        withStorage(integers: { integers in
            _ = integers.remove(at: Self.position(of: Self.integer(member)!, in: integers).index)
        }, table: { table in
            if let slot = table.find(member) { table.remove(at: slot) }
        })
        return true
    }

    /// Runs one of the bodies on the storage, taken out of `self` first so
    /// that it is the only reference and changes in place (see
    /// `HashValue.withStorage`).
    private mutating func withStorage<R>(
        integers: (inout [Int64]) -> R, table: (inout OpenTable<MemberEntry>) -> R
    ) -> R {
        if case .integers = storage {
            guard case .integers(var values) = storage else { preconditionFailure("checked above") }
            storage = .integers([])
            defer { storage = .integers(values) }
            return integers(&values)
        }
        guard case .table(var entries) = storage else { preconditionFailure("a set is an intset or a table") }
        storage = .integers([])
        defer { storage = .table(entries) }
        return table(&entries)
    }

    /// Turns an intset into a table (Redis's `setTypeConvert`).
    mutating func convertToTable() {
        guard case .integers(let integers) = storage else { return }
        var table = OpenTable<MemberEntry>(capacity: integers.count)
        for value in integers { table.insertNew(MemberEntry(key: Bytes(value))) }
        storage = .table(table)
    }

    /// A member at a uniformly random position.
    func randomMember<G: RandomNumberGenerator>(using generator: inout G) -> Bytes? {
        switch storage {
        case .integers(let integers):
            return integers.randomElement(using: &generator).map { Bytes($0) }
        case .table(let table):
            return table.randomSlot(using: &generator).map { table[slot: $0].key }
        }
    }

    /// A set of `members`, as Redis builds a set it creates or loads: an
    /// intset while every member is an integer and there are few enough.
    /// - Returns: `nil` when a member comes twice (a damaged file); an
    ///   algebra result never repeats one.
    static func make(_ members: some Collection<Bytes>, limits: EncodingLimits) -> SetValue? {
        guard members.count <= limits.setMaxIntsetEntries else {
            // A table of its size, each member hashed once.
            var table = OpenTable<MemberEntry>(capacity: members.count)
            for member in members where table.insertIfAbsent(MemberEntry(key: member)) == nil { return nil }
            return SetValue(storage: .table(table))
        }
        var set = SetValue.empty
        for member in members where !set.insert(member, limits: limits) { return nil }
        return set
    }
}
