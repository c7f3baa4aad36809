@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Keyspace commands")
struct KeyspaceCommandTests {
    let clock = ManualClock()
    var engine: Engine { Engine(clock: clock) }

    @Test func delExistsCountRepeats() {
        let engine = self.engine
        engine.run("MSET a 1 b 2 c 3")
        #expect(engine.run("EXISTS a a b nope") == .integer(3))
        #expect(engine.run("DEL a a nope") == .integer(1))
        #expect(engine.run("UNLINK b c") == .integer(2))
        #expect(engine.run("TOUCH a b") == .integer(0))
        #expect(engine.run("DBSIZE") == .integer(0))
    }

    @Test func unknownCommandsAndArity() {
        let engine = self.engine
        #expect(engine.run("foo a") == .error("ERR unknown command 'foo', with args beginning with: 'a' "))
        #expect(engine.run("foo") == .error("ERR unknown command 'foo', with args beginning with: "))
        #expect(engine.run("GET") == .error("ERR wrong number of arguments for 'get' command"))
        #expect(engine.run("get a b") == .error("ERR wrong number of arguments for 'get' command"))
        #expect(engine.run("SET a") == .error("ERR wrong number of arguments for 'set' command"))
        #expect(engine.run("ExIsTs") == .error("ERR wrong number of arguments for 'exists' command"))
        let long = String(repeating: "x", count: 200)
        let reply = engine.run("foo \(long) second")
        #expect(reply == .error("ERR unknown command 'foo', with args beginning with: '\(String(repeating: "x", count: 128))' "))
        #expect(engine.execute(["bad\ncmd"]) == .error("ERR unknown command 'bad cmd', with args beginning with: "))
    }

    @Test func typeAndRandomKey() {
        let engine = self.engine
        #expect(engine.run("TYPE k") == .status("none"))
        #expect(engine.run("RANDOMKEY") == .null)
        engine.run("SET k v")
        #expect(engine.run("TYPE k") == .status("string"))
        #expect(engine.run("RANDOMKEY") == .bulk("k"))
    }

    @Test func randomKeySkipsExpiredKeys() {
        let engine = self.engine
        for index in 0..<50 { engine.run("SET v\(index) x PX 10") }
        engine.run("SET keeper x")
        clock.advance(by: 11)
        #expect(engine.run("RANDOMKEY") == .bulk("keeper"))
    }

    @Test func keysGlob() {
        let engine = self.engine
        for key in ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h[llo", "x"] {
            engine.execute(["SET", Bytes(key), "1"])
        }
        func keys(_ pattern: String) -> Set<String> {
            guard case .array(let items) = engine.execute(["KEYS", Bytes(pattern)]) else { return [] }
            return Set(items.compactMap { if case .bulk(let b) = $0 { return b.description } else { return nil } })
        }
        #expect(keys("h?llo") == ["hello", "hallo", "hxllo", "h*llo", "h[llo"])
        #expect(keys("h*llo") == ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h[llo"])
        #expect(keys("h[ae]llo") == ["hello", "hallo"])
        #expect(keys("h[^e]llo") == ["hallo", "hxllo", "h*llo", "h[llo"])
        #expect(keys("h[a-b]llo") == ["hallo"])
        #expect(keys("h[b-a]llo") == ["hallo"])
        #expect(keys("h\\*llo") == ["h*llo"])
        #expect(keys("h\\[llo") == ["h[llo"])
        #expect(keys("*") .count == 8)
        #expect(keys("nothing*") == [])
    }

    @Test func renameMovesTheDeadline() {
        let engine = self.engine
        engine.run("SET a 1 EX 100")
        engine.run("SET b 2")
        #expect(engine.run("RENAME a c") == .status("OK"))
        #expect(engine.run("TTL c") == .integer(100))
        #expect(engine.run("EXISTS a") == .integer(0))
        #expect(engine.run("RENAME nope x") == .error("ERR no such key"))
        #expect(engine.run("RENAME c c") == .status("OK"))
        #expect(engine.run("RENAMENX c b") == .integer(0))
        #expect(engine.run("RENAME c b") == .status("OK"))
        #expect(engine.run("GET b") == .bulk("1"))
        #expect(engine.run("TTL b") == .integer(100))
        #expect(engine.run("RENAMENX b d") == .integer(1))
        #expect(engine.run("RENAMENX d d") == .integer(0))
    }

    @Test func flush() {
        let engine = self.engine
        engine.run("DEBUG POPULATE 100")
        #expect(engine.run("FLUSHDB SYNC") == .status("OK"))
        #expect(engine.run("DBSIZE") == .integer(0))
        #expect(engine.run("FLUSHDB LATER") == .error("ERR syntax error"))
        #expect(engine.run("FLUSHALL ASYNC") == .status("OK"))
    }

    @Test func debugPopulateNamesKeysAsRedis() {
        let engine = self.engine
        engine.run("SET key:1 mine")
        #expect(engine.run("DEBUG POPULATE 3") == .status("OK"))
        #expect(engine.run("MGET key:0 key:1 key:2") == .bulks(["value:0", "mine", "value:2"]))
        engine.run("DEBUG POPULATE 2 p 10")
        #expect(engine.run("GET p:1") == .bulk(Bytes(Array("value:1".utf8) + [0, 0, 0])))
        engine.run("DEBUG POPULATE 1 q 3")
        #expect(engine.run("GET q:0") == .bulk("val"))
        #expect(engine.run("DEBUG POPULATE -1") == .error("ERR value is out of range, must be positive"))
        #expect(engine.run("DEBUG NOPE") == .error("ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP."))
    }

    @Test func debugSleepUsesTheClock() {
        let engine = self.engine
        let before = clock.now()
        #expect(engine.run("DEBUG SLEEP 1.5") == .status("OK"))
        #expect(clock.now() - before == 1500)
    }

    @Test func pingEchoHelp() {
        let engine = self.engine
        #expect(engine.run("PING") == .status("PONG"))
        #expect(engine.run("PING hi") == .bulk("hi"))
        #expect(engine.run("PING a b") == .error("ERR wrong number of arguments for 'ping' command"))
        #expect(engine.run("ECHO \"a b\"") == .bulk("a b"))
        guard case .array(let lines) = engine.run("HELP") else { Issue.record("HELP is an array"); return }
        #expect(lines.contains(.status("  string: APPEND DECR DECRBY GET GETDEL GETEX GETRANGE GETSET INCR INCRBY INCRBYFLOAT LCS MGET MSET MSETNX PSETEX SET SETEX SETNX SETRANGE STRLEN SUBSTR")))
        #expect(lines.contains(.status("  bitmap: BITCOUNT GETBIT SETBIT")))
        #expect(lines.last == .status("  for network clients (redi --port): AUTH CLIENT COMMAND CONFIG HELLO INFO MIGRATE MONITOR PSUBSCRIBE PUBLISH PUBSUB PUNSUBSCRIBE RESET SHUTDOWN SUBSCRIBE UNSUBSCRIBE"))
        #expect(engine.run("CLIENT LIST") == .error("ERR CLIENT is for network clients: start redi with --port and use redis-cli"))
        #expect(engine.run("HELP nosuch") == .error("ERR no help for 'nosuch': unknown command"))
    }

    @Test func memoryUsageCountsWhatAKeyTakes() {
        let engine = self.engine
        engine.run("SET short v")
        engine.execute(["SET", "a-key-longer-than-fourteen", Bytes([UInt8](repeating: 1, count: 1000))])
        engine.run("SET volatile v PX 1000")
        guard case .integer(let short) = engine.run("MEMORY USAGE short"),
              case .integer(let long) = engine.run("MEMORY USAGE a-key-longer-than-fourteen"),
              case .integer(let volatile) = engine.run("MEMORY USAGE volatile") else {
            Issue.record("MEMORY USAGE answers integers")
            return
        }
        #expect(short > 0 && long > short + 1000 && volatile > short)
        #expect(engine.run("MEMORY USAGE nope") == .null)
    }

    /// A string changed in place is marked `raw` at no cost in memory.
    @Test func aRawStringCostsNothingMore() {
        #expect(MemoryLayout<Value>.size == MemoryLayout<Bytes>.size)
    }

    @Test func everyTableEntryHasAnImplementationAndNoMore() {
        #expect(Set(Engine.implementations.keys) == Set(CommandTable.all.filter { !$0.flags.contains("network") }.map { $0.name.lowercased() }))
    }

    @Test func flushallSavesWhenRulesAreSet() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/flush.rdb"
        let engine = Engine(clock: clock, persistence: PersistenceSettings(path: path, rules: [SaveRule(seconds: 60, changes: 1)]))
        engine.run("MSET a 1 b 2")
        engine.run("SAVE")
        engine.run("SET c 3")
        #expect(engine.run("FLUSHALL") == .status("OK"))
        #expect(engine.dirty == 0, "the save after the flush leaves nothing unsaved")
        let reloaded = Engine(clock: clock, persistence: PersistenceSettings(path: path, rules: []))
        #expect(try reloaded.loadSnapshot()?.keys == 0, "a restart does not bring the keys back")
    }

    /// DEBUG OBJECT as Redis 7.0 answers it (with enable-debug-command):
    /// the encoding, the references, and the value's length in a snapshot,
    /// figures taken from redis-server for the same commands.
    @Test func debugObjectShowsEncodingAndSerializedLength() {
        let engine = Engine(clock: ManualClock())
        engine.run("SET s1 hello")
        engine.run("SET s2 12345")
        engine.run("HSET h1 a 1 b two")
        engine.run("SADD i1 1 2 3")
        engine.run("ZADD z1 1 a 2.5 b")
        for (key, expected) in [("s1", "refcount:1 encoding:embstr serializedlength:6"), ("s2", "refcount:1 encoding:int serializedlength:3"),
                                ("h1", "refcount:1 encoding:listpack serializedlength:21"), ("i1", "refcount:1 encoding:intset serializedlength:15"),
                                ("z1", "refcount:1 encoding:listpack serializedlength:21")] {
            guard case .status(let line) = engine.execute(["DEBUG", "OBJECT", Bytes(key)]) else { Issue.record("\(key)"); continue }
            #expect(line.hasPrefix("Value at:0x") && line.contains(" \(expected) ") && line.hasSuffix("lru:0 lru_seconds_idle:0"), "\(line)")
        }
        #expect(engine.run("DEBUG OBJECT nokey") == .error("ERR no such key"))
        #expect(engine.run("OBJECT ENCODING s2") == .bulk("int") && engine.run("OBJECT REFCOUNT s1") == .integer(1))
    }

}
