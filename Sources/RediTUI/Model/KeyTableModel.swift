import StoreEngine

/// How the key table is ordered.
public enum SortOrder: String, Sendable, CaseIterable {
    /// By key, byte-wise.
    case key
    /// Soonest deadline first; keys without one last.
    case ttl
    /// Largest value first (bytes of memory).
    case size
    /// Most elements first: a collection's fields or members, a string's bytes.
    case length

    /// Orders derived from the key order when first shown (`KeyTableModel`).
    var isDerived: Bool { self == .size || self == .length }
}

/// The rows of the key table: every live key's `KeyInfo`, and the rows that
/// pass the filter in each order, kept up to date change by change.
///
/// The key order and the TTL order are always kept: the TTL order is the
/// volatile rows by deadline followed by the others by key, so each change
/// costs two O(log n + chunk) updates (`ChunkedSortedArray`) and switching
/// to either order costs nothing. The size or length order is derived from
/// the key order when it is asked for, then kept the same way.
public struct KeyTableModel {
    /// A row's place in an order: the sort value, then the key.
    struct Position: Comparable {
        var primary: Int64
        var key: Bytes

        static func < (lhs: Position, rhs: Position) -> Bool {
            if lhs.primary != rhs.primary { return lhs.primary < rhs.primary }
            return lhs.key.compare(to: rhs.key) < 0
        }
    }

    /// A row's place in the key order: its key alone (16 bytes, where a
    /// `Position` takes 24, for the two orders that hold every row).
    struct KeyPosition: Comparable {
        var key: Bytes

        static func < (lhs: KeyPosition, rhs: KeyPosition) -> Bool {
            lhs.key.compare(to: rhs.key) < 0
        }
    }

    public private(set) var rows = KeyRows()
    /// Keys with a deadline, kept in step with `rows`.
    public private(set) var volatileCount = 0
    /// Shown rows by key.
    private var byKey = ChunkedSortedArray<KeyPosition>()
    /// Shown rows with a deadline, soonest first: the head of the TTL order.
    private var byDeadline = ChunkedSortedArray<Position>()
    /// Shown rows without a deadline, by key: the tail of the TTL order.
    private var persistentByKey = ChunkedSortedArray<KeyPosition>()
    /// Shown rows, largest (or longest) first, for `derivedOrder`; built
    /// when asked for.
    private var derived: ChunkedSortedArray<Position>?
    private var derivedOrder: SortOrder?
    public private(set) var sortOrder: SortOrder = .key
    public private(set) var filter: GlobPattern?
    /// Only keys whose deadline (Unix ms) falls in this window, when set
    /// (a bucket of the expiry timeline).
    public private(set) var deadlineWindow: Range<Int64>?
    /// The rows as a tree of folders, while it is shown (in key order).
    public private(set) var tree: KeyTree?

    public init() {}

    /// Rows shown: the keys that pass the filter, or the tree's rows.
    public var count: Int { tree?.rowCount ?? byKey.count }
    /// All live keys, filtered or not.
    public var totalCount: Int { rows.count }

    private static func keyPosition(_ info: KeyInfo) -> KeyPosition { KeyPosition(key: info.key) }
    private static func deadlinePosition(_ info: KeyInfo) -> Position? { info.deadline.map { Position(primary: $0, key: info.key) } }
    private static func measure(_ info: KeyInfo, _ order: SortOrder) -> Int { order == .length ? info.length : info.size }
    private static func derivedPosition(_ info: KeyInfo, _ order: SortOrder) -> Position {
        Position(primary: -Int64(measure(info, order)), key: info.key)
    }

    private func passes(_ info: KeyInfo) -> Bool {
        if let deadlineWindow, !(info.deadline.map(deadlineWindow.contains) ?? false) { return false }
        return filter?.matches(info.key) ?? true
    }

    /// Applies a batch from `StoreHost.watchKeys`.
    public mutating func apply(_ changes: [KeyChange]) {
        defer { if !changes.isEmpty { tree?.layout(byKey) } }
        for change in changes {
            switch change {
            case .updated(let info, _):
                if let old = rows.updateValue(info) {
                    if old.deadline != nil { volatileCount -= 1 }
                    if passes(old) { hide(old) }
                }
                if info.deadline != nil { volatileCount += 1 }
                if passes(info) { show(info) }
            case .removed(let key, _, _):
                if let old = rows.removeValue(forKey: key) {
                    if old.deadline != nil { volatileCount -= 1 }
                    if passes(old) { hide(old) }
                }
            case .swapped, .reloaded:
                break
            case .flushed:
                rows.removeAll()
                volatileCount = 0
                byKey = ChunkedSortedArray()
                byDeadline = ChunkedSortedArray()
                persistentByKey = ChunkedSortedArray()
                derived = derived.map { _ in ChunkedSortedArray() }
                tree?.removeAll()
            }
        }
    }

    /// Replaces every row, as on the first load.
    public mutating func load(_ infos: [KeyInfo]) {
        rows = KeyRows(infos)
        volatileCount = rows.values.count { $0.deadline != nil }
        rebuild()
    }

    private mutating func show(_ info: KeyInfo) {
        byKey.insert(Self.keyPosition(info))
        tree?.add(info.key)
        if let position = Self.deadlinePosition(info) {
            byDeadline.insert(position)
        } else {
            persistentByKey.insert(Self.keyPosition(info))
        }
        if let derivedOrder { derived?.insert(Self.derivedPosition(info, derivedOrder)) }
    }

    private mutating func hide(_ info: KeyInfo) {
        byKey.remove(Self.keyPosition(info))
        tree?.remove(info.key)
        if let position = Self.deadlinePosition(info) {
            byDeadline.remove(position)
        } else {
            persistentByKey.remove(Self.keyPosition(info))
        }
        if let derivedOrder { derived?.remove(Self.derivedPosition(info, derivedOrder)) }
    }

    /// Shows the rows in another order: O(1) for the key and TTL orders;
    /// O(n log n) for the size or length order, unless it was the last derived.
    public mutating func setSortOrder(_ newOrder: SortOrder) {
        sortOrder = newOrder
        if newOrder.isDerived, derivedOrder != newOrder || derived == nil { derive(newOrder) }
    }

    /// Shows only keys matching a glob (KEYS syntax); `nil` shows all.
    public mutating func setFilter(_ pattern: GlobPattern?) {
        filter = pattern.flatMap { $0.matchesAll ? nil : $0 }
        rebuild()
    }

    /// Shows only keys whose deadline falls in `window` (Unix ms); `nil`
    /// lets the glob alone decide.
    public mutating func setDeadlineWindow(_ window: Range<Int64>?) {
        deadlineWindow = window
        rebuild()
    }

    /// Sorts the shown rows by key and by deadline; the size or length order
    /// is derived again only if it is the one shown.
    private mutating func rebuild() {
        let shown = rows.values.lazy.filter(passes).map { (position: Self.keyPosition($0), deadline: $0.deadline) }
            .sorted { $0.position < $1.position }
        byKey = ChunkedSortedArray(sorted: shown.map(\.position))
        byDeadline = ChunkedSortedArray(shown.compactMap { row in row.deadline.map { Position(primary: $0, key: row.position.key) } })
        persistentByKey = ChunkedSortedArray(sorted: shown.lazy.filter { $0.deadline == nil }.map(\.position))
        derived = nil
        derivedOrder = nil
        if sortOrder.isDerived { derive(sortOrder) }
        if let delimiter = tree?.delimiter { countFolders(delimiter) }
    }

    /// Shows the rows as a tree of folders split at `delimiter`, or as a
    /// table (`nil`). Folders open stay open while the delimiter is the same.
    public mutating func showTree(delimiter: Bytes?) {
        guard let delimiter else {
            tree = nil
            return
        }
        countFolders(delimiter)
    }

    private mutating func countFolders(_ delimiter: Bytes) {
        var tree = tree?.delimiter == delimiter ? tree! : KeyTree(delimiter: delimiter)
        tree.removeAll()
        var cursor = byKey.start
        while let position = byKey.element(at: cursor) {
            tree.add(position.key)
            byKey.advance(&cursor, by: 1)
        }
        tree.layout(byKey)
        self.tree = tree
    }

    /// Opens a closed folder of the tree, closes an open one.
    public mutating func toggleFolder(_ folder: Bytes) {
        tree?.toggle(folder)
        tree?.layout(byKey)
    }

    /// Closes a folder of the tree and the folders in it.
    public mutating func collapseFolder(_ folder: Bytes) {
        tree?.collapse(folder)
        tree?.layout(byKey)
    }

    /// Builds the size or length order (largest first, ties in key order)
    /// from the key order, without comparing keys again.
    private mutating func derive(_ order: SortOrder) {
        let infos = byKey.elements(from: 0, limit: byKey.count).compactMap { rows[$0.key] }
        // Each row as one integer, largest first then place in the key order:
        // measures are taken up to 2^29 (512 MB, or 536 million elements) and places below 2^34.
        let ranked = infos.indices.map { (UInt64(1 << 29 - min(Self.measure(infos[$0], order), 1 << 29)) << 34) | UInt64($0) }.sorted()
        derived = ChunkedSortedArray(sorted: ranked.map { Self.derivedPosition(infos[Int($0 & (1 << 34 - 1))], order) })
        derivedOrder = order
    }

    /// The rows from `offset` in the current order, at most `limit`.
    public func rows(from offset: Int, limit: Int) -> [KeyInfo] {
        let keys: [Bytes]
        switch sortOrder {
        case .key:
            keys = byKey.elements(from: offset, limit: limit).map(\.key)
        case .size, .length:
            keys = derived?.elements(from: offset, limit: limit).map(\.key) ?? []
        case .ttl:
            let head = byDeadline.elements(from: offset, limit: limit).map(\.key)
            keys = head + persistentByKey.elements(from: max(offset - byDeadline.count, 0), limit: limit - head.count).map(\.key)
        }
        return keys.compactMap { rows[$0] }
    }

    /// The rows shown from `offset`, at most `limit`: keys, or the tree's
    /// keys and folders.
    public func shownRows(from offset: Int, limit: Int) -> [ShownRow] {
        guard let tree else { return rows(from: offset, limit: limit).map { .key($0, tree: nil) } }
        return tree.rows(from: max(offset, 0), limit: limit, in: byKey).compactMap { row in
            if row.isFolder { return .folder(row) }
            return rows[row.name].map { .key($0, tree: row) }
        }
    }

    /// How many shown keys expire in each of `ExpiryTimeline.buckets` from
    /// `now` (Unix ms), the last one counting the rest: read off the
    /// deadline order, O(log n + chunks) a bucket, exact at any size.
    public func expiring(now: Int64) -> [Int] {
        var below = ExpiryTimeline.buckets.dropLast().map { bucket in
            byDeadline.count(below: Position(primary: now + bucket.milliseconds, key: Bytes()))
        }
        below.append(byDeadline.count)
        return below.indices.map { below[$0] - ($0 == 0 ? 0 : below[$0 - 1]) }
    }

    /// The first shown key, in key order, that starts with `prefix`.
    public func firstKey(withPrefix prefix: Bytes) -> Bytes? {
        byKey.first(notBelow: KeyPosition(key: prefix)).map(\.key).flatMap { $0.hasPrefix(prefix) ? $0 : nil }
    }

    /// Where a key is in the current order (or the tree's rows), if it is shown.
    public func index(of key: Bytes) -> Int? {
        guard let info = rows[key], passes(info) else { return nil }
        if let tree { return byKey.firstIndex(of: KeyPosition(key: key)).flatMap(tree.row(ofKeyAt:)) }
        switch sortOrder {
        case .key:
            return byKey.firstIndex(of: Self.keyPosition(info))
        case .size, .length:
            return derived?.firstIndex(of: Self.derivedPosition(info, sortOrder))
        case .ttl:
            if let position = Self.deadlinePosition(info) { return byDeadline.firstIndex(of: position) }
            return persistentByKey.firstIndex(of: Self.keyPosition(info)).map { byDeadline.count + $0 }
        }
    }
}

/// A row of the key table as shown: a key's, or a folder's in the tree.
public enum ShownRow: Equatable {
    /// A key, and its place in the tree when the tree is shown.
    case key(KeyInfo, tree: TreeRow?)
    case folder(TreeRow)

    /// The key of a key's row.
    public var key: Bytes? {
        if case .key(let info, _) = self { return info.key }
        return nil
    }
}
