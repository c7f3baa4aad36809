import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// Cross-checks with a real redis-server 7.0: the same commands give the
/// same replies, and RDB files move both ways.
@Suite("Redis 7.0 interoperability", .serialized)
struct RedisInteropTests {
    @Test func rediSnapshotsPassRedisCheckRdbAndLoadInRedis() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let engine = Engine(persistence: PersistenceSettings(path: path, rules: []))
        engine.run("DEBUG POPULATE 2000")
        engine.run("SET int 12345")
        engine.run("SET big 9223372036854775807")
        engine.execute(["SET", "long", Bytes(String(repeating: "compress me ", count: 50))])
        engine.execute(["SET", "binary", Bytes([0, 10, 13, 0xFF])])
        engine.run("SET volatile v EX 1000")
        engine.select(9)
        engine.run("SET in9 nine EX 1000")
        engine.select(0)
        #expect(engine.run("SAVE") == .status("OK"))

        let check = try runProcess(try tool("redis-check-rdb", from: "redis-tools"), [path])
        #expect(check.status == 0)
        #expect(check.text.contains("RDB looks OK"), "\(check.text)")

        let redis = try RedisServer(directory: directory, dbfilename: "dump.rdb")
        defer { redis.stop() }
        let client = try RESPClient(socketPath: redis.socket)
        #expect(try client.send(["DBSIZE"]) == .integer(2005))
        for key: Bytes in ["key:0", "key:1999", "int", "big", "long", "binary", "volatile"] {
            #expect(try client.send(["GET", key]) == engine.execute(["GET", key]), "\(key)")
        }
        guard case .integer(let ttl) = try client.send(["TTL", "volatile"]) else { Issue.record("TTL"); return }
        #expect(ttl > 990 && ttl <= 1000)
        #expect(try client.send(["SELECT", "9"]) == .status("OK"))
        #expect(try client.send(["GET", "in9"]) == .bulk("nine"))
        #expect(try client.send(["DBSIZE"]) == .integer(1))
    }

    @Test func redisSnapshotsLoadInRedi() throws {
        let directory = try makeTemporaryDirectory()
        let redis = try RedisServer(directory: directory, dbfilename: "from-redis.rdb")
        defer { redis.stop() }
        let client = try RESPClient(socketPath: redis.socket)
        var expected: [Bytes: Bytes] = [:]
        let samples: [(Bytes, Bytes)] = [
            ("small-int", "7"), ("negative", "-30000"), ("int32", "2000000000"), ("int64", "9000000000000"),
            ("text", "hello"), ("empty", ""), ("binary", Bytes([0, 0xFF, 10, 13])),
            ("compressible", Bytes(String(repeating: "abcabcabc", count: 100))),
            ("incompressible", Bytes((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })),
        ]
        for (key, value) in samples {
            #expect(try client.send(["SET", key, value]) == .status("OK"))
            expected[key] = value
        }
        #expect(try client.send(["SET", "volatile", "v", "PX", "500000"]) == .status("OK"))
        #expect(try client.send(["SELECT", "12"]) == .status("OK"))
        #expect(try client.send(["SET", "in12", "twelve"]) == .status("OK"))
        #expect(try client.send(["SELECT", "0"]) == .status("OK"))
        for index in 0..<3000 {
            _ = try client.send(["SET", Bytes("bulk:\(index)"), Bytes("value-\(index)-\(String(repeating: "x", count: index % 50))")])
        }
        #expect(try client.send(["SAVE"]) == .status("OK"))

        let engine = Engine(persistence: PersistenceSettings(path: "\(directory)/from-redis.rdb", rules: []))
        let report = try #require(try engine.loadSnapshot())
        #expect(report.keys == samples.count + 1 + 1 + 3000)
        engine.select(12)
        #expect(engine.run("GET in12") == .bulk("twelve"))
        engine.select(0)
        for (key, value) in expected {
            #expect(engine.execute(["GET", key]) == .bulk(value), "\(key)")
        }
        for index in stride(from: 0, to: 3000, by: 97) {
            let key = Bytes("bulk:\(index)")
            #expect(engine.execute(["GET", key]) == (try client.send(["GET", key])))
        }
        guard case .integer(let pttl) = engine.run("PTTL volatile") else { Issue.record("PTTL"); return }
        #expect(pttl > 490_000 && pttl <= 500_000)
    }

    /// The commands that build the hashes both servers save: packed ones
    /// with every listpack integer size, binary and long fields, and tables
    /// made by the entry and the value limits.
    static let hashSetup: [[Bytes]] = {
        var commands: [[Bytes]] = [
            ["HSET", "small", "name", "Alice", "age", "30"],
            ["HSET", "ints", "a", "0", "b", "127", "c", "128", "d", "-4096", "e", "4095", "f", "70000", "g", "-2147483648",
             "h", "1099511627776", "i", "9223372036854775807", "j", "-9223372036854775808", "k", "007", "l", "-0", "m", "1e3"],
            ["HSET", Bytes([0, 0xFF, 10]), Bytes([1, 2]), Bytes([0xC3, 0x28])],
            ["HSET", "strings", "six", Bytes(String(repeating: "s", count: 63)), "twelve", Bytes(String(repeating: "t", count: 64))],
            ["HSET", "longvalue", "f", Bytes(String(repeating: "v", count: 100))],
        ]
        commands.append(["HSET", "many"] + (0..<600).flatMap { [Bytes("field:\($0)"), Bytes(String($0 * 7))] })
        return commands
    }()

    static func sortedPairs(_ reply: Reply) -> [String] {
        guard case .map(let items) = reply else {
            if case .array(let items) = reply { return sortedPairs(.map(items)) }
            return []
        }
        return stride(from: 0, to: items.count, by: 2).map { "\(items[$0]) = \(items[$0 + 1])" }.sorted()
    }

    /// Builds the same keys with `setup` in redi and in Redis, and moves each
    /// side's snapshot to the other: redis-check-rdb accepts redi's file, and
    /// every key reads the same (`read`, compared through `normalize`) with
    /// the same OBJECT ENCODING on both sides. `inRedis` checks more while
    /// Redis holds redi's file.
    /// - Returns: the engine that wrote and the one that loaded Redis's file.
    @discardableResult
    static func expectSnapshotsMoveBothWays(
        file: String, setup: [[Bytes]], keys: [Bytes], read: (Bytes) -> [Bytes], normalize: (Reply) -> [String],
        inRedis: (RESPClient) throws -> Void = { _ in }
    ) throws -> (written: Engine, loaded: Engine) {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/\(file)"
        // redi writes, Redis reads.
        let engine = Engine(persistence: PersistenceSettings(path: path, rules: []))
        for command in setup { _ = engine.execute(command) }
        #expect(engine.run("SAVE") == .status("OK"))
        let check = try runProcess(try tool("redis-check-rdb", from: "redis-tools"), [path])
        #expect(check.status == 0 && check.text.contains("RDB looks OK"), "\(check.text)")
        let redis = try RedisServer(directory: directory, dbfilename: file)
        let client = try RESPClient(socketPath: redis.socket)
        for key in keys {
            #expect(normalize(try client.send(read(key))) == normalize(engine.execute(read(key))), "\(key)")
            #expect(try client.send(["OBJECT", "ENCODING", key]) == engine.execute(["OBJECT", "ENCODING", key]), "\(key)")
        }
        try inRedis(client)
        // Redis writes, redi reads.
        _ = try client.send(["FLUSHALL"])
        for command in setup { _ = try client.send(command) }
        _ = try client.send(["SAVE"])
        redis.stop()
        let loaded = Engine(persistence: PersistenceSettings(path: path, rules: []))
        #expect(try loaded.loadSnapshot()?.keys == keys.count)
        for key in keys {
            #expect(normalize(loaded.execute(read(key))) == normalize(engine.execute(read(key))), "\(key)")
            #expect(loaded.execute(["OBJECT", "ENCODING", key]) == engine.execute(["OBJECT", "ENCODING", key]), "\(key)")
        }
        return (engine, loaded)
    }

    @Test func hashesMoveBothWaysWithTheirEncodings() throws {
        let keys: [Bytes] = ["small", "ints", Bytes([0, 0xFF, 10]), "strings", "longvalue", "many"]
        let (written, loaded) = try Self.expectSnapshotsMoveBothWays(
            file: "hashes.rdb", setup: Self.hashSetup, keys: keys, read: { ["HGETALL", $0] }, normalize: Self.sortedPairs
        ) { (client: RESPClient) throws in
            #expect(try client.send(["HGETALL", "small"]) == .array([.bulk("name"), .bulk("Alice"), .bulk("age"), .bulk("30")]),
                    "a listpack keeps its order")
        }
        #expect(loaded.run("HGETALL small") == written.run("HGETALL small"))
    }

    @Test func setsMoveBothWaysWithTheirEncodings() throws {
        let setup: [[Bytes]] = [
            ["SADD", "small16", "1", "-5", "300"], ["SADD", "wide32", "70000", "-2"], ["SADD", "wide64", "9223372036854775807", "0"],
            ["SADD", "words", "a", "b", Bytes([0, 0xFF])], ["SADD", "mixed", "1", "x"],
            ["SADD", "many"] + (0..<600).map { Bytes(String($0)) },
        ]
        let keys: [Bytes] = ["small16", "wide32", "wide64", "words", "mixed", "many"]
        func sorted(_ reply: Reply) -> [String] {
            guard case .array(let items) = reply else { if case .set(let items) = reply { return items.map { "\($0)" }.sorted() }; return [] }
            return items.map { "\($0)" }.sorted()
        }
        try Self.expectSnapshotsMoveBothWays(file: "sets.rdb", setup: setup, keys: keys, read: { ["SMEMBERS", $0] }, normalize: sorted) { (client: RESPClient) throws in
            #expect(try client.send(["SMEMBERS", "small16"]) == .array([.bulk("-5"), .bulk("1"), .bulk("300")]), "an intset is sorted")
        }
    }

    @Test func sortedSetsMoveBothWaysWithTheirEncodings() throws {
        let setup: [[Bytes]] = [
            ["ZADD", "small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e", "-0", "f", "9007199254740993", "g"],
            ["ZADD", "bin", "3", Bytes([0, 0xFF, 10]), "1e300", "x"],
            ["ZADD", "longmember", "1", Bytes(String(repeating: "m", count: 65))],
            ["ZADD", "many"] + (0..<300).flatMap { [Bytes(String(Double($0) / 7)), Bytes("member:\($0)")] },
            ["ZADD", "negzero", "-0", "a"] + (0..<200).flatMap { [Bytes(String($0)), Bytes("n\($0)")] },
        ]
        try Self.expectSnapshotsMoveBothWays(
            file: "zsets.rdb", setup: setup, keys: ["small", "bin", "longmember", "many", "negzero"],
            read: { ["ZRANGE", $0, "0", "-1", "WITHSCORES"] }, normalize: { $0.rawLines.map(\.description) })
    }

    /// Lists of every listpack encoding and of many nodes: Redis reads
    /// redi's nodes, and Redis's nodes load byte for byte as redi builds
    /// them from the same pushes (the same node limits, the same encodings).
    @Test func listsMoveBothWaysNodeForNode() throws {
        let setup: [[Bytes]] = [
            ["RPUSH", "small", "a", "1", "-4097", "100000", "9223372036854775807", "007", Bytes([0, 0xFF, 10]), ""],
            ["RPUSH", "long", Bytes(String(repeating: "v", count: 5000)), "x"],
            ["RPUSH", "many"] + (0..<5000).map { Bytes($0 % 3 == 0 ? "\($0)" : "item-\($0)") },
            ["LPUSH", "many"] + (0..<3000).map { Bytes("front-\($0)") },
        ]
        let keys: [Bytes] = ["small", "long", "many"]
        let (written, loaded) = try Self.expectSnapshotsMoveBothWays(
            file: "lists.rdb", setup: setup, keys: keys, read: { ["LRANGE", $0, "0", "-1"] }, normalize: { $0.rawLines.map(\.description) })
        for key in keys {
            guard case .list(let ours)? = written.value(of: key), case .list(let theirs)? = loaded.value(of: key) else {
                Issue.record("\(key) is not a list"); continue
            }
            #expect(ours.nodes.map(\.bytes) == theirs.nodes.map(\.bytes), "\(key)")
        }
    }

    @Test func otherRedisTypesAreRefusedByName() throws {
        let directory = try makeTemporaryDirectory()
        let redis = try RedisServer(directory: directory, dbfilename: "typed.rdb")
        defer { redis.stop() }
        let client = try RESPClient(socketPath: redis.socket)
        _ = try client.send(["XADD", "queue", "*", "a", "b"])
        _ = try client.send(["SAVE"])
        let path = "\(directory)/typed.rdb"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let engine = Engine(persistence: PersistenceSettings(path: path, rules: []))
        #expect {
            try engine.loadSnapshot()
        } throws: { error in
            "\(error)" == "snapshot '\(path)' cannot be loaded: key 'queue' holds a stream; redi stores strings, lists, hashes, sets and sorted sets"
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// The same script through redis-server and through redi: every reply equal.
    @Test func repliesMatchRedisCommandForCommand() throws {
        let directory = try makeTemporaryDirectory()
        let redis = try RedisServer(directory: directory)
        defer { redis.stop() }
        let client = try RESPClient(socketPath: redis.socket)
        let engine = Engine()
        let script = """
            SET k v
            GET k
            SET k v2 NX
            SET k v3 XX GET
            SET k v NX XX
            SET k v EX 0
            SET k v EX -1
            SET k v PX abc
            SET k v EX 100 PX 100
            SET k v KEEPTTL EX 10
            SET k v EX 1000 GET
            TTL k
            SET k v KEEPTTL
            TTL k
            SET k
            GET
            get k extra
            nosuchcommand a b
            nosuchcommand
            GETSET k new
            GETDEL k
            GETDEL k
            GETEX k
            SET k v
            GETEX k PERSIST EX 10
            GETEX k EX 0
            GETEX k EXAT 1
            EXISTS k
            MSET a 1 b 2 c 3
            MSET a 1 b
            MGET a b nope c
            MSETNX a 1 z 2
            MSETNX y 1 z 2
            INCR a
            INCRBY a 10
            DECR a
            DECRBY a 3
            DECRBY a -9223372036854775808
            INCRBY a 9223372036854775807
            SET s notanumber
            INCR s
            INCRBY a 1.5
            SET n 007
            INCR n
            APPEND s more
            APPEND fresh abc
            STRLEN s
            STRLEN nope
            GETRANGE s 0 3
            GETRANGE s -4 -1
            GETRANGE s 10 2
            GETRANGE s -1 -10
            GETRANGE nope 0 1
            SETRANGE s 2 XY
            SETRANGE s -1 x
            SETRANGE newkey 0 ""
            SETRANGE newkey 3 abc
            GET newkey
            SETNX a 1
            SETNX q 1
            SETEX k 0 v
            SETEX k 100 v
            TTL k
            PSETEX k 0 v
            EXPIRE k 10 NX
            EXPIRE k 10 XX GT
            EXPIRE k 1000 GT
            EXPIRE k 5 LT
            TTL k
            EXPIRE k 10 NX XX
            EXPIRE k 10 GT LT
            EXPIRE k 10 BOGUS
            EXPIRE k abc
            EXPIRE k 9223372036854775807
            PEXPIRE k 9223372036854775807
            EXPIREAT k 9223372036854775807
            EXPIRE nope 10
            PERSIST k
            PERSIST k
            TTL k
            PTTL k
            TTL nope
            EXPIRETIME k
            EXPIRETIME nope
            EXPIRE k -5
            EXISTS k
            DEL a b nope a
            EXISTS c c c nope
            TYPE c
            TYPE nope
            RENAME c d
            RENAME nope x
            RENAME d d
            RENAMENX d q
            RENAMENX d e
            KEYS nomatch*
            DBSIZE
            SCAN 0 COUNT 0
            SCAN abc
            SCAN 0 MATCH
            SCAN 0 BOGUS 1
            PING
            PING hello
            PING a b
            ECHO hi
            FLUSHDB BOGUS
            FLUSHDB ASYNC
            DBSIZE
            RANDOMKEY
            DEBUG NOPE
            DEBUG POPULATE -1
            DEBUG POPULATE 10 p
            DBSIZE
            GET p:3
            DEBUG POPULATE 3 p 20
            GET p:0
            SETRANGE s 9223372036854775807 x
            SCAN 0 COUNT 9223372036854775807 MATCH nomatch
            SCAN ++5
            SCAN -+5
            SET far v PXAT 9223372036854775807
            EXPIRETIME far
            EXPIRE far 10 "a\\nb"
            EXPIRE far 10 "a\\n"
            nosuch "a\\r\\nb" c
            DEBUG POPULATE abc
            DEBUG POPULATE 2 ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp 3
            DBSIZE
            DEBUG SLEEP 0
            SELECT 16
            SELECT -1
            SELECT abc
            SELECT 2147483648
            SELECT 3
            DBSIZE
            SET only3 here EX 1000
            MOVE only3 3
            MOVE only3 abc
            MOVE only3 16
            MOVE nope 0
            MOVE only3 0
            GET only3
            SELECT 0
            GET only3
            TTL only3
            SET only3 again
            MOVE only3 3
            SWAPDB 0 3
            SWAPDB x 3
            SWAPDB 0 y
            SWAPDB 0 16
            SWAPDB 99 y
            SWAPDB 2147483648 0
            MOVE only3 2147483648
            SWAPDB 5 5
            GET only3
            DBSIZE
            SELECT 3
            GET only3
            FLUSHALL BOGUS
            FLUSHALL
            DBSIZE
            SELECT 0
            DBSIZE
            SETBIT bits 7 1
            SETBIT bits 7 1
            SETBIT bits 7 0
            SETBIT bits 100 1
            GET bits
            GETBIT bits 100
            GETBIT bits 101
            GETBIT bits 1000000
            GETBIT nobits 3
            SETBIT bits -1 1
            SETBIT bits 4294967296 1
            SETBIT bits 4294967295 2
            SETBIT bits 1 -1
            SETBIT bits 1 abc
            GETBIT bits x
            SET one 1
            SETBIT one 6 1
            GET one
            BITCOUNT one
            SET text foobar
            BITCOUNT text
            BITCOUNT text 0 0
            BITCOUNT text 1 1
            BITCOUNT text 1 -2
            BITCOUNT text -3 -1 BYTE
            BITCOUNT text 5 30 BIT
            BITCOUNT text 5 30 bit
            BITCOUNT text -30 -5 BIT
            BITCOUNT text 0
            BITCOUNT text 0 1 WORD
            BITCOUNT text a b
            BITCOUNT nope a b
            BITCOUNT text -1 -3
            SET f 10.5
            INCRBYFLOAT f 0.1
            INCRBYFLOAT f -5.6
            INCRBYFLOAT f 5.0e3
            INCRBYFLOAT f 2.0e-3
            INCRBYFLOAT f abc
            INCRBYFLOAT f " 1"
            INCRBYFLOAT f 1e400
            INCRBYFLOAT f inf
            INCRBYFLOAT newfloat 3
            INCRBYFLOAT newfloat 1.23456789012345678
            INCRBYFLOAT text 1
            SET z -0.0
            INCRBYFLOAT z 0
            SETRANGE z 2 2
            INCRBYFLOAT z 1
            SET k1 ohmytext
            SET k2 mynewtext
            LCS k1 k2
            LCS k1 k2 LEN
            LCS k1 k2 IDX
            LCS k1 k2 IDX MINMATCHLEN 4
            LCS k1 k2 IDX MINMATCHLEN 4 WITHMATCHLEN
            LCS k1 k2 LEN IDX
            LCS k1 k2 BOGUS
            LCS k1 nope
            LCS nope nope2 IDX
            SUBSTR k1 0 3
            SUBSTR k1 -3 -1
            COPY k1 k1copy
            GET k1copy
            COPY k1 k1copy
            COPY k1 k1copy REPLACE
            COPY k1 k1
            COPY k1 k1 DB 4
            COPY k1 k1 DB 16
            COPY k1 k1 DB x
            COPY k1 k1 BOGUS
            COPY nope k9
            SET vol x EX 100
            COPY vol volcopy
            TTL volcopy
            OBJECT ENCODING k1
            OBJECT ENCODING one
            SET enc 1234
            OBJECT ENCODING enc
            SETRANGE enc 0 ""
            OBJECT ENCODING enc
            SETRANGE enc 0 2
            OBJECT ENCODING enc
            INCR enc
            OBJECT ENCODING enc
            APPEND enc 5
            OBJECT ENCODING enc
            APPEND fresh2 12
            OBJECT ENCODING fresh2
            SETRANGE fresh3 0 12
            OBJECT ENCODING fresh3
            COPY enc enccopy
            OBJECT ENCODING enccopy
            INCRBYFLOAT enc 1
            OBJECT ENCODING enc
            OBJECT ENCODING nope
            OBJECT BOGUS k1
            OBJECT
            SET num 12345
            OBJECT ENCODING num
            SET big 12345678901234567890123
            OBJECT ENCODING big
            SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            OBJECT ENCODING long
            OBJECT FREQ k1
            MEMORY USAGE nope
            MEMORY USAGE k1 SAMPLES x
            """
        for line in script.split(separator: "\n") {
            let words = try #require(InlineCommand.split(Array(line.utf8)))
            let expected = try client.send(words)
            // Maps reach a RESP2 client as flat arrays.
            let actual = engine.execute(words).inRESP2
            #expect(actual == expected, "\(line)")
        }
    }
}

extension Reply {
    /// The reply as a RESP2 client reads it: maps as flat arrays.
    var inRESP2: Reply {
        switch self {
        case .map(let elements), .array(let elements), .push(let elements): return .array(elements.map(\.inRESP2))
        default: return self
        }
    }
}

extension RedisInteropTests {
    /// Function libraries in snapshots and in FUNCTION DUMP payloads, both
    /// ways: what one loads, the other calls.
    @Test func functionLibrariesMoveBothWays() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/functions.rdb"
        let engine = Engine(persistence: PersistenceSettings(path: path, rules: []))
        let ours = "#!lua name=ours\nredis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)"
        #expect(engine.execute(["FUNCTION", "LOAD", Bytes(ours)]) == .bulk("ours"))
        engine.run("SET k v")
        #expect(engine.run("SAVE") == .status("OK"))
        let check = try runProcess(try tool("redis-check-rdb", from: "redis-tools"), [path])
        #expect(check.status == 0, "\(check.text)")

        let redis = try RedisServer(directory: directory, dbfilename: "functions.rdb")
        defer { redis.stop() }
        let client = try RESPClient(socketPath: redis.socket)
        #expect(try client.send(["FCALL", "hello", "0", "redis"]) == .bulk("hello redis"))
        let theirs = "#!lua name=theirs\nredis.register_function{function_name='count', callback=function(keys) return redis.call('dbsize') end, flags={'no-writes'}}"
        #expect(try client.send(["FUNCTION", "LOAD", Bytes(theirs)]) == .bulk("theirs"))
        // Their DUMP restores here; ours restores there.
        let payload = try client.send(["FUNCTION", "DUMP"])
        guard case .bulk(let dumped) = payload else { Issue.record("no payload: \(payload)"); return }
        let fresh = Engine()
        #expect(fresh.execute(["FUNCTION", "RESTORE", dumped]) == .status("OK"))
        #expect(fresh.run("FCALL_RO count 0") == .integer(0))
        #expect(fresh.run("FCALL hello 0 redi") == .bulk("hello redi"))
        guard case .bulk(let ourDump) = fresh.run("FUNCTION DUMP") else { Issue.record("no DUMP"); return }
        #expect(try client.send(["FUNCTION", "RESTORE", ourDump, "FLUSH"]) == .status("OK"))
        #expect(try client.send(["FCALL_RO", "count", "0"]) == .integer(1))

        // Their snapshot with both libraries loads here.
        #expect(try client.send(["SAVE"]) == .status("OK"))
        let loaded = Engine(persistence: PersistenceSettings(path: path, rules: []))
        try loaded.loadSnapshot()
        #expect(loaded.run("FCALL_RO count 0") == .integer(1))
        #expect(loaded.run("FCALL hello 0 again") == .bulk("hello again"))
        #expect(loaded.run("FUNCTION LOAD \"#!lua name=ours\nreturn 1\"") == .error("ERR Library 'ours' already exists"))
    }
}
