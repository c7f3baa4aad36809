/// A member of a sorted set with its score.
public struct ScoredMember: Sendable, Equatable {
    public var score: Double
    public var member: Bytes

    public init(score: Double, member: Bytes) {
        self.score = score
        self.member = member
    }

    /// Redis's order: by score, then by member's bytes.
    @inline(__always)
    func precedes(_ other: ScoredMember) -> Bool {
        score < other.score || (score == other.score && member.compare(to: other.member) < 0)
    }
}

/// The entries of a large sorted set in order, with the rank of any entry
/// found in O(log n) (what Redis's skip list gives with its spans).
///
/// Entries sit in chunks of at most `chunkLimit`, each a sorted array, and
/// a Fenwick tree over the chunks' counts gives the rank where a chunk
/// starts. An insertion or removal moves at most one chunk's entries and
/// updates O(log n) counts; a chunk that fills is split and one that
/// empties dropped, after which the counts are rebuilt (once per about
/// `chunkLimit / 2` changes).
struct RankedEntries: Sendable {
    private(set) var chunks: [[ScoredMember]] = []
    /// The Fenwick tree: `counts[i]` sums the counts of chunks
    /// `i - (i & -i) ..< i` (1-based), so `counts[0]` is unused.
    private var counts: [Int] = [0]
    private(set) var count = 0

    static let chunkLimit = 256

    init() {}

    /// Entries given in order, packed into chunks three-quarters full.
    init(sorted entries: [ScoredMember]) {
        let size = Self.chunkLimit * 3 / 4
        var start = 0
        while start < entries.count {
            chunks.append(Array(entries[start..<min(start + size, entries.count)]))
            start += size
        }
        count = entries.count
        rebuildCounts()
    }

    // MARK: Ranks

    /// The number of entries in the chunks before `chunk`.
    private func entriesBefore(chunk: Int) -> Int {
        var total = 0
        var index = chunk
        while index > 0 {
            total += counts[index]
            index -= index & -index
        }
        return total
    }

    /// The chunk holding rank `rank` (< count), and the rank within it.
    private func locate(_ rank: Int) -> (chunk: Int, offset: Int) {
        var position = 0
        var remaining = rank
        var step = 1
        while step * 2 < counts.count { step *= 2 }
        while step > 0 {
            let next = position + step
            if next < counts.count && counts[next] <= remaining {
                position = next
                remaining -= counts[next]
            }
            step /= 2
        }
        return (position, remaining)
    }

    private mutating func rebuildCounts() {
        counts = [0] + chunks.map(\.count)
        let size = counts.count
        for index in 1..<max(size, 1) {
            let parent = index + (index & -index)
            if parent < size { counts[parent] += counts[index] }
        }
    }

    private mutating func adjustCount(ofChunk chunk: Int, by delta: Int) {
        var index = chunk + 1
        while index < counts.count {
            counts[index] += delta
            index += index & -index
        }
        count += delta
    }

    /// The entry at `rank` (0 is the lowest).
    subscript(rank: Int) -> ScoredMember {
        let (chunk, offset) = locate(rank)
        return chunks[chunk][offset]
    }

    /// The rank of the first entry for which `isAtOrAfter` holds, or
    /// `count`; `isAtOrAfter` must be false for a prefix of the entries and
    /// true for the rest.
    func partitionPoint(_ isAtOrAfter: (ScoredMember) -> Bool) -> Int {
        let chunk = firstChunk(whereLast: isAtOrAfter)
        guard chunk < chunks.count else { return count }
        return entriesBefore(chunk: chunk) + chunks[chunk].withUnsafeBufferPointer { Self.partitionPoint($0, isAtOrAfter) }
    }

    /// The first chunk whose last entry satisfies `predicate`, or `chunks.count`.
    private func firstChunk(whereLast predicate: (ScoredMember) -> Bool) -> Int {
        chunks.withUnsafeBufferPointer { chunks in
            var low = 0, high = chunks.count
            while low < high {
                let middle = (low + high) / 2
                if predicate(chunks[middle][chunks[middle].count - 1]) { high = middle } else { low = middle + 1 }
            }
            return low
        }
    }

    private static func partitionPoint(_ entries: UnsafeBufferPointer<ScoredMember>, _ predicate: (ScoredMember) -> Bool) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(entries[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The rank of `entry`, which must be present.
    func rank(of entry: ScoredMember) -> Int {
        partitionPoint { !$0.precedes(entry) }
    }

    /// Calls `body` with the entries at `ranks`, lowest first or (`reverse`)
    /// highest first, while it returns true.
    func forEach(ranks: Range<Int>, reverse: Bool = false, _ body: (ScoredMember) -> Bool) {
        guard !ranks.isEmpty else { return }
        var remaining = ranks.count
        if reverse {
            var (chunk, offset) = locate(ranks.upperBound - 1)
            while remaining > 0 {
                let entries = chunks[chunk]
                while offset >= 0 && remaining > 0 {
                    if !body(entries[offset]) { return }
                    offset -= 1
                    remaining -= 1
                }
                chunk -= 1
                if chunk >= 0 { offset = chunks[chunk].count - 1 }
            }
        } else {
            var (chunk, offset) = locate(ranks.lowerBound)
            while remaining > 0 {
                let entries = chunks[chunk]
                while offset < entries.count && remaining > 0 {
                    if !body(entries[offset]) { return }
                    offset += 1
                    remaining -= 1
                }
                chunk += 1
                offset = 0
            }
        }
    }

    // MARK: Changing

    /// Adds `entry`, which must not be present.
    mutating func insert(_ entry: ScoredMember) {
        guard !chunks.isEmpty else {
            chunks = [[entry]]
            count = 1
            rebuildCounts()
            return
        }
        var chunk = min(firstChunk { !$0.precedes(entry) }, chunks.count - 1)
        if chunks[chunk].count >= Self.chunkLimit {
            split(chunk)
            if chunks[chunk][chunks[chunk].count - 1].precedes(entry) { chunk += 1 }
        }
        let offset = chunks[chunk].withUnsafeBufferPointer { Self.partitionPoint($0) { !$0.precedes(entry) } }
        chunks[chunk].insert(entry, at: offset)
        adjustCount(ofChunk: chunk, by: 1)
    }

    /// Splits a full chunk in two halves, each with room to grow.
    private mutating func split(_ chunk: Int) {
        let half = chunks[chunk].count / 2
        var head: [ScoredMember] = [], tail: [ScoredMember] = []
        head.reserveCapacity(Self.chunkLimit)
        tail.reserveCapacity(Self.chunkLimit)
        head += chunks[chunk][..<half]
        tail += chunks[chunk][half...]
        chunks[chunk] = head
        chunks.insert(tail, at: chunk + 1)
        rebuildCounts()
    }

    /// Removes `entry`.
    /// - Returns: whether it was there.
    @discardableResult
    mutating func remove(_ entry: ScoredMember) -> Bool {
        let chunk = firstChunk { !$0.precedes(entry) }
        guard chunk < chunks.count else { return false }
        let offset = chunks[chunk].withUnsafeBufferPointer { Self.partitionPoint($0) { !$0.precedes(entry) } }
        guard offset < chunks[chunk].count, chunks[chunk][offset].member == entry.member else { return false }
        chunks[chunk].remove(at: offset)
        if chunks[chunk].count < Self.chunkLimit / 8, mergeSmall(chunk) {
            count -= 1
            rebuildCounts()
        } else {
            adjustCount(ofChunk: chunk, by: -1)
        }
        return true
    }

    /// Drops an empty chunk, or moves a small one's entries into a
    /// neighbour with room, so that removals never leave many near-empty
    /// chunks behind. The counts must be rebuilt after.
    /// - Returns: whether the chunks changed.
    private mutating func mergeSmall(_ chunk: Int) -> Bool {
        let room = Self.chunkLimit * 3 / 4
        if chunks[chunk].isEmpty {
            chunks.remove(at: chunk)
        } else if chunk + 1 < chunks.count, chunks[chunk].count + chunks[chunk + 1].count <= room {
            let moved = chunks.remove(at: chunk)
            chunks[chunk].insert(contentsOf: moved, at: 0)
        } else if chunk > 0, chunks[chunk].count + chunks[chunk - 1].count <= room {
            let moved = chunks.remove(at: chunk)
            chunks[chunk - 1] += moved
        } else {
            return false
        }
        return true
    }

    /// Removes the entries at `ranks`.
    /// - Returns: the removed entries, in order.
    mutating func removeRanks(_ ranks: Range<Int>) -> [ScoredMember] {
        guard !ranks.isEmpty else { return [] }
        var removed: [ScoredMember] = []
        removed.reserveCapacity(ranks.count)
        var (chunk, offset) = locate(ranks.lowerBound)
        var remaining = ranks.count
        while remaining > 0 {
            let end = min(chunks[chunk].count, offset + remaining)
            removed += chunks[chunk][offset..<end]
            chunks[chunk].removeSubrange(offset..<end)
            remaining -= end - offset
            if chunks[chunk].isEmpty { chunks.remove(at: chunk) } else { chunk += 1 }
            offset = 0
        }
        count -= removed.count
        rebuildCounts()
        return removed
    }
}
