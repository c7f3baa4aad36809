import HeapModule

/// Volatile keys ordered by deadline, so active expiry finds what is due
/// without sampling.
///
/// Entries are never updated in place: a new deadline pushes a new entry and
/// the old one goes stale. A popped entry counts only if the table still holds
/// that key with that deadline. Stale entries are dropped in bulk once they
/// outnumber live ones.
struct ExpiryQueue: Sendable {
    struct Entry: Comparable, Sendable {
        var deadline: Int64
        var key: Bytes

        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.deadline < rhs.deadline }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.deadline == rhs.deadline && lhs.key == rhs.key }
    }

    private var heap = Heap<Entry>()

    /// Entries held, stale ones included.
    var count: Int { heap.count }

    /// The earliest deadline held; it may be stale, which only means waking early.
    var earliestDeadline: Int64? { heap.min?.deadline }

    mutating func push(_ key: Bytes, deadline: Int64) {
        heap.insert(Entry(deadline: deadline, key: key))
    }

    /// Removes and returns the earliest entry if its deadline is before `now`.
    mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.min, first.deadline < now else { return nil }
        return heap.removeMin()
    }

    /// Rebuilds the queue from the live deadlines.
    mutating func rebuild(from entries: [Entry]) {
        heap = Heap(entries)
    }

    mutating func removeAll() {
        heap = Heap()
    }
}
