/// What a front end shows of one key.
public struct KeyInfo: Sendable, Equatable {
    // Declared so that the fields pack into 80 bytes: a table holds a million.
    public var key: Bytes
    /// `string`, as TYPE answers.
    public var typeName: String
    /// The start of the value, at most `Engine.previewLength` bytes.
    public var preview: Bytes
    /// The value's size in bytes.
    public var size: Int
    /// Its elements: a string's bytes, a hash's fields, a set's members.
    public var length: Int
    /// Absolute Unix milliseconds, or `nil` for a key without a deadline.
    public var deadline: Int64?
    /// Whether `preview` is cut short of the whole value (a front end shows `…`).
    public var previewIsCut: Bool

    public init(key: Bytes, typeName: String, size: Int, deadline: Int64?, preview: Bytes, length: Int? = nil) {
        self.key = key
        self.typeName = typeName
        self.size = size
        self.length = length ?? size
        self.deadline = deadline
        self.preview = preview
        previewIsCut = size > preview.count
    }
}

extension Engine {
    /// How much of a value `KeyInfo.preview` holds.
    public static let previewLength = 256

    /// The key as a front end shows it, or `nil` if it is absent or past its
    /// deadline. Only looks: no lazy expiry, no events.
    public func info(for key: Bytes, in database: Int) -> KeyInfo? {
        let keyspace = keys(of: database)
        guard let slot = keyspace.find(key) else { return nil }
        let entry = keyspace[slot: slot]
        if isExpired(entry, at: clock.now()) { return nil }
        return KeyInfo(entry)
    }

    /// Every live key of a database, in no particular order: a front end's first load.
    /// - Complexity: O(n).
    public func allKeyInfos(in database: Int) -> [KeyInfo] {
        let now = clock.now()
        let keyspace = keys(of: database)
        var infos: [KeyInfo] = []
        infos.reserveCapacity(keyspace.count)
        for entry in keyspace.occupiedSlots where !isExpired(entry, at: now) {
            infos.append(KeyInfo(entry))
        }
        return infos
    }
}

extension KeyInfo {
    init(_ slot: KeyTable.Slot) {
        key = slot.key
        typeName = slot.value.typeName
        size = slot.value.byteCount
        length = slot.value.length
        deadline = slot.deadline == KeyTable.Slot.persistent ? nil : slot.deadline
        (preview, previewIsCut) = slot.value.preview
    }
}

/// One page of a key's value for a detail view: `rows` from `offset` among
/// the elements `filter` keeps, never the whole collection.
public struct DetailPage: Sendable, Equatable {
    /// `string`, `list`, `hash`, `set` or `zset`, as TYPE answers.
    public var typeName: String
    /// Elements in the value (a string: one).
    public var total: Int
    /// Elements the filter keeps (all without one).
    public var matching: Int
    /// The position of the first row among them.
    public var offset: Int
    /// A list's `[index, element]`, a hash's `[field, value]`, a set's
    /// `[member]`, a sorted set's `[rank, member, score]` (by score), a
    /// string's `[bytes]` whole.
    public var rows: [[Bytes]]
    /// Where the value lives, when that is worth saying (a cluster's node and slot).
    public var location: String?
    /// What more is worth saying of the value (a stream's last ID and consumer groups).
    public var summary: String?

    public init(typeName: String, total: Int, matching: Int, offset: Int, rows: [[Bytes]]) {
        self.typeName = typeName
        self.total = total
        self.matching = matching
        self.offset = offset
        self.rows = rows
    }
}

extension Engine {
    /// `count` rows of a live key's value from `offset`, keeping the elements
    /// (fields, members) `filter` matches (a glob, as HSCAN's MATCH), or
    /// `nil` for no such key. Only looks: no lazy expiry, no events. A
    /// page costs its rows plus the elements skipped to reach it (all of
    /// them with a filter, to count the matches), never a copy of the value.
    public func detailPage(of key: Bytes, in database: Int, from offset: Int, count: Int, filter: Bytes? = nil) -> DetailPage? {
        let keyspace = keys(of: database)
        guard let slot = keyspace.find(key), !isExpired(keyspace[slot: slot], at: clock.now()) else { return nil }
        let value = keyspace.value(at: slot)
        let glob = filter.map(GlobPattern.init).flatMap { $0.matchesAll ? nil : $0 }
        let wanted = max(offset, 0)..<max(offset, 0) + max(count, 0)
        var rows: [[Bytes]] = []
        var matching = 0
        /// Counts an element the filter keeps and takes it if it falls in the page;
        /// false once the page is full and nothing more needs counting.
        func take(_ element: Bytes, _ row: @autoclosure () -> [Bytes]) -> Bool {
            guard glob?.matches(element) ?? true else { return true }
            if wanted.contains(matching) { rows.append(row()) }
            matching += 1
            return glob != nil || matching < wanted.upperBound
        }
        switch value {
        case .list(let list):
            if glob == nil {
                var index = wanted.lowerBound
                list.walk(from: index) { position in
                    guard index < wanted.upperBound else { return false }
                    rows.append([Bytes(Int64(index)), list.element(at: position)])
                    index += 1
                    return true
                }
                matching = list.count
            } else {
                var index = 0
                list.forEachWhile { element in
                    defer { index += 1 }
                    return take(element, [Bytes(Int64(index)), element])
                }
            }
        case .hash(let hash):
            hash.forEachWhile { field, fieldValue in take(field, [field, fieldValue]) }
            if glob == nil { matching = hash.count }
        case .set(let set):
            set.forEachWhile { member in take(member, [member]) }
            if glob == nil { matching = set.count }
        case .sortedSet(let sortedSet):
            if glob == nil {
                let ranks = wanted.clamped(to: 0..<sortedSet.count)
                var rank = ranks.lowerBound
                sortedSet.forEach(ranks: ranks) { entry in
                    rows.append([Bytes(Int64(rank)), entry.member, Score.format(entry.score)])
                    rank += 1
                    return true
                }
                matching = sortedSet.count
            } else {
                var rank = 0
                sortedSet.forEachWhile { entry in
                    defer { rank += 1 }
                    return take(entry.member, [Bytes(Int64(rank)), entry.member, Score.format(entry.score)])
                }
            }
        default:
            return DetailPage(typeName: value.typeName, total: 1, matching: 1, offset: 0, rows: [[value.string ?? Bytes()]])
        }
        return DetailPage(typeName: value.typeName, total: value.length, matching: matching, offset: wanted.lowerBound, rows: rows)
    }
}
