import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("String commands")
struct StringCommandTests {
    let clock = ManualClock()
    var engine: Engine { Engine(clock: clock) }

    @Test func theExampleSession() {
        let engine = self.engine
        #expect(engine.run("SET name Alice") == .status("OK"))
        #expect(engine.run("GET name") == .bulk("Alice"))
        #expect(engine.run("EXPIRE name 10") == .integer(1))
        #expect(engine.run("TTL name") == .integer(10))
    }

    @Test func keysAndValuesAreBinarySafe() {
        let engine = self.engine
        let samples: [[UInt8]] = [[], [0], [0, 0, 1], Array("a\nb\r\n".utf8), [0xFF, 0xFE, 0xC3], Array(repeating: 7, count: 100)]
        for key in samples {
            for value in samples {
                #expect(engine.execute(["SET", Bytes(key), Bytes(value)]) == .status("OK"))
                #expect(engine.execute(["GET", Bytes(key)]) == .bulk(Bytes(value)))
            }
        }
        #expect(engine.run("DBSIZE") == .integer(Int64(samples.count)))
    }

    /// INCRBY's results are written by `Bytes(Int64)`: every magnitude and
    /// sign, the extremes included, as Swift's own decimal form, read back exactly.
    @Test(arguments: [UInt64(1), 2, 3])
    func integersWriteAsDecimal(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, .max, .min, .max - 1, .min + 1]
        for _ in 0..<2000 {
            let bits = Int64.random(in: 0...62, using: &random)
            values.append(Int64.random(in: -(1 << bits)...(1 << bits), using: &random))
        }
        let engine = self.engine
        for value in values {
            #expect(Bytes(value) == Bytes(String(value)))
            #expect(Bytes(value).int64Value == value)
            #expect(engine.execute(["SET", "n", Bytes(value)]) == .status("OK"))
            if value < .max {
                #expect(engine.execute(["INCR", "n"]) == .integer(value + 1))
                #expect(engine.execute(["GET", "n"]) == .bulk(Bytes(String(value + 1))))
            }
        }
    }

    @Test func setConditionsAndGet() {
        let engine = self.engine
        #expect(engine.run("SET k v1 NX") == .status("OK"))
        #expect(engine.run("SET k v2 NX") == .null)
        #expect(engine.run("SET k v3 XX") == .status("OK"))
        #expect(engine.run("SET missing v XX") == .null)
        #expect(engine.run("SET k v4 GET") == .bulk("v3"))
        #expect(engine.run("SET k v5 NX GET") == .bulk("v4"))
        #expect(engine.run("GET k") == .bulk("v4"))
        #expect(engine.run("SET fresh v NX GET") == .null)
        #expect(engine.run("GET fresh") == .bulk("v"))
        #expect(engine.run("set k v6 xx get") == .bulk("v4"))
    }

    @Test(arguments: [
        "SET k v NX XX", "SET k v XX NX", "SET k v EX 10 PX 100", "SET k v EX 10 KEEPTTL",
        "SET k v KEEPTTL EX 10", "SET k v PXAT 10 EXAT 10", "SET k v EX", "SET k v FOO", "SET k v PERSIST",
        "GETEX k KEEPTTL", "GETEX k NX", "GETEX k EX 10 PERSIST", "GETEX k PERSIST PX 10",
    ])
    func setOptionConflictsAreSyntaxErrors(_ line: String) {
        let engine = self.engine
        engine.run("SET k v")
        #expect(engine.run(line) == .error("ERR syntax error"))
    }

    @Test func repeatedExpiryOptionTakesTheLast() {
        let engine = self.engine
        #expect(engine.run("SET k v EX 10 EX 20") == .status("OK"))
        #expect(engine.run("TTL k") == .integer(20))
    }

    @Test(arguments: [
        ("SET k v EX 0", "set"), ("SET k v EX -5", "set"), ("SET k v PX 0", "set"),
        ("SET k v EX 9223372036854775", "set"), ("SET k v PX 9223372036854775807", "set"),
        ("SETEX k 0 v", "setex"), ("PSETEX k -1 v", "psetex"), ("GETEX k EX 0", "getex"),
    ])
    func invalidExpireTimes(_ line: String, _ command: String) {
        let engine = self.engine
        engine.run("SET k v")
        #expect(engine.run(line) == .error("ERR invalid expire time in '\(command)' command"))
    }

    @Test func setExpiryForms() {
        let engine = self.engine
        let now = clock.now()
        engine.run("SET a v EX 100")
        engine.run("SET b v PX 1500")
        engine.run("SET c v EXAT \((now / 1000) + 50)")
        engine.run("SET d v PXAT \(now + 2500)")
        #expect(engine.run("PTTL a") == .integer(100_000))
        #expect(engine.run("PTTL b") == .integer(1500))
        #expect(engine.run("TTL b") == .integer(2))
        #expect(engine.run("PTTL d") == .integer(2500))
        #expect(engine.run("PEXPIRETIME d") == .integer(now + 2500))
        #expect(engine.run("EXPIRETIME c") == .integer(now / 1000 + 50))
        engine.run("SET a w KEEPTTL")
        #expect(engine.run("PTTL a") == .integer(100_000))
        engine.run("SET a x")
        #expect(engine.run("TTL a") == .integer(-1))
    }

    @Test func getFamily() {
        let engine = self.engine
        engine.run("SET k v")
        #expect(engine.run("GETSET k w") == .bulk("v"))
        #expect(engine.run("GETSET new x") == .null)
        #expect(engine.run("GETDEL k") == .bulk("w"))
        #expect(engine.run("GETDEL k") == .null)
        #expect(engine.run("EXISTS k") == .integer(0))
        engine.run("SET t v EX 100")
        #expect(engine.run("GETEX t") == .bulk("v"))
        #expect(engine.run("TTL t") == .integer(100))
        #expect(engine.run("GETEX t PERSIST") == .bulk("v"))
        #expect(engine.run("TTL t") == .integer(-1))
        #expect(engine.run("GETEX t PX 5000") == .bulk("v"))
        #expect(engine.run("PTTL t") == .integer(5000))
        #expect(engine.run("GETEX t PXAT 1") == .bulk("v"))
        #expect(engine.run("EXISTS t") == .integer(0))
        #expect(engine.run("GETEX nothing EX 10") == .null)
    }

    @Test func setnxSetexPsetex() {
        let engine = self.engine
        #expect(engine.run("SETNX k 1") == .integer(1))
        #expect(engine.run("SETNX k 2") == .integer(0))
        #expect(engine.run("SETEX k 10 v") == .status("OK"))
        #expect(engine.run("TTL k") == .integer(10))
        #expect(engine.run("PSETEX k 1500 v") == .status("OK"))
        #expect(engine.run("PTTL k") == .integer(1500))
        #expect(engine.run("SETEX k ten v") == .error("ERR value is not an integer or out of range"))
    }

    @Test func counters() {
        let engine = self.engine
        #expect(engine.run("INCR n") == .integer(1))
        #expect(engine.run("INCRBY n 41") == .integer(42))
        #expect(engine.run("DECR n") == .integer(41))
        #expect(engine.run("DECRBY n 50") == .integer(-9))
        #expect(engine.run("GET n") == .bulk("-9"))
        engine.run("SET max 9223372036854775807")
        #expect(engine.run("INCR max") == .error("ERR increment or decrement would overflow"))
        engine.run("SET min -9223372036854775808")
        #expect(engine.run("DECR min") == .error("ERR increment or decrement would overflow"))
        #expect(engine.run("DECRBY n -9223372036854775808") == .error("ERR decrement would overflow"))
        for bad in ["abc", "1.5", " 1", "1 ", "+1", "01", "-0", "", "9223372036854775808", "-"] {
            engine.execute(["SET", "s", Bytes(bad)])
            #expect(engine.run("INCR s") == .error("ERR value is not an integer or out of range"), "value \(bad)")
        }
        #expect(engine.run("INCRBY n x") == .error("ERR value is not an integer or out of range"))
        engine.run("SET t 5 EX 100")
        engine.run("INCR t")
        #expect(engine.run("TTL t") == .integer(100), "INCR keeps the deadline")
    }

    @Test func appendStrlenRanges() {
        let engine = self.engine
        #expect(engine.run("APPEND k Hello") == .integer(5))
        #expect(engine.run("APPEND k \" World\"") == .integer(11))
        #expect(engine.run("STRLEN k") == .integer(11))
        #expect(engine.run("STRLEN none") == .integer(0))
        #expect(engine.run("GETRANGE k 0 4") == .bulk("Hello"))
        #expect(engine.run("GETRANGE k -5 -1") == .bulk("World"))
        #expect(engine.run("GETRANGE k 5 2") == .bulk(""))
        #expect(engine.run("GETRANGE k -1 -5") == .bulk(""))
        #expect(engine.run("GETRANGE k 0 1000") == .bulk("Hello World"))
        #expect(engine.run("GETRANGE none 0 10") == .bulk(""))
        #expect(engine.run("SETRANGE k 6 Redis") == .integer(11))
        #expect(engine.run("GET k") == .bulk("Hello Redis"))
        #expect(engine.run("SETRANGE pad 3 x") == .integer(4))
        #expect(engine.run("GET pad") == .bulk(Bytes([0, 0, 0, 120])))
        #expect(engine.run("SETRANGE empty 5 \"\"") == .integer(0))
        #expect(engine.run("EXISTS empty") == .integer(0))
        #expect(engine.run("SETRANGE k -1 x") == .error("ERR offset is out of range"))
        #expect(engine.run("SETRANGE k 536870911 xx") == .error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"))
    }

    @Test func multiKey() {
        let engine = self.engine
        #expect(engine.run("MSET a 1 b 2 a 3") == .status("OK"))
        #expect(engine.run("MGET a b c") == .array([.bulk("3"), .bulk("2"), .null]))
        #expect(engine.run("MSET a 1 b") == .error("ERR wrong number of arguments for 'mset' command"))
        #expect(engine.run("MSETNX c 1 a 9") == .integer(0))
        #expect(engine.run("EXISTS c") == .integer(0))
        #expect(engine.run("MSETNX c 1 d 2") == .integer(1))
        #expect(engine.run("MGET c d") == .bulks(["1", "2"]))
    }
}
