import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Deadlines and expiry")
struct ExpiryTests {
    let clock = ManualClock()
    var engine: Engine { Engine(clock: clock) }

    @Test func aKeyExpiresOnlyAfterItsDeadline() {
        let engine = self.engine
        engine.run("SET k v PX 100")
        clock.advance(by: 100)
        #expect(engine.run("GET k") == .bulk("v"), "now == deadline is not expired yet")
        #expect(engine.run("PTTL k") == .integer(0))
        clock.advance(by: 1)
        #expect(engine.run("GET k") == .null)
        #expect(engine.run("TTL k") == .integer(-2))
    }

    @Test func ttlRoundsToTheNearestSecond() {
        let engine = self.engine
        engine.run("SET k v PX 1499")
        #expect(engine.run("TTL k") == .integer(1))
        engine.run("SET k v PX 1500")
        #expect(engine.run("TTL k") == .integer(2))
        engine.run("SET k v")
        #expect(engine.run("TTL k") == .integer(-1))
        #expect(engine.run("PTTL k") == .integer(-1))
        #expect(engine.run("EXPIRETIME k") == .integer(-1))
        #expect(engine.run("PEXPIRETIME missing") == .integer(-2))
    }

    @Test func expireFamily() {
        let engine = self.engine
        let now = clock.now()
        engine.run("SET k v")
        #expect(engine.run("EXPIRE missing 10") == .integer(0))
        #expect(engine.run("PEXPIRE k 2500") == .integer(1))
        #expect(engine.run("PTTL k") == .integer(2500))
        #expect(engine.run("EXPIREAT k \(now / 1000 + 100)") == .integer(1))
        #expect(engine.run("EXPIRETIME k") == .integer(now / 1000 + 100))
        #expect(engine.run("PEXPIREAT k \(now + 7)") == .integer(1))
        #expect(engine.run("PTTL k") == .integer(7))
        #expect(engine.run("EXPIRE k ten") == .error("ERR value is not an integer or out of range"))
        #expect(engine.run("EXPIRE k 9223372036854775807") == .error("ERR invalid expire time in 'expire' command"))
        #expect(engine.run("PEXPIRE k 9223372036854775807") == .error("ERR invalid expire time in 'pexpire' command"))
    }

    @Test func aDeadlineNotInTheFutureDeletes() {
        let engine = self.engine
        let now = clock.now()
        for line in ["EXPIRE k 0", "EXPIRE k -10", "PEXPIREAT k \(now)", "EXPIREAT k 1"] {
            engine.run("SET k v")
            #expect(engine.run(line) == .integer(1), "\(line)")
            #expect(engine.run("EXISTS k") == .integer(0), "\(line)")
        }
    }

    @Test func expireConditions() {
        let engine = self.engine
        engine.run("SET k v")
        #expect(engine.run("EXPIRE k 100 XX") == .integer(0))
        #expect(engine.run("EXPIRE k 100 GT") == .integer(0), "GT treats no deadline as infinite")
        #expect(engine.run("EXPIRE k 100 LT") == .integer(1))
        #expect(engine.run("EXPIRE k 50 NX") == .integer(0))
        #expect(engine.run("EXPIRE k 200 GT") == .integer(1))
        #expect(engine.run("EXPIRE k 300 LT") == .integer(0))
        #expect(engine.run("EXPIRE k 100 XX LT") == .integer(1))
        #expect(engine.run("TTL k") == .integer(100))
        #expect(engine.run("EXPIRE k 10 NX XX") == .error("ERR NX and XX, GT or LT options at the same time are not compatible"))
        #expect(engine.run("EXPIRE k 10 GT LT") == .error("ERR GT and LT options at the same time are not compatible"))
        #expect(engine.run("EXPIRE k 10 FOO") == .error("ERR Unsupported option FOO"))
    }

    @Test func persist() {
        let engine = self.engine
        engine.run("SET k v EX 10")
        #expect(engine.run("PERSIST k") == .integer(1))
        #expect(engine.run("PERSIST k") == .integer(0))
        #expect(engine.run("PERSIST missing") == .integer(0))
        #expect(engine.run("TTL k") == .integer(-1))
    }

    @Test func activeExpiryRemovesDueKeysInDeadlineOrder() {
        let engine = self.engine
        var expired: [String] = []
        _ = engine.subscribe(.keys) { events in
            for case .key(.expired, let key, _) in events { expired.append(key.description) }
        }
        engine.run("SET c v PX 30")
        engine.run("SET a v PX 10")
        engine.run("SET b v PX 20")
        engine.run("SET forever v")
        engine.run("SET moved v PX 5")
        engine.run("PEXPIRE moved 50")
        clock.advance(by: 25)
        #expect(engine.expireDueKeys().removed == 2)
        #expect(expired == ["a", "b"])
        #expect(engine.keyCount == 3)
        clock.advance(by: 100)
        engine.expireDueKeys()
        #expect(expired == ["a", "b", "c", "moved"])
        #expect(engine.keyCount == 1)
        #expect(engine.volatileKeyCount == 0)
    }

    @Test func activeExpiryIsBoundedPerCall() {
        let engine = self.engine
        for index in 0..<10_000 { engine.run("SET k\(index) v PX \(1 + index % 1000)") }
        clock.advance(by: 2000)
        var calls = 0
        var result = engine.expireDueKeys(limit: 1000)
        calls += 1
        #expect(result.removed == 1000 && result.moreDue)
        while result.moreDue {
            result = engine.expireDueKeys(limit: 1000)
            calls += 1
            #expect(result.removed <= 1000)
        }
        #expect(calls == 10)
        #expect(engine.keyCount == 0)
    }

    @Test func staleIndexEntriesDoNotExpireRenewedKeys() {
        let engine = self.engine
        for _ in 0..<5000 { engine.run("SET k v PX 10") }
        engine.run("SET k v PX 100000")
        clock.advance(by: 20)
        engine.expireDueKeys()
        #expect(engine.run("EXISTS k") == .integer(1))
        #expect(engine.nextDeadline != nil)
    }

    @Test func scanReturnsEveryKeyPresentThroughoutDespiteGrowthAndShrinking() {
        let engine = self.engine
        for index in 0..<1000 { engine.run("SET stable:\(index) v") }
        var seen = Set<String>()
        var cursor = "0"
        var step = 0
        repeat {
            guard case .array(let parts) = engine.run("SCAN \(cursor) COUNT 7"),
                  case .bulk(let next) = parts[0], case .array(let keys) = parts[1] else {
                Issue.record("bad SCAN reply"); return
            }
            for case .bulk(let key) in keys { seen.insert(key.description) }
            cursor = next.description
            step += 1
            // Churn: grow the table a lot, then shrink it, mid-iteration.
            if step == 20 { engine.run("DEBUG POPULATE 20000 churn") }
            if step == 60 {
                for index in 0..<20000 { engine.run("DEL churn:\(index)") }
            }
        } while cursor != "0"
        for index in 0..<1000 { #expect(seen.contains("stable:\(index)"), "stable:\(index)") }
    }

    @Test func scanOptions() {
        let engine = self.engine
        engine.run("MSET user:1 a user:2 b other c")
        engine.run("SET gone v PX 1")
        clock.advance(by: 5)
        guard case .array(let parts) = engine.run("SCAN 0 MATCH user:* COUNT 1000 TYPE string"),
              case .array(let keys) = parts[1] else { Issue.record("bad reply"); return }
        #expect(Set(keys) == [.bulk("user:1"), .bulk("user:2")])
        #expect(parts[0] == .bulk("0"))
        guard case .array(let none) = engine.run("SCAN 0 TYPE list COUNT 100") else { Issue.record("SCAN"); return }
        #expect(none[1] == .array([]))
        guard case .array(let all) = engine.run("SCAN 0 COUNT 100") else { Issue.record("SCAN"); return }
        #expect((all[1].arrayCount) == 3, "the expired key is not returned")
        #expect(engine.run("SCAN x") == .error("ERR invalid cursor"))
        #expect(engine.run("SCAN 0 COUNT 0") == .error("ERR syntax error"))
        #expect(engine.run("SCAN 0 COUNT x") == .error("ERR value is not an integer or out of range"))
        #expect(engine.run("SCAN 0 MATCH") == .error("ERR syntax error"))
    }
}

extension Reply {
    var arrayCount: Int {
        if case .array(let items) = self { return items.count }
        return -1
    }
}
