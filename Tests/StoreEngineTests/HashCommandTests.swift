import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Hashes")
struct HashCommandTests {
    let clock = ManualClock()

    @Test func fieldsAreSetReadAndDeleted() {
        let engine = Engine(clock: clock)
        #expect(engine.run("HSET user name Alice age 30") == .integer(2))
        #expect(engine.run("HSET user age 31 city Paris") == .integer(1), "only new fields count")
        #expect(engine.run("HGET user age") == .bulk("31"))
        #expect(engine.run("HMGET user name nope city") == .array([.bulk("Alice"), .null, .bulk("Paris")]))
        #expect(engine.run("HGETALL user") == .map([.bulk("name"), .bulk("Alice"), .bulk("age"), .bulk("31"), .bulk("city"), .bulk("Paris")]),
                "a packed hash keeps the order fields came in")
        #expect(engine.run("HKEYS user") == .bulks(["name", "age", "city"]))
        #expect(engine.run("HVALS user") == .bulks(["Alice", "31", "Paris"]))
        #expect(engine.run("HLEN user") == .integer(3))
        #expect(engine.run("HSTRLEN user name") == .integer(5))
        #expect(engine.run("HEXISTS user age") == .one && engine.run("HEXISTS user zip") == .zero)
        #expect(engine.run("HSETNX user name Bob") == .zero && engine.run("HSETNX user zip 75000") == .one)
        #expect(engine.run("HMSET user a 1 b 2") == .status("OK"))
        #expect(engine.run("HDEL user a b nope") == .integer(2))
        #expect(engine.run("TYPE user") == .status("hash"))
        #expect(engine.run("OBJECT ENCODING user") == .bulk("listpack"))
        #expect(engine.run("HDEL user name age city zip") == .integer(4))
        #expect(engine.run("EXISTS user") == .zero, "an emptied hash is removed")
        #expect(engine.run("HGET nokey f") == .null && engine.run("HGETALL nokey") == .map([]) && engine.run("HLEN nokey") == .zero)
        #expect(engine.run("HSET odd f") == .error("ERR wrong number of arguments for 'hset' command"))
        #expect(engine.run("HSET odd f v g") == .error("ERR wrong number of arguments for 'hset' command"))
    }

    @Test func typesAreKeptApart() {
        let engine = Engine(clock: clock)
        engine.run("SET s v")
        engine.run("HSET h f v")
        let wrongType = Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value")
        for line in ["HGET s f", "HSET s f v", "HDEL s f", "HLEN s", "HGETALL s", "HINCRBY s f 1", "HSCAN s 0", "HRANDFIELD s"] {
            #expect(engine.run(line) == wrongType, "\(line)")
        }
        for line in ["GET h", "APPEND h x", "INCR h", "STRLEN h", "GETRANGE h 0 1", "SETRANGE h 0 x", "GETBIT h 0", "SETBIT h 0 1",
                     "BITCOUNT h", "INCRBYFLOAT h 1", "GETDEL h", "GETEX h", "GETSET h x", "SET h x GET"] {
            #expect(engine.run(line) == wrongType, "\(line)")
        }
        #expect(engine.run("LCS h s") == .error("ERR The specified keys must contain string values"))
        #expect(engine.run("MGET s h") == .array([.bulk("v"), .null]), "MGET answers nil for other types")
        #expect(engine.run("SET h plain") == .ok, "SET replaces any type")
        #expect(engine.run("TYPE h") == .status("string"))
    }

    @Test func incrementsAsRedis() {
        let engine = Engine(clock: clock)
        #expect(engine.run("HINCRBY h n 5") == .integer(5))
        #expect(engine.run("HINCRBY h n -7") == .integer(-2))
        #expect(engine.run("HINCRBY h n x") == .error("ERR value is not an integer or out of range"))
        #expect(engine.run("HINCRBY h n 9223372036854775807") == .integer(9_223_372_036_854_775_805))
        #expect(engine.run("HINCRBY h n 10") == .error("ERR increment or decrement would overflow"))
        engine.run("HSET h s text")
        #expect(engine.run("HINCRBY h s 1") == .error("ERR hash value is not an integer"))
        #expect(engine.run("HINCRBYFLOAT h s 1") == .error("ERR hash value is not a float"))
        #expect(engine.run("HINCRBYFLOAT h f 10.5") == .bulk("10.5"))
        #expect(engine.run("HINCRBYFLOAT h f 0.1") == .bulk("10.6"))
        #expect(engine.run("HINCRBYFLOAT h f inf") == .error("ERR value is NaN or Infinity"))
        #expect(engine.run("HINCRBYFLOAT h f abc") == .error("ERR value is not a valid float"))
        #expect(engine.run("HINCRBYFLOAT new f 3") == .bulk("3"))
        #expect(engine.run("HINCRBY bad n x") == .error("ERR value is not an integer or out of range"))
        #expect(engine.run("EXISTS bad") == .zero, "a failed increment creates no key")
    }

    @Test func packedHashesBecomeTablesAtRedisLimits() {
        let engine = Engine(clock: clock)
        engine.encodingLimits.hashMaxListpackEntries = 4
        for index in 0..<4 { engine.run("HSET h f\(index) v") }
        #expect(engine.run("OBJECT ENCODING h") == .bulk("listpack"))
        engine.run("HSET h f4 v")
        #expect(engine.run("OBJECT ENCODING h") == .bulk("hashtable"), "past the entry limit")
        engine.run("HDEL h f0 f1 f2 f3")
        #expect(engine.run("OBJECT ENCODING h") == .bulk("hashtable"), "a table stays a table")
        engine.run(#"HSET long f "\#(String(repeating: "x", count: 65))""#)
        #expect(engine.run("OBJECT ENCODING long") == .bulk("hashtable"), "past the value limit")
        engine.run(#"HSET edge f "\#(String(repeating: "x", count: 64))""#)
        #expect(engine.run("OBJECT ENCODING edge") == .bulk("listpack"), "at the limit it stays packed")
    }

    @Test func eventsAndChangesAsRedis() {
        let engine = Engine(clock: clock)
        var names: [String] = []
        _ = engine.subscribe(.keys) { events in
            for case .key(let event, let key, _) in events { names.append("\(event.rawValue) \(key)") }
        }
        engine.run("HSET h a 1 b 2")
        engine.run("HSET h a 1")
        engine.run("HDEL h a b")
        engine.run("HINCRBY h n 1")
        engine.run("HINCRBYFLOAT h n 1")
        #expect(names == ["new h", "hset h", "hset h", "hdel h", "del h", "new h", "hincrby h", "hincrbyfloat h"])
        #expect(engine.dirty == 2 + 1 + 2 + 1 + 1, "every pair set counts, as in Redis")
    }

    @Test func scanCoversATableWhateverTheCursorSteps() {
        let engine = Engine(clock: clock)
        for index in 0..<1000 { engine.run("HSET big f\(index) \(index)") }
        #expect(engine.run("OBJECT ENCODING big") == .bulk("hashtable"))
        var cursor = "0"
        var seen: [String: String] = [:]
        var calls = 0
        repeat {
            guard case .array(let parts) = engine.execute(["HSCAN", "big", Bytes(cursor), "COUNT", "50"]),
                  case .bulk(let next) = parts[0], case .array(let items) = parts[1] else { Issue.record("HSCAN"); return }
            for pair in stride(from: 0, to: items.count, by: 2) {
                guard case .bulk(let field) = items[pair], case .bulk(let value) = items[pair + 1] else { continue }
                seen[field.description] = value.description
            }
            cursor = next.description
            calls += 1
        } while cursor != "0"
        #expect(seen.count == 1000 && seen["f7"] == "7")
        #expect(calls > 5, "a table is scanned in steps")
        #expect(engine.run("HSCAN big 0 MATCH f99* COUNT 100000") ==
                .array([.bulk("0"), engine.run("HSCAN big 0 MATCH f99* COUNT 100000").arrayElement(1)]))
        #expect(engine.run("HSCAN big abc") == .error("ERR invalid cursor"))
        #expect(engine.run("HSCAN big 0 COUNT 0") == .error("ERR syntax error"))
    }

    @Test func randomFieldsFollowRedisCases() throws {
        let engine = Engine(clock: clock)
        engine.run("HSET small a 1 b 2 c 3")
        for _ in 0..<50 {
            guard case .bulk(let field) = engine.run("HRANDFIELD small") else { Issue.record("HRANDFIELD"); return }
            #expect(["a", "b", "c"].contains(field.description))
        }
        #expect(engine.run("HRANDFIELD small 0") == .array([]))
        #expect(engine.run("HRANDFIELD nokey") == .null && engine.run("HRANDFIELD nokey 3") == .array([]))
        #expect(engine.run("HRANDFIELD small 10").arrayCount == 3, "a count past the size gives every field once")
        #expect(engine.run("HRANDFIELD small -10").arrayCount == 10, "a negative count repeats")
        guard case .pairs(let pairs) = engine.run("HRANDFIELD small 2 WITHVALUES") else { Issue.record("pairs"); return }
        #expect(pairs.count == 4, "fields with their values, as pairs in RESP3")
        #expect(engine.run("HRANDFIELD small 1 foo") == .error("ERR syntax error"))
        #expect(engine.run("HRANDFIELD small -9223372036854775808")
                == .error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"))
        #expect(engine.run("HRANDFIELD small 9223372036854775807 WITHVALUES") == .error("ERR value is out of range"))
        for _ in 0..<1000 { engine.run("HSET big f\(Int.random(in: 0..<100_000)) v") }
        guard case .array(let distinct) = engine.run("HRANDFIELD big 300") else { Issue.record("HRANDFIELD"); return }
        #expect(Set(distinct).count == 300, "a positive count gives distinct fields")
    }

    /// Each change to a big hash or set changes it in place: copying the
    /// table on every change (a reference held too long) would make this
    /// quadratic, minutes instead of a second. The bound only catches that.
    @Test func bigCollectionsGrowInPlace() {
        let engine = Engine(clock: clock)
        let start = ContinuousClock.now
        for batch in 0..<100 {
            engine.execute(["HSET", "big"] + (0..<1000).flatMap { [Bytes("f\(batch * 1000 + $0)"), Bytes("v")] })
            engine.execute(["SADD", "members"] + (0..<1000).map { Bytes("m\(batch * 1000 + $0)") })
        }
        #expect(engine.run("HLEN big") == .integer(100_000) && engine.run("SCARD members") == .integer(100_000))
        #expect(ContinuousClock.now - start < .seconds(30), "100,000 fields and members in \(ContinuousClock.now - start)")
    }

    /// The packed encoding under any limits: long fields (varint lengths of
    /// two and three bytes), replacements that change a length, removals.
    @Test func packedHashesHoldAnyLengths() {
        let engine = Engine(clock: clock)
        engine.encodingLimits.hashMaxListpackValue = 1 << 20
        let long = Bytes(String(repeating: "l", count: 200)), huge = Bytes(String(repeating: "h", count: 20_000))
        engine.execute(["HSET", "h", "a", "", long, huge, "", "empty field", "b", long])
        #expect(engine.run("OBJECT ENCODING h") == .bulk("listpack"))
        #expect(engine.execute(["HGET", "h", long]) == .bulk(huge) && engine.execute(["HGET", "h", ""]) == .bulk("empty field"))
        engine.execute(["HSET", "h", long, "short now"])
        engine.execute(["HSET", "h", "a", huge])
        #expect(engine.execute(["HGET", "h", long]) == .bulk("short now") && engine.execute(["HGET", "h", "a"]) == .bulk(huge))
        #expect(engine.run("HDEL h a") == .integer(1))
        #expect(engine.execute(["HGETALL", "h"]) == .map([.bulk(long), .bulk("short now"), .bulk(""), .bulk("empty field"), .bulk("b"), .bulk(long)]))
        #expect(engine.run("HLEN h") == .integer(3))
    }

    /// A front end reads a key's size and preview on every change: for a
    /// collection both cost the same whatever its contents (never a walk of
    /// a million fields per HSET while the UI watches).
    @Test func sizeAndPreviewOfACollectionDoNotWalkIt() {
        let engine = Engine(clock: clock)
        for index in 0..<600 {
            engine.run("HSET short f\(index) v")
            engine.execute(["HSET", "long", Bytes("f\(index)"), Bytes(String(repeating: "v", count: 60))])
            engine.run("SADD members m\(index)")
        }
        let short = engine.info(for: "short", in: 0), long = engine.info(for: "long", in: 0)
        #expect(short?.size == long?.size, "the table's slots, not the sum of its values")
        #expect(short?.length == 600 && engine.info(for: "members", in: 0)?.length == 600)
        #expect((engine.info(for: "members", in: 0)?.preview.count ?? 0) <= Engine.previewLength)
    }

    @Test func copyRenameMoveAndSnapshotsKeepHashes() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/h.rdb", rules: []))
        engine.run("HSET packed a 1 b two")
        for index in 0..<600 { engine.run("HSET table f\(index) \(index)") }
        engine.run("COPY packed copied")
        engine.run("HSET copied a changed")
        #expect(engine.run("HGET packed a") == .bulk("1"), "a copy is its own")
        engine.run("RENAME copied renamed")
        engine.run("MOVE renamed 3")
        #expect(engine.run("SAVE") == .ok)
        let loaded = Engine(clock: clock, persistence: PersistenceSettings(path: "\(directory)/h.rdb", rules: []))
        #expect(try loaded.loadSnapshot()?.keys == 3)
        #expect(loaded.run("HGETALL packed") == engine.run("HGETALL packed"))
        #expect(loaded.run("OBJECT ENCODING table") == .bulk("hashtable") && loaded.run("HLEN table") == .integer(600))
        #expect(loaded.run("HGET table f599") == .bulk("599"))
        loaded.select(3)
        #expect(loaded.run("HGET renamed a") == .bulk("changed"))
    }

    /// Seeded random listpack hashes, their fields drawn from a few so that
    /// some repeat (binary, emoji, integers of each listpack width, some
    /// stored as text as a file may hold them, empty, short and long about
    /// a fingerprint's 8-byte words), plain or LZF-compressed: one loads, in
    /// order and in the encoding Redis gives it, exactly when no field repeats.
    @Test func aLoadedHashIsRefusedExactlyWhenAFieldRepeats() throws {
        let directory = try makeTemporaryDirectory()
        var generator = SeededGenerator(state: 0x4A5B_11C3)
        let integers: [Bytes] = ["12", "-7", "127", "128", "-4096", "4096", "32767", "-8388608", "2147483647",
                                 "9223372036854775807", "-9223372036854775808"]
        let pool: [Bytes] = integers + ["a", "b", "", Bytes([0, 0xFF, 0x0D, 0x0A]), "é🙂", "abcdefgh", "abcdefghi",
                                        "0123456789abcdef", "0123456789abcdefg", Bytes(String(repeating: "x", count: 60)),
                                        Bytes(String(repeating: "x", count: 61)), Bytes(String(repeating: "y", count: 64))]
        var refused = 0
        var tables = 0
        for _ in 0..<250 {
            let count = Int.random(in: 1...[4, 12, 40, 200].randomElement(using: &generator)!, using: &generator)
            var fields: [Bytes] = []
            for _ in 0..<count {
                // Mostly distinct fields made unique by a suffix, some drawn bare from the pool.
                let field = pool.randomElement(using: &generator)!
                fields.append(Int.random(in: 0..<4, using: &generator) == 0 ? field : Bytes(field.array + Array("\(fields.count)".utf8)))
            }
            let elements = fields.flatMap { [$0, Bool.random(using: &generator) ? integers.randomElement(using: &generator)! : "v"] }
            let payload = SnapshotRecords.mixedListpack(elements.map { ($0, Int.random(in: 0..<3, using: &generator) == 0) })
            let compressed = Bool.random(using: &generator)
            let file = SnapshotRecords.file(RDBFormat.typeHashListpack, SnapshotRecords.string(payload, compressed: compressed))
            let repeats = Set(fields.map(\.array)).count < fields.count
            switch try SnapshotRecords.load(file, in: directory) {
            case .success(let engine):
                #expect(!repeats, "a hash with a repeated field loaded: \(fields)")
                #expect(engine.run("HGETALL z") == .map(elements.map { .bulk($0) }))
                let packs = elements.allSatisfy { $0.count <= 64 }
                #expect(engine.run("OBJECT ENCODING z") == .bulk(packs ? "listpack" : "hashtable"))
                if !packs { tables += 1 }
            case .failure(let error):
                #expect(repeats && "\(error)".contains("has a field twice"), "\(fields): \(error)")
                refused += 1
            }
        }
        #expect(refused > 20 && refused < 230 && tables > 10, "every outcome was tried: \(refused) refused, \(tables) tables")
    }

    /// Many hashes in one file, compressed or not, of sizes that grow and
    /// shrink (the loader reuses one buffer for each inflated listpack):
    /// each loads as written.
    @Test func manyCompressedHashesLoadFromOneFile() throws {
        let directory = try makeTemporaryDirectory()
        var generator = SeededGenerator(state: 0x77E1_0A5D)
        var records: [(key: Bytes, type: UInt8, payload: [UInt8])] = []
        var expected: [Bytes: [Bytes]] = [:]
        for index in 0..<300 {
            let count = Int.random(in: 1...[3, 30, 300].randomElement(using: &generator)!, using: &generator)
            let elements = (0..<count).flatMap { field -> [Bytes] in
                [Bytes("field:\(field)"), Bytes(String(repeating: "v", count: Int.random(in: 0...40, using: &generator)))]
            }
            let key = Bytes("hash:\(index)")
            expected[key] = elements
            let payload = SnapshotRecords.string(PackedEncodings.listpack(elements), compressed: Bool.random(using: &generator))
            records.append((key, RDBFormat.typeHashListpack, payload))
        }
        guard case .success(let engine) = try SnapshotRecords.load(SnapshotRecords.snapshot(records), in: directory) else {
            Issue.record("the file did not load")
            return
        }
        #expect(engine.run("DBSIZE") == .integer(300))
        for (key, elements) in expected {
            #expect(engine.execute(["HGETALL", key]) == .map(elements.map { .bulk($0) }), "\(key)")
        }
    }

    /// A hash's listpack is packed straight from the file: kept packed when
    /// it fits the limits, a table when not, refused when damaged.
    @Test func listpackHashesLoadPackedOrAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        let (file, listpack) = (SnapshotRecords.file, SnapshotRecords.listpack)
        let loaded = try SnapshotRecords.load(file(RDBFormat.typeHashListpack, listpack(["name", "Al", "n", "-7", "big", "70000"])), in: directory)
        guard case .success(let engine) = loaded else { Issue.record("\(loaded)"); return }
        #expect(engine.run("HGETALL z") == .map([.bulk("name"), .bulk("Al"), .bulk("n"), .bulk("-7"), .bulk("big"), .bulk("70000")]))
        #expect(engine.run("OBJECT ENCODING z") == .bulk("listpack"))
        // A value past hash-max-listpack-value (64): a table, as Redis converts it on load.
        let long = Bytes(String(repeating: "v", count: 70))
        let wide = try SnapshotRecords.load(file(RDBFormat.typeHashListpack, listpack(["f", long, "g", "1"])), in: directory)
        guard case .success(let table) = wide else { Issue.record("\(wide)"); return }
        #expect(table.run("HGET z f") == .bulk(long) && table.run("HGET z g") == .bulk("1"))
        #expect(table.run("OBJECT ENCODING z") == .bulk("hashtable"))
        let twice = try SnapshotRecords.load(file(RDBFormat.typeHashListpack, listpack(["f", long, "f", "1"])), in: directory)
        guard case .failure(let error) = twice else { Issue.record("a field twice in a table-bound hash loaded"); return }
        #expect("\(error)".contains("has a field twice"))
        for (payload, reason) in [(listpack(["a", "1", "a", "2"]), "has a field twice"), (listpack(["a", "1", "b"]), "a field without a value")] {
            guard case .failure(let error) = try SnapshotRecords.load(file(RDBFormat.typeHashListpack, payload), in: directory) else {
                Issue.record("loaded: \(reason)")
                continue
            }
            #expect("\(error)".contains(reason), "\(error)")
        }
        let empty = try SnapshotRecords.load(file(RDBFormat.typeHashListpack, listpack([])), in: directory)
        guard case .success(let none) = empty else { Issue.record("\(empty)"); return }
        #expect(none.run("EXISTS z") == .zero, "an empty hash is skipped, as Redis skips it")
    }

    /// Limits set as low as they go (`hash-max-listpack-entries 0`, a
    /// value of at most 0 bytes): every loaded hash becomes a table, and
    /// one with a field twice is still refused.
    @Test func listpackHashesLoadUnderTheLowestLimits() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/low.rdb"
        let elements: [Bytes] = ["f", "1", "g", "two", "", "-4096"]
        for limits in [(entries: 0, value: 64), (entries: 512, value: 0), (entries: 0, value: 0)] {
            for (payload, twice) in [(elements, false), (elements + ["f", "again"], true)] {
                try SnapshotRecords.file(RDBFormat.typeHashListpack, SnapshotRecords.listpack(payload)).write(to: URL(fileURLWithPath: path))
                let engine = Engine(clock: clock, persistence: PersistenceSettings(path: path, rules: []))
                engine.encodingLimits.hashMaxListpackEntries = limits.entries
                engine.encodingLimits.hashMaxListpackValue = limits.value
                do {
                    _ = try engine.loadSnapshot()
                    #expect(!twice, "a field twice loaded under \(limits)")
                    #expect(engine.run("OBJECT ENCODING z") == .bulk("hashtable"), "\(limits)")
                    #expect(engine.run("HLEN z") == .integer(3) && engine.run("HGET z g") == .bulk("two") && engine.run(#"HGET z """#) == .bulk("-4096"))
                } catch {
                    #expect(twice && "\(error)".contains("has a field twice"), "\(limits): \(error)")
                }
            }
        }
    }

    /// A packed hash or sorted set grown one command at a time keeps about
    /// its own bytes, as a listpack does: the slack of a doubled buffer goes.
    @Test func packedCollectionsKeepAboutTheirOwnSize() {
        let engine = Engine(clock: clock)
        for index in 0..<40 {
            engine.run("HSET h field\(index) value\(index)")
            engine.run("ZADD z \(index) member\(index)")
        }
        for key: Bytes in ["h", "z"] {
            guard let slot = engine.keyspace.find(key) else { Issue.record("no \(key)"); return }
            let list: PackedList? = switch engine.keyspace.value(at: slot) {
            case .hash(let hash): if case .packed(let list) = hash.storage { list } else { nil }
            case .sortedSet(let sortedSet): if case .packed(let list) = sortedSet.storage { list } else { nil }
            default: nil
            }
            guard let list else { Issue.record("\(key) is not packed"); return }
            #expect(list.buffer.capacity - list.buffer.count <= list.buffer.count / 8 + 8, "\(key): \(list.buffer.capacity) for \(list.buffer.count)")
        }
    }
}

extension Reply {
    func arrayElement(_ index: Int) -> Reply {
        if case .array(let items) = self, index < items.count { return items[index] }
        return .null
    }

}
