import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Lists")
struct ListCommandTests {
    let clock = ManualClock()

    /// Elements of every listpack encoding: small and large integers, a
    /// non-canonical one, strings of 6-bit, 12-bit and 32-bit lengths, binary.
    static func element(using generator: inout SeededGenerator) -> Bytes {
        switch Int.random(in: 0..<8, using: &generator) {
        case 0: return Bytes("\(Int.random(in: -200...200, using: &generator))")
        case 1: return Bytes("\(Int64.random(in: .min ... .max, using: &generator))")
        case 2: return "007"
        case 3: return Bytes(String(repeating: "x", count: Int.random(in: 60...70, using: &generator)))
        case 4: return Bytes(String(repeating: "y", count: Int.random(in: 4090...4100, using: &generator)))
        case 5: return Bytes((0..<Int.random(in: 0...3, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        default: return Bytes("e\(Int.random(in: 0..<8, using: &generator))")
        }
    }

    /// Seeded random commands on a list and on an array, under node limits
    /// by count and by bytes (so that nodes split, fill and empty): every
    /// reply as the array says, every node a valid listpack, counts and
    /// bytes kept.
    @Test(arguments: [(1, 3), (2, -1), (3, 1), (4, -2)])
    func listsMatchAnArray(seed: UInt64, fill: Int) {
        var generator = SeededGenerator(state: seed)
        let engine = Engine(clock: clock)
        engine.encodingLimits.listMaxListpackSize = fill
        var model: [Bytes] = []
        for step in 0..<3000 {
            let element = Self.element(using: &generator)
            let index = Int.random(in: -(model.count + 2)...(model.count + 2), using: &generator)
            let count = Int.random(in: 0...4, using: &generator)
            func resolved(_ index: Int) -> Int? {
                let resolved = index < 0 ? model.count + index : index
                return model.indices.contains(resolved) ? resolved : nil
            }
            switch Int.random(in: 0..<11, using: &generator) {
            case 0, 1:
                #expect(engine.execute(["RPUSH", "l", element, element]) == .integer(Int64(model.count + 2)))
                model += [element, element]
            case 2:
                #expect(engine.execute(["LPUSH", "l", element]) == .integer(Int64(model.count + 1)))
                model.insert(element, at: 0)
            case 3:
                let taken = Array(model.prefix(count))
                let reply = engine.execute(["LPOP", "l", Bytes(Int64(count))])
                #expect(reply == (model.isEmpty ? .nullArray : .array(taken.map(Reply.bulk))))
                model.removeFirst(taken.count)
            case 4:
                #expect(engine.execute(["RPOP", "l"]) == (model.last.map(Reply.bulk) ?? .null))
                if !model.isEmpty { model.removeLast() }
            case 5:
                let pivot = model.isEmpty ? element : model[Int.random(in: 0..<model.count, using: &generator)]
                let after = Bool.random(using: &generator)
                let reply = engine.execute(["LINSERT", "l", after ? "AFTER" : "BEFORE", pivot, element])
                if let found = model.firstIndex(of: pivot) {
                    model.insert(element, at: after ? found + 1 : found)
                    #expect(reply == .integer(Int64(model.count)))
                } else {
                    #expect(reply == (model.isEmpty ? .zero : .integer(-1)))
                }
            case 6:
                let reply = engine.execute(["LSET", "l", Bytes(Int64(index)), element])
                if let at = resolved(index) {
                    model[at] = element
                    #expect(reply == .status("OK"))
                } else {
                    #expect(reply == .error(model.isEmpty ? "ERR no such key" : "ERR index out of range"))
                }
            case 7:
                let target = model.isEmpty ? element : model[Int.random(in: 0..<model.count, using: &generator)]
                let limit = Int.random(in: -2...2, using: &generator)
                var removed = 0
                var order = limit < 0 ? Array(model.indices.reversed()) : Array(model.indices)
                order = order.filter { model[$0] == target }
                if limit != 0 { order = Array(order.prefix(abs(limit))) }
                for at in order.sorted(by: >) { model.remove(at: at); removed += 1 }
                #expect(engine.execute(["LREM", "l", Bytes(Int64(limit)), target]) == .integer(Int64(removed)))
            case 8:
                let stop = index + Int.random(in: -3...40, using: &generator)
                let kept = Engine.ranks(start: Int64(index), end: Int64(stop), count: model.count)
                #expect(engine.execute(["LTRIM", "l", Bytes(Int64(index)), Bytes(Int64(stop))]) == .status("OK"))
                model = Array(model[kept])
            case 9:
                #expect(engine.execute(["LINDEX", "l", Bytes(Int64(index))]) == (resolved(index).map { .bulk(model[$0]) } ?? .null))
            default:
                let rank = [1, 2, -1, -2].randomElement(using: &generator)!
                let matches = model.indices.filter { model[$0] == element }
                let ordered = rank < 0 ? matches.reversed() : matches
                let wanted = Array(ordered.dropFirst(abs(rank) - 1))
                #expect(engine.execute(["LPOS", "l", element, "RANK", Bytes(Int64(rank)), "COUNT", "0"])
                    == .array(wanted.map { .integer(Int64($0)) }))
            }
            guard step % 25 == 0 || model.count < 3 else { continue }
            #expect(engine.execute(["LRANGE", "l", "0", "-1"]) == .array(model.map(Reply.bulk)), "step \(step)")
            guard case .list(let list)? = engine.value(of: "l") else {
                #expect(model.isEmpty, "the key is gone only when the list is empty")
                continue
            }
            #expect(list.count == model.count && list.byteCount == list.nodes.reduce(0) { $0 + $1.byteCount })
            for node in list.nodes {
                #expect(!node.isEmpty)
                #expect((try? Listpack(validating: Bytes(node.bytes)))?.count == node.count, "a node is a listpack Redis reads")
            }
        }
    }

    /// A small list's one node lives inline, beside its count (no deque,
    /// two words with its tag), so the list's box stays as small as before.
    @Test func aSmallListCostsNoDeque() {
        #expect(MemoryLayout<ListNodes>.size <= 16)
        #expect(MemoryLayout<ListValue>.size <= 40)
        #expect(MemoryLayout<Value>.size == MemoryLayout<Bytes>.size)
    }

    /// A list of 100,000 elements is kept in nodes of at most 8 KB (the
    /// default -2), so an index reaches its element through node counts.
    @Test func longListsAreNodesOfBoundedSize() {
        let engine = Engine(clock: clock)
        for start in stride(from: 0, to: 100_000, by: 1000) {
            engine.execute(["RPUSH", "big"] + (start..<start + 1000).map { Bytes("element:\($0)") })
        }
        guard case .list(let list)? = engine.value(of: "big") else { Issue.record("no list"); return }
        #expect(list.nodes.count > 100)
        #expect(list.nodes.allSatisfy { $0.byteCount <= 8192 })
        #expect(engine.run("LINDEX big 50000") == .bulk("element:50000"))
        #expect(engine.run("LINDEX big -1") == .bulk("element:99999"))
        #expect(engine.run("LRANGE big 49999 50001") == .array(["element:49999", "element:50000", "element:50001"].map { .bulk(Bytes($0)) }))
        #expect(engine.run("LSET big 70000 changed") == .status("OK") && engine.run("LINDEX big 70000") == .bulk("changed"))
        #expect(engine.run("OBJECT ENCODING big") == .bulk("quicklist") && engine.run("TYPE big") == .status("list"))
    }

    @Test func eventsAndDirtyAsRedis() {
        let engine = Engine(clock: clock)
        var names: [String] = []
        _ = engine.subscribe(.keys) { events in
            for case .key(let event, let key, _) in events { names.append("\(event.rawValue) \(key)") }
        }
        engine.run("RPUSH a x y z")
        engine.run("LPUSHX nokey x")
        engine.run("LINSERT a BEFORE y w")
        engine.run("LSET a 0 v")
        engine.run("LREM a 0 nope")
        engine.run("LTRIM a 0 -1")
        engine.run("LMOVE a b LEFT RIGHT")
        engine.run("RPOP a 5")
        engine.run("LMPOP 1 b LEFT")
        #expect(names == ["new a", "rpush a", "linsert a", "lset a", "ltrim a", "new b", "rpush b", "lpop a",
                          "rpop a", "del a", "lpop b", "del b"])
        let before = engine.dirty
        engine.run("RPUSH c 1 2 3")
        engine.run("LMOVE c c LEFT RIGHT")
        engine.run("LTRIM c 1 1")
        #expect(engine.dirty - before == 3 + 1 + 2)
    }

    @Test func lmpopIsPropagatedAsAPopWithItsCount() {
        let engine = Engine(clock: clock)
        var propagated: [[Bytes]] = []
        engine.propagate = { batch in propagated += batch.map(\.command) }
        engine.run("RPUSH l a b c")
        engine.run("LMPOP 2 nokey l RIGHT COUNT 10")
        #expect(propagated.last == ["RPOP", "l", "3"])
    }

    @Test func snapshotsKeepListsNodeByNode() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/l.rdb", rules: []))
        engine.execute(["RPUSH", "small", "a", "1", "-4097", Bytes([0, 0xFF]), ""])
        for start in stride(from: 0, to: 20_000, by: 500) {
            engine.execute(["RPUSH", "big"] + (start..<start + 500).map { Bytes("\($0 % 7 == 0 ? "\($0)" : "value-\($0)")") })
        }
        engine.execute(["RPUSH", "huge", Bytes(String(repeating: "z", count: 20_000)), "after"])
        #expect(engine.run("SAVE") == .status("OK"))
        let loaded = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/l.rdb", rules: []))
        #expect(try loaded.loadSnapshot()?.keys == 3)
        for key in ["small", "big", "huge"] {
            #expect(loaded.run("LRANGE \(key) 0 -1") == engine.run("LRANGE \(key) 0 -1"), "\(key)")
            guard case .list(let saved)? = engine.value(of: Bytes(key)), case .list(let read)? = loaded.value(of: Bytes(key)) else {
                Issue.record("\(key) is not a list"); continue
            }
            #expect(read.nodes.map(\.bytes) == saved.nodes.map(\.bytes), "nodes are saved and loaded byte for byte")
        }
    }

    /// Lists as Redis before 7.0 saved them (a string per element, one
    /// ziplist, a quicklist of ziplists) load; damaged ones are refused.
    @Test func olderAndDamagedListRecords() throws {
        let directory = try makeTemporaryDirectory()
        let file = SnapshotRecords.file
        // LIST: a count, then each element as a string.
        let plain = file(RDBFormat.typeList, [3, 1, UInt8(ascii: "a"), 0xC0, 7, 0])
        guard case .success(let engine) = try SnapshotRecords.load(plain, in: directory) else { Issue.record("LIST"); return }
        #expect(engine.run("LRANGE z 0 -1") == .array([.bulk("a"), .bulk("7"), .bulk("")]))
        // ZIPLIST: zlbytes, zltail, zllen, entries (prevlen, encoding, data), 0xFF.
        let entries: [UInt8] = [0, 0x01, UInt8(ascii: "q"), 3, 0xFE, 9, 3, 0xC0, 0x10, 0x27]
        let ziplist: [UInt8] = [UInt8(10 + entries.count + 1), 0, 0, 0, 16, 0, 0, 0, 3, 0] + entries + [0xFF]
        let packed = file(RDBFormat.typeListZiplist, [UInt8(ziplist.count)] + ziplist)
        guard case .success(let fromZiplist) = try SnapshotRecords.load(packed, in: directory) else { Issue.record("ZIPLIST"); return }
        #expect(fromZiplist.run("LRANGE z 0 -1") == .array([.bulk("q"), .bulk("9"), .bulk("10000")]))
        let quicklist = file(RDBFormat.typeListQuicklist, [2, UInt8(ziplist.count)] + ziplist + [UInt8(ziplist.count)] + ziplist)
        guard case .success(let fromQuicklist) = try SnapshotRecords.load(quicklist, in: directory) else { Issue.record("QUICKLIST"); return }
        #expect(fromQuicklist.run("LLEN z") == .integer(6))

        var broken = SnapshotRecords.listpack(["a", "b"])
        broken[broken.count - 2] = 0x7F
        let damaged: [(Data, String)] = [
            (file(RDBFormat.typeListQuicklist2, [1, 2] + broken), "list 'z'"),
            (file(RDBFormat.typeListQuicklist2, [1, 3] + SnapshotRecords.listpack(["a"])), "unknown container"),
            (file(RDBFormat.typeListQuicklist2, [2, 2] + SnapshotRecords.listpack(["a"])), "is corrupt"),
        ]
        for (data, reason) in damaged {
            guard case .failure(let error) = try SnapshotRecords.load(data, in: directory) else { Issue.record("loaded: \(reason)"); continue }
            #expect("\(error)".contains(reason), "\(error)")
        }
        // An empty node is skipped, an empty list is no key, as Redis loads them.
        let empty = file(RDBFormat.typeListQuicklist2, [2, 2] + SnapshotRecords.listpack([]) + [2] + SnapshotRecords.listpack(["x"]))
        guard case .success(let skipping) = try SnapshotRecords.load(empty, in: directory) else { Issue.record("empty node"); return }
        #expect(skipping.run("LRANGE z 0 -1") == .array([.bulk("x")]))
    }

    @Test func previewsAndDetailPagesShowElementsInOrder() {
        let engine = Engine(clock: clock)
        engine.run("RPUSH jobs first second third")
        #expect(engine.info(for: "jobs", in: 0)?.preview == "[first, second, third]")
        #expect(engine.info(for: "jobs", in: 0)?.length == 3)
        let page = engine.detailPage(of: "jobs", in: 0, from: 1, count: 5)
        #expect(page?.rows == [["1", "second"], ["2", "third"]] && page?.typeName == "list" && page?.matching == 3)
        let filtered = engine.detailPage(of: "jobs", in: 0, from: 0, count: 5, filter: "*ir*")
        #expect(filtered?.rows == [["0", "first"], ["2", "third"]] && filtered?.matching == 2)
    }
}
