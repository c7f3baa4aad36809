import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Sets")
struct SetCommandTests {
    let clock = ManualClock()

    @Test func integersStayAnIntsetUntilRedisLimits() {
        let engine = Engine(clock: clock)
        engine.encodingLimits.setMaxIntsetEntries = 3
        #expect(engine.run("SADD s 3 1 2 2") == .integer(3))
        #expect(engine.run("OBJECT ENCODING s") == .bulk("intset"))
        #expect(engine.run("SMEMBERS s") == .set([.bulk("1"), .bulk("2"), .bulk("3")]), "an intset is sorted")
        engine.run("SADD s 4")
        #expect(engine.run("OBJECT ENCODING s") == .bulk("hashtable"), "past the entry limit")
        engine.run("SADD t 1 007")
        #expect(engine.run("OBJECT ENCODING t") == .bulk("hashtable"), "007 is not an integer as Redis reads one")
        #expect(engine.run("SISMEMBER t 7") == .zero && engine.run("SISMEMBER t 007") == .one)
        engine.run("SADD u -9223372036854775808 9223372036854775807")
        #expect(engine.run("OBJECT ENCODING u") == .bulk("intset"))
    }

    @Test func eventsAndChangesAsRedis() {
        let engine = Engine(clock: clock)
        var names: [String] = []
        _ = engine.subscribe(.keys) { events in
            for case .key(let event, let key, _) in events { names.append("\(event.rawValue) \(key)") }
        }
        engine.run("SADD a 1 2")
        engine.run("SADD a 2")
        engine.run("SREM a 1 2")
        engine.run("SADD b x")
        engine.run("SMOVE b c x")
        engine.run("SPOP c")
        engine.run("SADD d 1")
        engine.run("SINTERSTORE e d")
        engine.run("SINTERSTORE e nokey")
        #expect(names == ["new a", "sadd a", "srem a", "del a", "new b", "sadd b", "srem b", "del b", "new c", "sadd c",
                          "spop c", "del c", "new d", "sadd d", "new e", "sinterstore e", "del e"])
    }

    @Test func scanCoversATable() {
        let engine = Engine(clock: clock)
        for index in 0..<1000 { engine.run("SADD big m\(index)") }
        var cursor: Bytes = "0"
        var seen = Set<Bytes>()
        repeat {
            guard case .array(let parts) = engine.execute(["SSCAN", "big", cursor, "COUNT", "20"]),
                  case .bulk(let next) = parts[0], case .array(let items) = parts[1] else { Issue.record("SSCAN"); return }
            for case .bulk(let member) in items { seen.insert(member) }
            cursor = next
        } while cursor != "0"
        #expect(seen.count == 1000)
    }

    @Test func popAndRandomMembers() {
        let engine = Engine(clock: clock)
        for index in 0..<100 { engine.run("SADD s m\(index)") }
        guard case .set(let popped) = engine.run("SPOP s 30") else { Issue.record("SPOP"); return }
        #expect(Set(popped).count == 30 && engine.run("SCARD s") == .integer(70))
        for case .bulk(let member) in popped { #expect(engine.execute(["SISMEMBER", "s", member]) == .zero) }
        guard case .array(let distinct) = engine.run("SRANDMEMBER s 50") else { Issue.record("SRANDMEMBER"); return }
        #expect(Set(distinct).count == 50)
        #expect(engine.run("SRANDMEMBER s -200").arrayCount == 200)
        #expect(engine.run("SRANDMEMBER s 1000").arrayCount == 70)
        #expect(engine.run("SCARD s") == .integer(70), "SRANDMEMBER removes nothing")
        engine.run("SPOP s 70")
        #expect(engine.run("EXISTS s") == .zero)
    }

    @Test func snapshotsAndCopiesKeepSets() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/s.rdb", rules: []))
        engine.run("SADD ints 5 -1 70000 9223372036854775807")
        engine.run("SADD words a b c")
        engine.run("COPY words copy")
        engine.run("SADD copy d")
        #expect(engine.run("SCARD words") == .integer(3), "a copy is its own")
        #expect(engine.run("SAVE") == .status("OK"))
        let loaded = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/s.rdb", rules: []))
        #expect(try loaded.loadSnapshot()?.keys == 3)
        #expect(loaded.run("SMEMBERS ints") == engine.run("SMEMBERS ints"))
        #expect(loaded.run("OBJECT ENCODING ints") == .bulk("intset") && loaded.run("SCARD copy") == .integer(4))
    }

    @Test func thePreviewListsTheFirstMembers() {
        let engine = Engine(clock: clock)
        engine.run("SADD tags 7 3")
        #expect(engine.info(for: "tags", in: 0)?.preview == "{3, 7}")
        #expect(engine.info(for: "tags", in: 0)?.previewIsCut == false, "the whole set: no ellipsis")
        engine.run("SADD words a")
        #expect(engine.info(for: "words", in: 0)?.preview == "{a}")
    }

    @Test func damagedIntsetsAreRefused() throws {
        for blob: [UInt8] in [[2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0], [3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0],
                              [2, 0, 0, 0, 2, 0, 0, 0, 5, 0], [2, 0, 0, 0, 2, 0, 0, 0, 9, 0, 5, 0]] {
            #expect(throws: PackedEncodings.Invalid.self) { try PackedEncodings.integers(ofIntset: Bytes(blob)) }
        }
        #expect(try PackedEncodings.integers(ofIntset: Bytes(PackedEncodings.intset([-3, 7, 1 << 40]))) == [-3, 7, 1 << 40])
    }
}
