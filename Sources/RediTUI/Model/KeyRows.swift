import StoreEngine

/// Every row of the key table by key, packed for a large keyspace: the
/// rows in one array and, by key, their place in it (a dictionary of
/// `KeyInfo` itself would hold twice the buckets' worth of rows). A
/// removal moves the last row into the hole.
public struct KeyRows {
    /// The rows, in no order.
    public private(set) var values: [KeyInfo] = []
    private var places: [Bytes: Int32] = [:]

    init() {}

    init(_ infos: [KeyInfo]) {
        places.reserveCapacity(infos.count)
        values.reserveCapacity(infos.count)
        for info in infos { updateValue(info) }
    }

    public var count: Int { values.count }

    /// Every key, in no order.
    public var keys: LazyMapSequence<[KeyInfo], Bytes> { values.lazy.map(\.key) }

    public subscript(key: Bytes) -> KeyInfo? {
        places[key].map { values[Int($0)] }
    }

    /// Adds or replaces the row of `info.key`; the row it replaced.
    @discardableResult
    mutating func updateValue(_ info: KeyInfo) -> KeyInfo? {
        if let place = places[info.key] {
            defer { values[Int(place)] = info }
            return values[Int(place)]
        }
        places[info.key] = Int32(values.count)
        values.append(info)
        return nil
    }

    /// Removes the row of `key`; the row removed.
    mutating func removeValue(forKey key: Bytes) -> KeyInfo? {
        guard let place = places.removeValue(forKey: key).map(Int.init) else { return nil }
        let removed = values[place]
        let last = values.removeLast()
        if place < values.count {
            values[place] = last
            places[last.key] = Int32(place)
        }
        return removed
    }

    mutating func removeAll() {
        values = []
        places = [:]
    }
}
