import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Transactions")
struct TransactionTests {
    let clock = ManualClock()

    /// Runs `line` in `session`.
    @discardableResult
    func run(_ engine: Engine, _ line: String, in session: Session) -> Reply {
        engine.execute(InlineCommand.split(Array(line.utf8))!, in: session)
    }

    @Test func queuedCommandsRunAtExecAndAnErrorStopsNoneOfThem() {
        let engine = Engine(clock: clock)
        let session = engine.openSession()
        #expect(run(engine, "MULTI", in: session) == .status("OK"))
        #expect(run(engine, "SET a 1", in: session) == .status("QUEUED"))
        #expect(run(engine, "LPUSH a x", in: session) == .status("QUEUED"))
        #expect(run(engine, "INCR a", in: session) == .status("QUEUED"))
        #expect(engine.run("GET a") == .null, "nothing ran before EXEC")
        #expect(run(engine, "EXEC", in: session) == .array([
            .status("OK"), .error("WRONGTYPE Operation against a key holding the wrong kind of value"), .integer(2),
        ]))
        #expect(!session.isInTransaction && engine.run("GET a") == .bulk("2"))
        #expect(run(engine, "EXEC", in: session) == .error("ERR EXEC without MULTI"))
        #expect(run(engine, "DISCARD", in: session) == .error("ERR DISCARD without MULTI"))
    }

    @Test func aCommandRefusedWhileQueueingAbortsTheWholeTransaction() {
        let engine = Engine(clock: clock)
        let session = engine.openSession()
        for refused in ["NOSUCH x", "GET", "SAVE"] {
            run(engine, "MULTI", in: session)
            run(engine, "SET b 1", in: session)
            #expect(run(engine, refused, in: session).isErrorReply, "\(refused)")
            #expect(run(engine, "SET c 1", in: session) == .status("QUEUED"))
            #expect(run(engine, "EXEC", in: session) == .error("EXECABORT Transaction discarded because of previous errors."))
            #expect(engine.run("EXISTS b c") == .zero, "\(refused)")
        }
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC x", in: session)
            == .error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"))
        #expect(!session.isInTransaction)
        run(engine, "MULTI", in: session)
        #expect(run(engine, "MULTI", in: session) == .error("ERR MULTI calls can not be nested"))
        #expect(run(engine, "WATCH k", in: session) == .error("ERR WATCH inside MULTI is not allowed"))
        #expect(run(engine, "DISCARD", in: session) == .status("OK") && !session.isInTransaction)
    }

    /// WATCH fails EXEC for a change by anyone: another session, the session
    /// itself before MULTI, RENAME, MOVE, FLUSHDB, FLUSHALL, SWAPDB; not for
    /// a change to another key, a flush of a database without the key, or
    /// after UNWATCH.
    @Test(arguments: [
        ("SET w changed", true), ("DEL w", true), ("RENAME w w2", true), ("MOVE w 1", true), ("FLUSHDB", true),
        ("FLUSHALL", true), ("SWAPDB 0 1", true), ("EXPIRE w 100", true), ("LPUSH other x", false), ("SWAPDB 2 3", false),
        ("GET w", false), ("EXPIRE w 0", true),
    ])
    func watchedKeysFailExecWhenTheyChange(change: String, fails: Bool) {
        let engine = Engine(clock: clock)
        let (watcher, other) = (engine.openSession(), engine.openSession())
        engine.run("SET w original")
        #expect(run(engine, "WATCH w", in: watcher) == .status("OK"))
        run(engine, change, in: other)
        run(engine, "MULTI", in: watcher)
        run(engine, "SET result done", in: watcher)
        #expect(run(engine, "EXEC", in: watcher) == (fails ? .nullArray : .array([.status("OK")])), "\(change)")
        #expect(engine.watchers.isEmpty, "EXEC forgets the watched keys")
    }

    @Test func unwatchAndAbsentKeysAndOwnChanges() {
        let engine = Engine(clock: clock)
        let session = engine.openSession()
        run(engine, "WATCH k", in: session)
        run(engine, "SET k 1", in: session)
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .nullArray, "the session's own change counts")
        run(engine, "WATCH k", in: session)
        run(engine, "UNWATCH", in: session)
        engine.run("SET k 2")
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .array([]))
        run(engine, "WATCH absent", in: session)
        engine.run("FLUSHDB")
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .array([]), "a flush that removed no watched key")
        let closing = engine.openSession()
        run(engine, "WATCH a b c", in: closing)
        engine.closeSession(closing.id)
        #expect(engine.watchers.isEmpty, "a closed session watches nothing")
    }

    /// A watched key that expires before EXEC fails it, removed or not yet;
    /// one already expired when watched does not, even once removed.
    @Test func expiryCountsAsAChange() {
        let engine = Engine(clock: clock)
        let session = engine.openSession()
        engine.run("SET soon v PX 100")
        run(engine, "WATCH soon", in: session)
        clock.advance(by: 200)
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .nullArray, "past its deadline, not yet removed")
        engine.run("SET soon v PX 100")
        run(engine, "WATCH soon", in: session)
        clock.advance(by: 200)
        _ = engine.expireDueKeys()
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .nullArray, "removed by the expiry timer")
        engine.run("SET gone v PX 100")
        clock.advance(by: 200)
        run(engine, "WATCH gone", in: session)
        _ = engine.expireDueKeys()
        run(engine, "MULTI", in: session)
        #expect(run(engine, "EXEC", in: session) == .array([]), "expired already when watched")
    }

    /// Observers get a transaction's events in one batch, after EXEC; its
    /// writes propagate together, without MULTI, EXEC or the reads.
    @Test func aTransactionReachesObserversAndPropagationAsOne() {
        let engine = Engine(clock: clock)
        var batches: [[String]] = []
        _ = engine.subscribe(.keys) { events in
            batches.append(events.compactMap { if case .key(let event, let key, _) = $0 { "\(event.rawValue) \(key)" } else { nil } })
        }
        var propagated: [[[Bytes]]] = []
        engine.propagate = { batch in propagated.append(batch.map(\.command)) }
        let session = engine.openSession()
        for line in ["MULTI", "SET a 1", "GET a", "RPUSH l x", "SELECT 3", "SET b 2", "EXEC"] { run(engine, line, in: session) }
        #expect(batches == [["new a", "set a", "new l", "rpush l", "new b", "set b"]])
        #expect(propagated == [[["SET", "a", "1"], ["RPUSH", "l", "x"], ["SET", "b", "2"]]])
        #expect(engine.execute(["GET", "b"], in: session) == .bulk("2") && session.database == 3)
    }
}

extension Reply {
    var isErrorReply: Bool {
        if case .error = self { return true }
        return false
    }
}
