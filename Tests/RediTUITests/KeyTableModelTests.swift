import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Key table model")
struct KeyTableModelTests {
    func info(_ key: String, size: Int = 1, deadline: Int64? = nil) -> KeyInfo {
        KeyInfo(key: Bytes(key), typeName: "string", size: size, deadline: deadline, preview: "")
    }

    func keys(_ model: KeyTableModel) -> [String] {
        model.rows(from: 0, limit: .max).map(\.key.description)
    }

    @Test func ordersFiltersAndFollowsChanges() {
        var model = KeyTableModel()
        model.load([info("b", size: 5, deadline: 300), info("a", size: 1), info("c", size: 9, deadline: 100)])
        #expect(keys(model) == ["a", "b", "c"])
        model.setSortOrder(.ttl)
        #expect(keys(model) == ["c", "b", "a"], "soonest first, no deadline last")
        model.setSortOrder(.size)
        #expect(keys(model) == ["c", "b", "a"], "largest first")
        model.apply([.updated(info("a", size: 50), database: 0), .updated(info("d", size: 7), database: 0)])
        #expect(keys(model) == ["a", "c", "d", "b"])
        model.apply([.removed("c", .expired, database: 0)])
        #expect(keys(model) == ["a", "d", "b"])
        model.setFilter(GlobPattern("[ab]"))
        #expect(keys(model) == ["a", "b"])
        #expect(model.totalCount == 3 && model.count == 2)
        model.apply([.updated(info("aa"), database: 0), .updated(info("b", size: 100), database: 0)])
        #expect(keys(model) == ["b", "a"])
        #expect(model.index(of: "a") == 1 && model.index(of: "d") == nil)
        #expect(model.volatileCount == 0, "c expired and b was rewritten without a deadline")
        model.apply([.flushed(database: 0)])
        #expect(model.count == 0 && model.totalCount == 0)
    }
}

@Suite("Key table model under random changes")
struct KeyTableModelRandomTests {
    @Test func everyOrderMatchesAFreshLoad() {
        var generator = SeededGenerator(state: 213563)
        var model = KeyTableModel()
        model.setFilter(GlobPattern("k[0-5]*"))
        for step in 0..<5000 {
            let key = Bytes("k\(Int.random(in: 0..<300, using: &generator))")
            if Int.random(in: 0..<4, using: &generator) == 0 {
                model.apply([.removed(key, .del, database: 0)])
            } else {
                let deadline: Int64? = Bool.random(using: &generator) ? Int64.random(in: 0..<50, using: &generator) : nil
                // A collection's length is not its size: the two orders differ.
                let size = Int.random(in: 0..<5, using: &generator), length = Int.random(in: 0..<5, using: &generator)
                model.apply([.updated(KeyInfo(key: key, typeName: "hash", size: size, deadline: deadline, preview: "", length: length), database: 0)])
            }
            if step % 1000 == 999 {
                var fresh = KeyTableModel()
                fresh.load(Array(model.rows.values))
                fresh.setFilter(GlobPattern("k[0-5]*"))
                for order in SortOrder.allCases {
                    model.setSortOrder(order)
                    fresh.setSortOrder(order)
                    let all = model.rows(from: 0, limit: .max).map(\.key)
                    #expect(all == fresh.rows(from: 0, limit: .max).map(\.key), "\(order)")
                    #expect(all == Self.reference(model.rows.values, order), "\(order)")
                    // Pages of a screenful, as the table asks for them, and each row's place.
                    let pages = stride(from: 0, to: all.count, by: 7).flatMap { model.rows(from: $0, limit: 7).map(\.key) }
                    #expect(pages == all, "\(order)")
                    #expect(all.indices.allSatisfy { model.index(of: all[$0]) == $0 }, "\(order)")
                }
            }
        }
    }

    /// The order the table must show, sorted the plain way: filtered by `k[0-5]*`, then
    /// by key; by deadline with the keys without one last; or largest first; ties by key.
    static func reference(_ infos: some Sequence<KeyInfo>, _ order: SortOrder) -> [Bytes] {
        let byKey: (KeyInfo, KeyInfo) -> Bool = { $0.key.array.lexicographicallyPrecedes($1.key.array) }
        let shown = infos.filter { GlobPattern("k[0-5]*").matches($0.key) }.sorted(by: byKey)
        switch order {
        case .key: return shown.map(\.key)
        case .ttl: return shown.enumerated().sorted { ($0.element.deadline ?? .max, $0.offset) < ($1.element.deadline ?? .max, $1.offset) }.map(\.element.key)
        case .size: return shown.enumerated().sorted { (-$0.element.size, $0.offset) < (-$1.element.size, $1.offset) }.map(\.element.key)
        case .length: return shown.enumerated().sorted { (-$0.element.length, $0.offset) < (-$1.element.length, $1.offset) }.map(\.element.key)
        }
    }
}
