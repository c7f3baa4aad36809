@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// What the engine hands on after each command (where the append-only file
/// plugs in): every change, deterministic, in its database, as Redis's
/// `propagate` makes it.
@Suite("Propagation of writes")
struct PropagationTests {
    let clock = ManualClock()

    /// An engine whose propagated batches are collected, one per command.
    func recording() -> (Engine, () -> [[String]]) {
        let engine = Engine(clock: clock)
        final class Box { var batches: [[String]] = [] }
        let box = Box()
        engine.propagate = { batch in
            box.batches.append(batch.map { "\($0.database) " + $0.command.map(\.description).joined(separator: " ") })
        }
        return (engine, {
            defer { box.batches = [] }
            return box.batches
        })
    }

    @Test func relativeTimesAndRandomChoicesGoOnAsTheirEffects() {
        let (engine, taken) = recording()
        let now = clock.now()
        engine.run("SET a 1 EX 10")
        engine.run("SET b 1 PX 500 NX")
        engine.run("SET c 1 PXAT \(now + 700)")
        engine.run("SETEX d 5 v")
        engine.run("EXPIRE a 20")
        engine.run("PEXPIREAT a \(now + 30_000) NX")
        engine.run("PEXPIREAT a \(now + 30_000) XX")
        engine.run("EXPIREAT b 1")
        engine.run("GETEX c EX 100")
        engine.run("GETEX c PERSIST")
        engine.run("GETDEL d")
        engine.run("INCRBYFLOAT f 0.1")
        engine.run("HINCRBYFLOAT h x 1.5")
        engine.run("SADD s only")
        engine.run("SPOP s")
        #expect(taken() == [
            ["0 SET a 1 PXAT \(now + 10_000)"], ["0 SET b 1 PXAT \(now + 500)"], ["0 SET c 1 PXAT \(now + 700)"],
            ["0 SET d v PXAT \(now + 5_000)"], ["0 PEXPIREAT a \(now + 20_000)"], ["0 PEXPIREAT a \(now + 30_000) XX"],
            ["0 DEL b"], ["0 PEXPIREAT c \(now + 100_000)"], ["0 PERSIST c"], ["0 DEL d"], ["0 SET f 0.1 KEEPTTL"],
            ["0 HSET h x 1.5"], ["0 SADD s only"], ["0 SREM s only"],
        ], "PEXPIREAT ... NX changed nothing and goes nowhere")
    }

    @Test func whatChangesNothingIsNotPropagated() {
        let (engine, taken) = recording()
        engine.run("SET k v")
        _ = taken()
        for line in ["GET k", "SET k v NX", "SADD s", "EXPIRE nokey 10", "DEL nokey", "HGET h f", "ZRANGE z 0 -1",
                     "INCR k", "SELECT 3", "SRANDMEMBER s 3", "GETEX k"] {
            engine.run(line)
        }
        #expect(taken().isEmpty)
        engine.run("SET other v")
        #expect(taken() == [["3 SET other v"]], "in the database the session selected")
        engine.run("FLUSHDB")
        engine.run("FLUSHDB")
        #expect(taken() == [["3 FLUSHDB"], ["3 FLUSHDB"]], "FLUSHDB goes on even when empty, as Redis forces it")
    }

    @Test func expiryIsPropagatedAsDelBeforeTheCommandThatFoundIt() {
        let (engine, taken) = recording()
        engine.run("SET gone v PX 10")
        engine.run("SET later v PX 50")
        _ = taken()
        clock.advance(by: 11)
        engine.run("SET gone again")
        #expect(taken() == [["0 DEL gone", "0 SET gone again"]], "lazy expiry first, then the command, together")
        engine.run("GET later")
        #expect(taken().isEmpty)
        clock.advance(by: 100)
        engine.run("GET later")
        #expect(taken() == [["0 DEL later"]], "a read that expires a key propagates the DEL alone")
        engine.run("SET timed v PX 10")
        _ = taken()
        clock.advance(by: 11)
        #expect(engine.expireDueKeys().removed == 1)
        #expect(taken() == [["0 DEL timed"]], "active expiry too")
    }

    @Test func poppingSeveralGoesOnAsWhatWasPopped() {
        let (engine, taken) = recording()
        engine.run("SADD s a b c d")
        engine.run("ZADD z 1 a 2 b 3 c")
        _ = taken()
        guard case .set(let popped) = engine.run("SPOP s 2") else { Issue.record("SPOP"); return }
        let names = popped.compactMap { reply -> String? in if case .bulk(let bytes) = reply { bytes.description } else { nil } }
        #expect(taken() == [["0 SREM s " + names.joined(separator: " ")]])
        engine.run("SPOP s 10")
        #expect(taken() == [["0 DEL s"]], "the whole set: DEL")
        engine.run("ZMPOP 1 z MIN COUNT 10")
        #expect(taken() == [["0 ZPOPMIN z 3"]], "ZMPOP as ZPOPMIN with what it popped")
    }

    /// A command's own decision never carries over to a later one, even when
    /// nobody listened at the time.
    @Test func aRewriteIsForgottenWithItsCommand() {
        let engine = Engine(clock: clock)
        engine.run("SET k v")
        engine.run("EXPIRE k 100")
        engine.run("GET k")
        var batches: [[Propagation]] = []
        engine.propagate = { batches.append($0) }
        engine.run("SET k w")
        #expect(batches.map { $0.map(\.command) } == [[["SET", "k", "w"]]])
    }
}
