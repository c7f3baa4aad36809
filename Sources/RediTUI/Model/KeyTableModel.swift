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
/// pass the filter in all three orders, kept up to date change by change, so
/// that choosing another order costs nothing.
///
/// A change costs O(log n + chunk) per order (`ChunkedSortedArray`). Only a
/// new filter (or the first load) rebuilds, with one sort by key; the TTL and
/// size orders are then derived from it in linear time.
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
                    for order in SortOrder.allCases {
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
        for order in SortOrder.allCases {
            let position = position(of: info, in: order)
            orders[order]?.remove(position)
        }
    }

    /// Shows the rows in another order: O(1), every order is kept.
    public mutating func setSortOrder(_ newOrder: SortOrder) {
        sortOrder = newOrder
    }

    /// Shows only keys matching a glob (KEYS syntax); `nil` shows all.
    public mutating func setFilter(_ pattern: GlobPattern?) {
        filter = pattern.flatMap { $0.matchesAll ? nil : $0 }
        rebuild()
    }

    /// Builds the three orders: one sort by key, then the TTL order (volatile
    /// rows by deadline, then the rest in key order) and the size order
    /// (largest first, ties in key order) from it in linear time.
    private mutating func rebuild() {
        let byKey = rows.values.filter { passes($0.key) }.map { position(of: $0, in: .key) }.sorted()
        var volatile: [Position] = []
        var persistent: [Position] = []
        var sizes: [Int: [Position]] = [:]
        for entry in byKey {
            let info = rows[entry.key]!
            if let deadline = info.deadline {
                volatile.append(Position(primary: deadline, key: entry.key))
            } else {
                persistent.append(Position(primary: .max, key: entry.key))
            }
            sizes[info.size, default: []].append(Position(primary: -Int64(info.size), key: entry.key))
        }
        volatile.sort()
        orders[.key] = ChunkedSortedArray(sorted: byKey)
        orders[.ttl] = ChunkedSortedArray(sorted: volatile + persistent)
        orders[.size] = ChunkedSortedArray(sorted: sizes.keys.sorted(by: >).flatMap { sizes[$0]! })
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
