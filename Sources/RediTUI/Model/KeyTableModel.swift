import StoreEngine

/// How the key table is ordered.
public enum SortOrder: String, Sendable, CaseIterable {
    /// By key, byte-wise.
    case key
    /// Soonest deadline first; keys without one last.
    case ttl
    /// Largest value first.
    case size
}

/// The rows of the key table: every live key's `KeyInfo`, and the rows that
/// pass the filter in each order used so far, kept up to date change by
/// change, so that going back to an order costs nothing.
///
/// A change costs O(log n + chunk) per kept order (`ChunkedSortedArray`).
/// A new filter (or the first load) sorts by key; the TTL and size orders
/// are derived from the key order the first time they are asked for.
public struct KeyTableModel {
    /// A row's place in the current order: the sort value, then the key.
    struct Position: Comparable {
        var primary: Int64
        var key: Bytes

        static func < (lhs: Position, rhs: Position) -> Bool {
            if lhs.primary != rhs.primary { return lhs.primary < rhs.primary }
            return lhs.key.withUnsafeBytes { a in
                rhs.key.withUnsafeBytes { b in
                    let common = min(a.count, b.count)
                    if common > 0 {
                        let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                        if order != 0 { return order < 0 }
                    }
                    return a.count < b.count
                }
            }
        }
    }

    public private(set) var rows: [Bytes: KeyInfo] = [:]
    /// Keys with a deadline, kept in step with `rows`.
    public private(set) var volatileCount = 0
    private var orders: [SortOrder: ChunkedSortedArray<Position>] = [:]
    public private(set) var sortOrder: SortOrder = .key
    public private(set) var filter: GlobPattern?

    public init() {}

    /// Rows that pass the filter.
    public var count: Int { orders[.key]?.count ?? 0 }
    /// All live keys, filtered or not.
    public var totalCount: Int { rows.count }

    private func position(of info: KeyInfo, in sortOrder: SortOrder) -> Position {
        switch sortOrder {
        case .key: return Position(primary: 0, key: info.key)
        case .ttl: return Position(primary: info.deadline ?? .max, key: info.key)
        case .size: return Position(primary: -Int64(info.size), key: info.key)
        }
    }

    private func passes(_ key: Bytes) -> Bool {
        filter?.matches(key) ?? true
    }

    /// Applies a batch from `StoreHost.watchKeys`.
    public mutating func apply(_ changes: [KeyChange]) {
        for change in changes {
            switch change {
            case .updated(let info):
                if let old = rows.updateValue(info, forKey: info.key) {
                    if old.deadline != nil { volatileCount -= 1 }
                    if passes(old.key) { removeFromOrders(old) }
                }
                if info.deadline != nil { volatileCount += 1 }
                if passes(info.key) {
                    if orders.isEmpty { orders[.key] = ChunkedSortedArray() }
                    for order in Array(orders.keys) {
                        let position = position(of: info, in: order)
                        orders[order, default: ChunkedSortedArray()].insert(position)
                    }
                }
            case .removed(let key, _):
                if let old = rows.removeValue(forKey: key) {
                    if old.deadline != nil { volatileCount -= 1 }
                    if passes(key) { removeFromOrders(old) }
                }
            case .flushed:
                rows.removeAll()
                volatileCount = 0
                orders = [:]
            }
        }
    }

    /// Replaces every row, as on the first load.
    public mutating func load(_ infos: [KeyInfo]) {
        rows = Dictionary(infos.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        volatileCount = rows.values.count { $0.deadline != nil }
        rebuild()
    }

    private mutating func removeFromOrders(_ info: KeyInfo) {
        for order in Array(orders.keys) {
            let position = position(of: info, in: order)
            orders[order]?.remove(position)
        }
    }

    /// Shows the rows in another order: O(1) for an order used before;
    /// the first time, O(n) plus a sort of the volatile keys.
    public mutating func setSortOrder(_ newOrder: SortOrder) {
        sortOrder = newOrder
        if orders[newOrder] == nil { derive(newOrder) }
    }

    /// Shows only keys matching a glob (KEYS syntax); `nil` shows all.
    public mutating func setFilter(_ pattern: GlobPattern?) {
        filter = pattern.flatMap { $0.matchesAll ? nil : $0 }
        rebuild()
    }

    /// Sorts the filtered rows by key; other orders are derived when asked for.
    private mutating func rebuild() {
        let byKey = rows.values.filter { passes($0.key) }.map { position(of: $0, in: .key) }.sorted()
        orders = [.key: ChunkedSortedArray(sorted: byKey)]
        if sortOrder != .key { derive(sortOrder) }
    }

    /// Builds the TTL order (volatile rows by deadline, then the rest in key
    /// order) or the size order (largest first, ties in key order) from the
    /// key order, without comparing keys again.
    private mutating func derive(_ order: SortOrder) {
        guard order != .key, let byKey = orders[.key] else { return }
        let infos = byKey.elements(from: 0, limit: byKey.count).compactMap { rows[$0.key] }
        switch order {
        case .key:
            return
        case .ttl:
            var volatile = infos.compactMap { info in info.deadline.map { Position(primary: $0, key: info.key) } }
            volatile.sort()
            let persistent = infos.lazy.filter { $0.deadline == nil }.map { Position(primary: .max, key: $0.key) }
            orders[.ttl] = ChunkedSortedArray(sorted: volatile + persistent)
        case .size:
            // Sorting by size, then by place in the key order: integer comparisons only.
            let ranked = infos.indices.sorted { infos[$0].size != infos[$1].size ? infos[$0].size > infos[$1].size : $0 < $1 }
            orders[.size] = ChunkedSortedArray(sorted: ranked.map { Position(primary: -Int64(infos[$0].size), key: infos[$0].key) })
        }
    }

    /// The rows from `offset` in the current order, at most `limit`.
    public func rows(from offset: Int, limit: Int) -> [KeyInfo] {
        (orders[sortOrder]?.elements(from: offset, limit: limit) ?? []).compactMap { rows[$0.key] }
    }

    /// Where a key is in the current order, if it is shown.
    public func index(of key: Bytes) -> Int? {
        guard let info = rows[key], passes(key) else { return nil }
        return orders[sortOrder]?.firstIndex(of: position(of: info, in: sortOrder))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
