@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// A page of a key's value for a detail view: the rows asked for, the
/// counts, never the whole collection.
@Suite("Detail pages")
struct DetailPageTests {
    let clock = ManualClock()

    @Test func pagesOfEveryTypeCoverTheValueOnceInOrder() {
        let engine = Engine(clock: clock)
        for index in 0..<1000 { engine.run("HSET h f\(index) v\(index)") }
        for index in 0..<700 { engine.run("SADD s m\(index)") }
        for index in 0..<300 { engine.run("ZADD z \(300 - index) m\(index)") }
        engine.run("SET str hello")
        for (key, total, columns) in [("h", 1000, 2), ("s", 700, 1), ("z", 300, 3)] {
            var seen: [[Bytes]] = []
            var offset = 0
            while offset < total {
                let page = engine.detailPage(of: Bytes(key), in: 0, from: offset, count: 128)!
                #expect(page.total == total && page.matching == total && page.offset == offset)
                #expect(page.rows.count == min(128, total - offset) && page.rows.allSatisfy { $0.count == columns })
                seen += page.rows
                offset += 128
            }
            #expect(Set(seen.map { $0[columns == 3 ? 1 : 0] }).count == total, "\(key): every element once")
        }
        let z = engine.detailPage(of: "z", in: 0, from: 0, count: 3)!
        #expect(z.rows == [["0", "m299", "1"], ["1", "m298", "2"], ["2", "m297", "3"]], "rank, member, score, by score")
        #expect(engine.detailPage(of: "str", in: 0, from: 0, count: 10)?.rows == [["hello"]])
        #expect(engine.detailPage(of: "nokey", in: 0, from: 0, count: 10) == nil)
        #expect(engine.detailPage(of: "h", in: 0, from: 5000, count: 10)?.rows == [], "past the end: no rows")
    }

    @Test func aFilterCountsItsMatchesAndPagesThroughThem() {
        let engine = Engine(clock: clock)
        for index in 0..<500 { engine.run("HSET h field:\(index) \(index)") }
        for index in 0..<200 { engine.run("ZADD z \(index) \(index % 2 == 0 ? "even" : "odd"):\(index)") }
        let first = engine.detailPage(of: "h", in: 0, from: 0, count: 5, filter: "field:1*")!
        #expect(first.matching == 111 && first.total == 500 && first.rows.count == 5, "1, 10-19, 100-199")
        #expect(first.rows.allSatisfy { $0[0].description.hasPrefix("field:1") })
        let last = engine.detailPage(of: "h", in: 0, from: 110, count: 5, filter: "field:1*")!
        #expect(last.rows.count == 1)
        let odd = engine.detailPage(of: "z", in: 0, from: 0, count: 2, filter: "odd:*")!
        #expect(odd.matching == 100 && odd.rows == [["1", "odd:1", "1"], ["3", "odd:3", "3"]], "ranks among all members")
        #expect(engine.detailPage(of: "h", in: 0, from: 0, count: 5, filter: "*")?.matching == 500, "* filters nothing")
        #expect(engine.detailPage(of: "h", in: 0, from: 0, count: 5, filter: "none*")?.rows == [])
    }

    @Test func anExpiredKeyHasNoPageAndNothingChanges() {
        let engine = Engine(clock: clock)
        engine.run("HSET h f v")
        engine.run("PEXPIRE h 10")
        clock.advance(by: 11)
        #expect(engine.detailPage(of: "h", in: 0, from: 0, count: 10) == nil)
        #expect(engine.keyCount == 1, "only looks: the key is removed by the engine's own expiry, not here")
    }
}
