import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Sorted sets")
struct SortedSetCommandTests {
    let clock = ManualClock()

    /// The chunked order against a sorted array, through seeded random
    /// inserts, removals and range removals large enough to split, merge
    /// and drop chunks: every rank, partition point and walk agrees.
    @Test(arguments: [1, 2, 3])
    func rankedEntriesMatchASortedArray(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        var entries = RankedEntries()
        var model: [ScoredMember] = []
        for step in 0..<6000 {
            let roll = Int.random(in: 0..<100, using: &generator)
            if roll < 60 || model.isEmpty {
                let entry = ScoredMember(score: Double(Int.random(in: -50...50, using: &generator)),
                                         member: Bytes("m\(Int.random(in: 0..<100_000, using: &generator))"))
                guard !model.contains(where: { $0.member == entry.member }) else { continue }
                entries.insert(entry)
                model.insert(entry, at: model.firstIndex { !$0.precedes(entry) } ?? model.count)
            } else if roll < 95 {
                let victim = model.remove(at: Int.random(in: 0..<model.count, using: &generator))
                let removed = entries.remove(victim)
                #expect(removed)
            } else {
                let start = Int.random(in: 0..<model.count, using: &generator)
                let end = min(model.count, start + Int.random(in: 0..<400, using: &generator))
                let removed = entries.removeRanks(start..<end)
                #expect(removed == Array(model[start..<end]))
                model.removeSubrange(start..<end)
            }
            #expect(entries.count == model.count)
            guard step % 97 == 0, !model.isEmpty else { continue }
            for rank in stride(from: 0, to: model.count, by: max(1, model.count / 50)) {
                #expect(entries[rank] == model[rank])
                #expect(entries.rank(of: model[rank]) == rank)
            }
            let pivot = Double(Int.random(in: -60...60, using: &generator))
            #expect(entries.partitionPoint { $0.score >= pivot } == (model.firstIndex { $0.score >= pivot } ?? model.count))
            let low = Int.random(in: 0..<model.count, using: &generator)
            let high = min(model.count, low + Int.random(in: 0..<300, using: &generator))
            var forward: [ScoredMember] = [], backward: [ScoredMember] = []
            entries.forEach(ranks: low..<high) { forward.append($0); return true }
            entries.forEach(ranks: low..<high, reverse: true) { backward.append($0); return true }
            #expect(forward == Array(model[low..<high]) && backward == model[low..<high].reversed())
        }
        #expect(entries.chunks.allSatisfy { !$0.isEmpty && $0.count <= RankedEntries.chunkLimit })
    }

    /// The same random commands on a packed sorted set and on an indexed
    /// one (zset-max-listpack-entries 0): every reply equal.
    @Test(arguments: [7, 8])
    func packedAndIndexedAnswerAlike(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        let packed = Engine(clock: clock), indexed = Engine(clock: clock)
        indexed.encodingLimits.zsetMaxListpackEntries = 0
        let bounds = ["-inf", "+inf", "(1", "2", "(3.5", "0", "-2"]
        // Lex ranges are for members of one score (Redis leaves others undefined): key `l`.
        let lex = ["-", "+", "[a", "(b", "[m3", "(m7", "[m"]
        for _ in 0..<3000 {
            let member = "m\(Int.random(in: 0..<30, using: &generator))"
            let score = String(Double(Int.random(in: -8...8, using: &generator)) / 2)
            let a = Int.random(in: -12...12, using: &generator), b = Int.random(in: -12...12, using: &generator)
            let low = bounds.randomElement(using: &generator)!, high = bounds.randomElement(using: &generator)!
            let lexLow = lex.randomElement(using: &generator)!, lexHigh = lex.randomElement(using: &generator)!
            let commands = [
                "ZADD z \(score) \(member)", "ZADD l 0 \(member)", "ZADD z GT CH \(score) \(member)", "ZADD z XX INCR \(score) \(member)",
                "ZINCRBY z \(score) \(member)", "ZREM z \(member)", "ZSCORE z \(member)", "ZRANK z \(member)",
                "ZREVRANK z \(member)", "ZRANGE z \(a) \(b) WITHSCORES", "ZRANGE z \(a) \(b) REV",
                "ZRANGEBYSCORE z \(low) \(high) WITHSCORES LIMIT \(a) \(b)", "ZREVRANGEBYSCORE z \(high) \(low)",
                "ZCOUNT z \(low) \(high)", "ZRANGEBYLEX l \(lexLow) \(lexHigh)", "ZLEXCOUNT l \(lexLow) \(lexHigh)",
                "ZREVRANGEBYLEX l \(lexHigh) \(lexLow) LIMIT 1 3", "ZREMRANGEBYLEX l \(lexLow) \(lexHigh)", "ZREMRANGEBYRANK z \(a) \(b)",
                "ZREMRANGEBYSCORE z \(low) \(high)", "ZPOPMIN z \(abs(a) % 3)", "ZPOPMAX z", "ZCARD z",
                "ZRANGESTORE d z \(low) \(high) BYSCORE", "ZRANGE d 0 -1 WITHSCORES", "ZMSCORE z \(member) m1",
            ]
            // Inserts weigh more, so that the set grows past a few members.
            let command = Int.random(in: 0..<3, using: &generator) == 0
                ? commands.randomElement(using: &generator)! : commands[Int.random(in: 0..<5, using: &generator)]
            #expect(packed.run(command) == indexed.run(command), "\(command)")
        }
        #expect(indexed.run("OBJECT ENCODING z") == .bulk("skiplist") || indexed.run("EXISTS z") == .zero)
    }

    @Test func encodingsFollowRedisLimits() {
        let engine = Engine(clock: clock)
        engine.encodingLimits.zsetMaxListpackEntries = 3
        engine.run("ZADD z 1 a 2 b 3 c")
        #expect(engine.run("OBJECT ENCODING z") == .bulk("listpack"))
        engine.run("ZADD z 4 d")
        #expect(engine.run("OBJECT ENCODING z") == .bulk("skiplist"), "past the entry limit")
        engine.run("ZREM z a b c")
        #expect(engine.run("OBJECT ENCODING z") == .bulk("skiplist"), "and stays one, as in Redis")
        engine.execute(["ZADD", "long", "1", Bytes(String(repeating: "x", count: 65))])
        #expect(engine.run("OBJECT ENCODING long") == .bulk("skiplist"), "past the value limit")
        engine.run("ZUNIONSTORE back 1 z")
        #expect(engine.run("OBJECT ENCODING back") == .bulk("listpack"), "a stored result is packed by its size")
        #expect(engine.run("TYPE z") == .status("zset"))
    }

    @Test func eventsAndDirtyAsRedis() {
        let engine = Engine(clock: clock)
        var names: [String] = []
        _ = engine.subscribe(.keys) { events in
            for case .key(let event, let key, _) in events { names.append("\(event.rawValue) \(key)") }
        }
        engine.run("ZADD a 1 x 2 y")
        engine.run("ZADD a 1 x")
        engine.run("ZINCRBY a 1 x")
        engine.run("ZREM a x")
        engine.run("ZPOPMAX a")
        engine.run("ZADD b 1 x 2 y 3 z")
        engine.run("ZREMRANGEBYSCORE b 1 1")
        engine.run("ZREMRANGEBYRANK b 0 -1")
        engine.run("ZADD c 1 x")
        engine.run("ZUNIONSTORE d 1 c")
        engine.run("ZRANGESTORE d c 5 9")
        engine.run("ZMPOP 1 c MIN")
        #expect(names == ["new a", "zadd a", "zincr a", "zrem a", "zpopmax a", "del a", "new b", "zadd b", "zremrangebyscore b",
                          "zremrangebyrank b", "del b", "new c", "zadd c", "new d", "zunionstore d", "del d", "zpopmin c", "del c"])
        let before = engine.dirty
        engine.run("ZADD e 1 a 2 b")
        engine.run("ZADD e 1 a 3 b")
        #expect(engine.dirty - before == 3, "added plus updated")
    }

    @Test func scanCoversAnIndexedSortedSet() {
        let engine = Engine(clock: clock)
        for index in 0..<1000 { engine.run("ZADD big \(index) m\(index)") }
        var cursor: Bytes = "0"
        var seen: [Bytes: Bytes] = [:]
        repeat {
            guard case .array(let parts) = engine.execute(["ZSCAN", "big", cursor, "COUNT", "20"]),
                  case .bulk(let next) = parts[0], case .array(let items) = parts[1] else { Issue.record("ZSCAN"); return }
            for pair in stride(from: 0, to: items.count, by: 2) {
                guard case .bulk(let member) = items[pair], case .bulk(let score) = items[pair + 1] else { continue }
                seen[member] = score
            }
            cursor = next
        } while cursor != "0"
        #expect(seen.count == 1000 && seen["m517"] == "517")
    }

    @Test func snapshotsKeepScoresAndEncodings() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/z.rdb", rules: []))
        engine.run("ZADD small 1.5 a -inf b inf c 0.1 d 3 e")
        engine.run("ZADD small -0 zero")
        for index in 0..<500 { engine.run("ZADD big \(Double(index) / 3) m\(index)") }
        engine.run("ZADD big -0 zero")
        engine.execute(["ZADD", "binary", "2", Bytes([0, 0xFF]), "1", ""])
        #expect(engine.run("SAVE") == .status("OK"))
        let loaded = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/z.rdb", rules: []))
        #expect(try loaded.loadSnapshot()?.keys == 3)
        for key in ["small", "big", "binary"] {
            #expect(loaded.run("ZRANGE \(key) 0 -1 WITHSCORES") == engine.run("ZRANGE \(key) 0 -1 WITHSCORES"), "\(key)")
            #expect(loaded.run("OBJECT ENCODING \(key)") == engine.run("OBJECT ENCODING \(key)"), "\(key)")
        }
        #expect(loaded.run("ZSCORE big zero") == .double(-0.0) && loaded.run("ZSCORE small zero") == .double(0))
    }

    @Test func damagedSortedSetsAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        let (file, listpack) = (SnapshotRecords.file, SnapshotRecords.listpack)
        let nan = withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { Array($0) }
        let damaged: [(Data, String)] = [
            (file(RDBFormat.typeZSetListpack, listpack(["a", "1", "a", "2"])), "has a member twice"),
            (file(RDBFormat.typeZSetListpack, listpack(["a", "1", "b"])), "a member without a score"),
            (file(RDBFormat.typeZSetListpack, listpack(["a", "x"])), "an invalid score"),
            (file(RDBFormat.typeZSet2, [1, 1, UInt8(ascii: "a")] + nan), "a NaN score"),
            (file(RDBFormat.typeZSet2, [2, 1, UInt8(ascii: "a")] + nan), "a NaN score"),
            (file(RDBFormat.typeZSet, [1, 1, UInt8(ascii: "a"), 3, UInt8(ascii: "x"), 0, 0]), "invalid score"),
        ]
        for (data, reason) in damaged {
            guard case .failure(let error) = try SnapshotRecords.load(data, in: directory) else { Issue.record("loaded: \(reason)"); continue }
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test func scoresPrintAsRedisPrintsThem() {
        #expect(Score.format(1) == "1" && Score.format(-2.5) == "-2.5" && Score.format(0.1) == "0.10000000000000001")
        #expect(Score.format(1e17) == "1e+17" && Score.format(99_999_999_999_999_984) == "99999999999999984")
        #expect(Score.format(.infinity) == "inf" && Score.format(-.infinity) == "-inf" && Score.format(-0.0) == "-0")
        #expect(Score.parse(" 1") == nil && Score.parse("1 ") == nil && Score.parse("nan") == nil && Score.parse("") == nil)
        #expect(Score.parse("1e400") == nil && Score.parse("0x10") == 16 && Score.parse("-inf") == -.infinity)
        #expect(ScoreRange(min: "", max: "(")?.min == 0, "as strtod reads an empty bound")
    }

    @Test func thePreviewListsMembersWithScores() {
        let engine = Engine(clock: clock)
        engine.run("ZADD board 3 alice 1 bob")
        #expect(engine.info(for: "board", in: 0)?.preview == "[bob 1, alice 3]")
        #expect(engine.info(for: "board", in: 0)?.length == 2)
    }
}
