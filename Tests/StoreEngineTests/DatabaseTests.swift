@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// Redis's numbered databases: each its own keys, TTLs and events.
@Suite("Databases")
struct DatabaseTests {
    let clock = ManualClock()

    @Test func databasesKeepTheirOwnKeysAndTTLs() {
        let engine = Engine(clock: clock)
        engine.run("SET shared zero")
        #expect(engine.run("SELECT 5") == .ok)
        #expect(engine.run("GET shared") == .null)
        engine.run("SET shared five PX 500")
        engine.run("SET only5 x")
        #expect(engine.run("DBSIZE") == .integer(2))
        engine.select(0)
        #expect(engine.run("GET shared") == .bulk("zero"))
        #expect(engine.keyCount(in: 5) == 2 && engine.volatileKeyCount(in: 5) == 1)
        // Active expiry reaches a database no one has selected.
        #expect(engine.nextDeadline == clock.now() + 500)
        clock.advance(by: 501)
        #expect(engine.expireDueKeys().removed == 1)
        #expect(engine.keyCount(in: 5) == 1 && engine.selectedDatabase == 0)
        #expect(engine.run("GET shared") == .bulk("zero"))
        // A deadline swapped into a parked database still wakes active expiry.
        engine.run("SET soon x PX 100")
        engine.run("SWAPDB 0 7")
        #expect(engine.nextDeadline == clock.now() + 100)
        clock.advance(by: 101)
        #expect(engine.expireDueKeys().removed == 1 && engine.keyCount(in: 7) == 1, "shared stays, soon is gone")
    }

    @Test func moveSwapdbAndFlushallTellObserversWhichDatabase() {
        let engine = Engine(clock: clock)
        var events: [EngineEvent] = []
        _ = engine.subscribe(.all) { events += $0 }
        engine.run("SET k v EX 100")
        #expect(engine.run("MOVE k 2") == .one)
        #expect(engine.run("EXISTS k") == .zero)
        engine.select(2)
        #expect(engine.run("TTL k") == .integer(100), "the TTL moves with the key")
        engine.select(0)
        #expect(engine.run("SWAPDB 0 2") == .ok)
        #expect(engine.run("GET k") == .bulk("v"))
        #expect(engine.run("FLUSHALL") == .ok)
        #expect(events == [
            .key(.new, "k", database: 0), .key(.set, "k", database: 0), .key(.expire, "k", database: 0),
            .key(.new, "k", database: 2), .key(.moveFrom, "k", database: 0), .key(.moveTo, "k", database: 2),
            .swapped(0, 2),
            .flushed(database: 0, keys: 1),
        ])
    }

    @Test func everyDatabaseSurvivesASnapshot() throws {
        let directory = try makeTemporaryDirectory()
        let settings = PersistenceSettings(path: "\(directory)/dump.rdb", rules: [])
        let engine = Engine(clock: clock, persistence: settings)
        engine.run("SET a 0")
        engine.select(15)
        engine.run("SET a 15 PX 100000")
        engine.select(7)
        #expect(engine.run("SAVE") == .ok)

        let restored = Engine(clock: clock, persistence: settings)
        let report = try #require(try restored.loadSnapshot())
        #expect(report.keys == 2)
        #expect(restored.run("GET a") == .bulk("0"))
        restored.select(15)
        #expect(restored.run("GET a") == .bulk("15"))
        #expect(restored.run("PTTL a") == .integer(100_000))
    }

    /// Each session has its own database and name; the processor checks
    /// AUTH and subscribe mode per session, as Redis's `processCommand`.
    @Test func sessionsCarryTheirOwnStateThroughOneProcessor() {
        let engine = Engine(clock: ManualClock())
        let first = engine.openSession(), second = engine.openSession()
        #expect(engine.execute(["SELECT", "5"], in: first) == .status("OK"))
        #expect(engine.execute(["SET", "k", "five"], in: first) == .status("OK"))
        #expect(engine.execute(["GET", "k"], in: second) == .null, "the other session is still in database 0")
        #expect(engine.execute(["GET", "k"], in: first) == .bulk("five") && first.database == 5 && second.database == 0)
        #expect(engine.run("GET k") == .null, "the default session too")

        engine.requiresPassword = true
        second.isAuthenticated = false
        #expect(engine.execute(["GET", "k"], in: second) == .error("NOAUTH Authentication required."))
        #expect(engine.execute(["GET"], in: second) == .wrongArity("get"), "arity before AUTH, as Redis")
        #expect(engine.execute(["NOPE"], in: second).isError)
        #expect(engine.execute(["GET", "k"], in: first) == .bulk("five"), "another session is not affected")

        first.subscriptions = 1
        #expect(engine.execute(["GET", "k"], in: first)
            == .error("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
        #expect(engine.execute(["PING"], in: first) == .array([.bulk("pong"), .bulk("")]))
        first.protocolVersion = 3
        #expect(engine.execute(["GET", "k"], in: first) == .bulk("five"), "RESP3 has no subscribe mode")
        #expect(engine.execute(["PING"], in: first) == .status("PONG"))
        engine.closeSession(second.id)
        #expect(engine.session(second.id) == nil && engine.session(first.id) === first)
    }
}
