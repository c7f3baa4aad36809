/// A sorted multiset that stays sorted under inserts and removals without
/// re-sorting: elements live in sorted chunks of bounded size, so an update
/// moves at most one chunk's elements, and the element at a position (a row
/// of a scrolled table) is found by walking chunk counts.
///
/// - Complexity: insert, remove and `firstIndex(of:)`: O(log n + chunk size);
///   `element(at:)`: O(n / chunk size), about two thousand steps at a million.
public struct ChunkedSortedArray<Element: Comparable> {
    private var chunks: [[Element]] = []
    /// The last element of each chunk, for the search among chunks: reading
    /// it here touches one array, not one per step.
    private var lasts: [Element] = []
    public private(set) var count = 0

    /// Chunks split when they reach this size.
    static var chunkLimit: Int { 512 }

    public init() {}

    /// Builds from unsorted elements in one sort: O(n log n), for a first load.
    public init(_ elements: some Sequence<Element>) {
        self.init(sorted: elements.sorted())
    }

    /// Builds from elements already in order: O(n).
    public init(sorted: [Element]) {
        count = sorted.count
        let half = Self.chunkLimit / 2
        chunks = stride(from: 0, to: sorted.count, by: half).map { Array(sorted[$0..<min($0 + half, sorted.count)]) }
        lasts = chunks.map { $0[$0.count - 1] }
    }

    public var isEmpty: Bool { count == 0 }

    /// The chunk whose range should hold `element`: the first whose last element is not less.
    private func chunkIndex(for element: Element) -> Int {
        var low = 0, high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if lasts[middle] < element { low = middle + 1 } else { high = middle }
        }
        return min(low, max(chunks.count - 1, 0))
    }

    private static func insertionPoint(in chunk: [Element], for element: Element) -> Int {
        var low = 0, high = chunk.count
        while low < high {
            let middle = (low + high) / 2
            if chunk[middle] < element { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public mutating func insert(_ element: Element) {
        count += 1
        guard !chunks.isEmpty else {
            chunks = [[element]]
            lasts = [element]
            return
        }
        let index = chunkIndex(for: element)
        let position = Self.insertionPoint(in: chunks[index], for: element)
        chunks[index].insert(element, at: position)
        if position == chunks[index].count - 1 { lasts[index] = element }
        if chunks[index].count >= Self.chunkLimit {
            let upper = Array(chunks[index][(Self.chunkLimit / 2)...])
            chunks[index].removeSubrange((Self.chunkLimit / 2)...)
            chunks.insert(upper, at: index + 1)
            lasts.insert(upper[upper.count - 1], at: index + 1)
            lasts[index] = chunks[index][chunks[index].count - 1]
        }
    }

    /// Removes one element equal to `element`; `false` if there is none.
    @discardableResult
    public mutating func remove(_ element: Element) -> Bool {
        guard let place = place(of: element), first(notBelow: element) == element else { return false }
        let (index, position) = place
        chunks[index].remove(at: position)
        if chunks[index].isEmpty {
            chunks.remove(at: index)
            lasts.remove(at: index)
        } else if position == chunks[index].count {
            lasts[index] = chunks[index][position - 1]
        }
        count -= 1
        return true
    }

    /// Where `element` is or would go: its chunk and its place in it.
    private func place(of element: Element) -> (chunk: Int, offset: Int)? {
        guard !chunks.isEmpty else { return nil }
        let chunk = chunkIndex(for: element)
        return (chunk, Self.insertionPoint(in: chunks[chunk], for: element))
    }

    /// The position of a place, counted from the first element: O(chunks).
    private func position(of place: (chunk: Int, offset: Int)) -> Int {
        chunks[..<place.chunk].reduce(0) { $0 + $1.count } + place.offset
    }

    /// How many elements are below `element`: O(log n + chunks).
    public func count(below element: Element) -> Int {
        place(of: element).map(position(of:)) ?? 0
    }

    /// The least element not below `element`, if any.
    public func first(notBelow element: Element) -> Element? {
        guard let place = place(of: element), place.offset < chunks[place.chunk].count else { return nil }
        return chunks[place.chunk][place.offset]
    }

    /// The position of `element`, if present.
    public func firstIndex(of element: Element) -> Int? {
        guard let place = place(of: element), first(notBelow: element) == element else { return nil }
        return position(of: place)
    }

    /// The element at `position` in sorted order.
    public func element(at position: Int) -> Element {
        precondition(position >= 0 && position < count, "position out of range")
        var remaining = position
        for chunk in chunks {
            if remaining < chunk.count { return chunk[remaining] }
            remaining -= chunk.count
        }
        preconditionFailure("counts out of step")
    }

    /// The elements from `position`, at most `limit` of them: one screenful.
    public func elements(from position: Int, limit: Int) -> [Element] {
        var result: [Element] = []
        var remaining = max(position, 0)
        for chunk in chunks where result.count < limit {
            if remaining >= chunk.count {
                remaining -= chunk.count
                continue
            }
            result += chunk[remaining..<(remaining + min(chunk.count - remaining, limit - result.count))]
            remaining = 0
        }
        return result
    }

    /// A place in sorted order, for reading on from it: each step is O(1),
    /// a skip ahead O(chunks skipped).
    public struct Cursor {
        fileprivate var chunk = 0
        fileprivate var offset = 0
        /// The place, counted from the first element.
        public fileprivate(set) var position = 0
    }

    /// A cursor at the first element.
    public var start: Cursor { Cursor() }

    /// The element at `cursor`, or `nil` past the last.
    public func element(at cursor: Cursor) -> Element? {
        cursor.chunk < chunks.count ? chunks[cursor.chunk][cursor.offset] : nil
    }

    /// Moves `cursor` on by `distance` elements (to the end at most).
    public func advance(_ cursor: inout Cursor, by distance: Int) {
        cursor.offset += distance
        cursor.position += distance
        while cursor.chunk < chunks.count, cursor.offset >= chunks[cursor.chunk].count {
            cursor.offset -= chunks[cursor.chunk].count
            cursor.chunk += 1
        }
        if cursor.chunk == chunks.count { cursor.position = count }
    }

    /// Moves `cursor` on to the first element not below `element`, if it
    /// is not there yet (or to the end): O(chunks skipped + log chunk size).
    public func seek(_ cursor: inout Cursor, notBelow element: Element) {
        while cursor.chunk < chunks.count, lasts[cursor.chunk] < element {
            cursor.position += chunks[cursor.chunk].count - cursor.offset
            cursor.chunk += 1
            cursor.offset = 0
        }
        guard cursor.chunk < chunks.count else { return }
        let offset = max(Self.insertionPoint(in: chunks[cursor.chunk], for: element), cursor.offset)
        cursor.position += offset - cursor.offset
        cursor.offset = offset
    }
}
