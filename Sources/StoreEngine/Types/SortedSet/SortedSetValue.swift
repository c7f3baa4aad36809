/// One member of a large sorted set in its member→score table.
struct ScoreEntry: TableEntry {
    var key: Bytes
    var score: Double
}

/// A large sorted set (Redis's `skiplist` encoding): the entries in order
/// with their ranks, and each member's score found by hashing.
struct SortedIndex: Sendable {
    var entries = RankedEntries()
    var scores = OpenTable<ScoreEntry>()
}

/// Redis's sorted set: distinct members ordered by score, then by their
/// bytes. A small one is packed as Redis's listpack is (member, score,
/// member, score... in order in one `PackedList`; a score as its 8 bytes);
/// past `EncodingLimits` it becomes a `SortedIndex` and stays one.
///
/// A value type whose mutating methods take the storage out of `self`
/// first (see `HashValue.withStorage`), so a sorted set in the keyspace
/// changes in place.
public struct SortedSetValue: Sendable {
    enum Storage: Sendable {
        /// `listpack`.
        case packed(PackedList)
        /// `skiplist`.
        indirect case indexed(SortedIndex)
    }

    var storage: Storage

    /// An empty sorted set, packed.
    public static let empty = SortedSetValue(storage: .packed(PackedList.empty))

    /// OBJECT ENCODING's name for it.
    public var encodingName: String {
        switch storage {
        case .packed: return "listpack"
        case .indexed: return "skiplist"
        }
    }

    public var count: Int {
        switch storage {
        case .packed(let list): return list.count / 2
        case .indexed(let index): return index.entries.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The bytes of its data in O(1), for a front end's size column.
    var byteCount: Int {
        switch storage {
        case .packed(let list): return list.buffer.count
        case .indexed(let index):
            return index.scores.heapBytes + index.entries.count * MemoryLayout<ScoredMember>.stride * 4 / 3
        }
    }

    // MARK: Packed entries

    /// A score as the packed encoding keeps it. Redis's listpack stores a
    /// whole score as an integer, so -0 is kept as 0.
    private static func scoreBytes(_ score: Double) -> Bytes {
        withUnsafeBytes(of: (score == 0 ? 0 : score).bitPattern.littleEndian) { Bytes($0) }
    }

    private static func score(in list: PackedList, at position: PackedList.Position) -> Double {
        list.buffer.withUnsafeBytes { raw in
            Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position.bytes.lowerBound, as: UInt64.self)))
        }
    }

    /// Calls `body` with each packed entry's rank, member position and
    /// score while it returns true.
    private static func forEachPacked(_ list: PackedList, _ body: (Int, PackedList.Position, Double) -> Bool) {
        var rank = 0
        var member: PackedList.Position?
        list.forEachPosition { position in
            guard let memberPosition = member else {
                member = position
                return true
            }
            member = nil
            defer { rank += 1 }
            return body(rank, memberPosition, score(in: list, at: position))
        }
    }

    // MARK: Reading

    /// The rank and score of `member` in a packed sorted set (a line's walk).
    private static func find(_ member: Bytes, in list: PackedList) -> (rank: Int, score: Double)? {
        var found: (Int, Double)?
        forEachPacked(list) { rank, position, score in
            guard list.element(position, equals: member) else { return true }
            found = (rank, score)
            return false
        }
        return found
    }

    /// The score of `member`.
    public func score(of member: Bytes) -> Double? {
        switch storage {
        case .packed(let list):
            return Self.find(member, in: list)?.score
        case .indexed(let index):
            return index.scores.find(member).map { index.scores[slot: $0].score }
        }
    }

    /// The rank of `member`, 0 for the lowest.
    public func rank(of member: Bytes) -> Int? {
        switch storage {
        case .packed(let list):
            return Self.find(member, in: list)?.rank
        case .indexed(let index):
            guard let slot = index.scores.find(member) else { return nil }
            return index.entries.rank(of: ScoredMember(score: index.scores[slot: slot].score, member: member))
        }
    }

    /// The rank of the first entry for which `isAtOrAfter` holds (false for
    /// a prefix of the entries, true for the rest), or `count`.
    func partitionPoint(_ isAtOrAfter: (ScoredMember) -> Bool) -> Int {
        switch storage {
        case .packed(let list):
            var found = list.count / 2
            Self.forEachPacked(list) { rank, position, score in
                guard isAtOrAfter(ScoredMember(score: score, member: list.element(position))) else { return true }
                found = rank
                return false
            }
            return found
        case .indexed(let index):
            return index.entries.partitionPoint(isAtOrAfter)
        }
    }

    /// The ranks of the entries whose scores are in `range`.
    func ranks(in range: ScoreRange) -> Range<Int> {
        let low = partitionPoint { range.isAboveMin($0.score) }
        let high = partitionPoint { !range.isBelowMax($0.score) }
        return low..<max(low, high)
    }

    /// The ranks of the entries whose members are in `range` (Redis
    /// assumes the scores are all equal).
    func ranks(in range: LexRange) -> Range<Int> {
        let low = partitionPoint { range.isAboveMin($0.member) }
        let high = partitionPoint { !range.isBelowMax($0.member) }
        return low..<max(low, high)
    }

    /// Calls `body` with the entries at `ranks`, lowest first or (`reverse`)
    /// highest first, while it returns true.
    func forEach(ranks: Range<Int>, reverse: Bool = false, _ body: (ScoredMember) -> Bool) {
        let ranks = ranks.clamped(to: 0..<count)
        switch storage {
        case .packed(let list):
            guard reverse else {
                Self.forEachPacked(list) { rank, position, score in
                    if rank < ranks.lowerBound { return true }
                    return rank < ranks.upperBound && body(ScoredMember(score: score, member: list.element(position)))
                }
                return
            }
            var entries: [ScoredMember] = []
            Self.forEachPacked(list) { rank, position, score in
                if ranks.contains(rank) { entries.append(ScoredMember(score: score, member: list.element(position))) }
                return rank < ranks.upperBound
            }
            for entry in entries.reversed() where !body(entry) { return }
        case .indexed(let index):
            index.entries.forEach(ranks: ranks, reverse: reverse, body)
        }
    }

    /// The entries at `ranks`, in the order `reverse` says.
    func entries(ranks: Range<Int>, reverse: Bool = false) -> [ScoredMember] {
        var entries: [ScoredMember] = []
        entries.reserveCapacity(ranks.count)
        forEach(ranks: ranks, reverse: reverse) { entries.append($0); return true }
        return entries
    }

    /// Every entry in order.
    public var entries: [ScoredMember] { entries(ranks: 0..<count) }

    /// Calls `body` with the entries in order while it returns true.
    func forEachWhile(_ body: (ScoredMember) -> Bool) {
        forEach(ranks: 0..<count, body)
    }

    /// An entry at a uniformly random rank.
    func randomEntry<G: RandomNumberGenerator>(using generator: inout G) -> ScoredMember? {
        guard count > 0 else { return nil }
        if case .indexed(let index) = storage, let slot = index.scores.randomSlot(using: &generator) {
            return ScoredMember(score: index.scores[slot: slot].score, member: index.scores[slot: slot].key)
        }
        let rank = Int.random(in: 0..<count, using: &generator)
        return entries(ranks: rank..<rank + 1).first
    }

    // MARK: Changing

    /// Gives `member` the score `score`, adding it if new; converts to the
    /// indexed encoding first as `limits` say (Redis's `zsetAdd`).
    /// - Returns: whether the member is new.
    @discardableResult
    mutating func set(_ member: Bytes, score: Double, limits: EncodingLimits) -> Bool {
        if case .packed = storage,
           member.count > limits.zsetMaxListpackValue || (count + 1 > limits.zsetMaxListpackEntries && self.score(of: member) == nil) {
            convertToIndex()
        }
        let entry = ScoredMember(score: score, member: member)
        return withStorage(packed: { list in
            var existing: (PackedList.Position, Double)?
            var insertion: Int?
            Self.forEachPacked(list) { _, position, current in
                if existing == nil, list.element(position, equals: member) { existing = (position, current) }
                if insertion == nil, !ScoredMember(score: current, member: list.element(position)).precedes(entry) {
                    insertion = position.start
                }
                return existing == nil || insertion == nil
            }
            if let (position, current) = existing {
                if current == score { return false }
                var scorePosition: PackedList.Position?
                list.forEachPosition { next in
                    if next.start > position.start {
                        scorePosition = next
                        return false
                    }
                    return true
                }
                list.remove(from: position, through: scorePosition!, elements: 2)
                // The insertion point is looked for again: removing moved it.
                insertion = nil
                Self.forEachPacked(list) { _, at, current in
                    guard !ScoredMember(score: current, member: list.element(at)).precedes(entry) else { return true }
                    insertion = at.start
                    return false
                }
            }
            list.insert([member, Self.scoreBytes(score)], at: insertion ?? list.buffer.count)
            return existing == nil
        }, indexed: { index in
            if let slot = index.scores.find(member) {
                let current = index.scores[slot: slot].score
                if current == score { return false }
                index.entries.remove(ScoredMember(score: current, member: member))
                index.scores.modify(at: slot) { $0.score = score }
                index.entries.insert(entry)
                return false
            }
            index.scores.insertNew(ScoreEntry(key: member, score: score))
            index.entries.insert(entry)
            return true
        })
    }

    /// Removes `member`.
    /// - Returns: whether it was there.
    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        withStorage(packed: { list in
            var found: PackedList.Position?
            var scorePosition: PackedList.Position?
            var isMember = true
            list.forEachPosition { position in
                defer { isMember.toggle() }
                if isMember {
                    if list.element(position, equals: member) { found = position }
                    return true
                }
                guard found != nil else { return true }
                scorePosition = position
                return false
            }
            guard let found, let scorePosition else { return false }
            list.remove(from: found, through: scorePosition, elements: 2)
            return true
        }, indexed: { index in
            guard let slot = index.scores.find(member) else { return false }
            let removed = index.scores.remove(at: slot)
            index.entries.remove(ScoredMember(score: removed.score, member: member))
            return true
        })
    }

    /// Removes the entries at `ranks`.
    /// - Returns: how many were removed.
    @discardableResult
    mutating func removeRanks(_ ranks: Range<Int>) -> Int {
        let ranks = ranks.clamped(to: 0..<count)
        guard !ranks.isEmpty else { return 0 }
        return withStorage(packed: { list in
            var first: PackedList.Position?
            var last: PackedList.Position?
            var element = 0
            list.forEachPosition { position in
                defer { element += 1 }
                if element == ranks.lowerBound * 2 { first = position }
                if element == ranks.upperBound * 2 - 1 {
                    last = position
                    return false
                }
                return true
            }
            list.remove(from: first!, through: last!, elements: ranks.count * 2)
            return ranks.count
        }, indexed: { index in
            let removed = index.entries.removeRanks(ranks)
            for entry in removed {
                if let slot = index.scores.find(entry.member) { index.scores.remove(at: slot) }
            }
            return removed.count
        })
    }

    /// Runs one of the bodies on the storage, taken out of `self` first so
    /// that it is the only reference and changes in place.
    private mutating func withStorage<R>(packed: (inout PackedList) -> R, indexed: (inout SortedIndex) -> R) -> R {
        if case .packed = storage {
            guard case .packed(var list) = storage else { preconditionFailure("checked above") }
            storage = .packed(PackedList.empty)
            defer { storage = .packed(list) }
            return packed(&list)
        }
        guard case .indexed(var index) = storage else { preconditionFailure("a sorted set is packed or indexed") }
        storage = .packed(PackedList.empty)
        defer { storage = .indexed(index) }
        return indexed(&index)
    }

    /// Gives back the room a packed sorted set's buffer grew into (`PackedList.trim`).
    mutating func trim() {
        guard case .packed = storage else { return }
        withStorage(packed: { $0.trim() }, indexed: { _ in })
    }

    /// Turns a packed sorted set into an index (Redis's `zsetConvert`).
    mutating func convertToIndex() {
        guard case .packed = storage else { return }
        storage = .indexed(Self.index(of: entries)!)
    }

    /// The index of entries in order; `nil` when a member comes twice.
    private static func index(of sorted: [ScoredMember]) -> SortedIndex? {
        var scores = OpenTable<ScoreEntry>(capacity: sorted.count)
        for entry in sorted where scores.insertIfAbsent(ScoreEntry(key: entry.member, score: entry.score)) == nil { return nil }
        return SortedIndex(entries: RankedEntries(sorted: sorted), scores: scores)
    }

    /// A sorted set of `entries` in any order, packed or not as `limits`
    /// say, as Redis builds one it loads or a *STORE command makes.
    /// - Returns: `nil` when a member comes twice (a damaged file).
    static func make(_ entries: [ScoredMember], limits: EncodingLimits) -> SortedSetValue? {
        var sorted = entries
        sorted.sort { $0.precedes($1) }
        let packs = sorted.count <= limits.zsetMaxListpackEntries && sorted.allSatisfy { $0.member.count <= limits.zsetMaxListpackValue }
        guard packs else { return index(of: sorted).map { SortedSetValue(storage: .indexed($0)) } }
        for (rank, entry) in sorted.enumerated() where sorted[..<rank].contains(where: { $0.member == entry.member }) { return nil }
        var list = PackedList()
        list.reserve(sorted.reduce(0) { $0 + $1.member.count + 12 })
        for entry in sorted {
            list.append(entry.member)
            list.append(scoreBytes(entry.score))
        }
        return SortedSetValue(storage: .packed(list))
    }
}
