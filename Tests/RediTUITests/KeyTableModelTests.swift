import RediTUI
import StoreEngine
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
        model.apply([.updated(info("a", size: 50)), .updated(info("d", size: 7))])
        #expect(keys(model) == ["a", "c", "d", "b"])
        model.apply([.removed("c", .expired)])
        #expect(keys(model) == ["a", "d", "b"])
        model.setFilter(GlobPattern("[ab]"))
        #expect(keys(model) == ["a", "b"])
        #expect(model.totalCount == 3 && model.count == 2)
        model.apply([.updated(info("aa")), .updated(info("b", size: 100))])
        #expect(keys(model) == ["b", "a"])
        #expect(model.index(of: "a") == 1 && model.index(of: "d") == nil)
        #expect(model.volatileCount == 0, "c expired and b was rewritten without a deadline")
        model.apply([.flushed])
        #expect(model.count == 0 && model.totalCount == 0)
    }
}

@Suite("Key table model under random changes")
struct KeyTableModelRandomTests {
    @Test func everyOrderMatchesAFreshLoad() {
        var generator = SystemRandomNumberGenerator()
        var model = KeyTableModel()
        model.setFilter(GlobPattern("k[0-5]*"))
        for step in 0..<5000 {
            let key = Bytes("k\(Int.random(in: 0..<300, using: &generator))")
            if Int.random(in: 0..<4, using: &generator) == 0 {
                model.apply([.removed(key, .del)])
            } else {
                let deadline: Int64? = Bool.random(using: &generator) ? Int64.random(in: 0..<50, using: &generator) : nil
                model.apply([.updated(KeyInfo(key: key, typeName: "string", size: Int.random(in: 0..<5, using: &generator), deadline: deadline, preview: ""))])
            }
            if step % 1000 == 999 {
                var fresh = KeyTableModel()
                fresh.load(Array(model.rows.values))
                fresh.setFilter(GlobPattern("k[0-5]*"))
                for order in SortOrder.allCases {
                    model.setSortOrder(order)
                    fresh.setSortOrder(order)
                    #expect(model.rows(from: 0, limit: .max).map(\.key) == fresh.rows(from: 0, limit: .max).map(\.key), "\(order)")
                }
            }
        }
    }
}
