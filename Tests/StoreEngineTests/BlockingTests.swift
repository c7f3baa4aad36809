import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Blocking commands")
struct BlockingTests {
    let clock = ManualClock()

    /// A session as a front end holds one: it may block, and its late
    /// replies are collected.
    final class Waiter {
        let session: Session
        var replies: [Reply] = []

        init(_ engine: Engine) {
            session = engine.openSession()
            session.canBlock = true
            session.whenUnblocked = { [unowned self] in replies.append($0) }
        }

        /// Runs `line`: its reply, or `nil` when it blocked.
        @discardableResult
        func run(_ engine: Engine, _ line: String) -> Reply? {
            let reply = engine.execute(InlineCommand.split(Array(line.utf8))!, in: session)
            return session.isBlocked ? nil : reply
        }
    }

    @Test func aPushServesTheSessionsThatWaitFirstBlockedFirstServed() {
        let engine = Engine(clock: clock)
        let (first, second, third) = (Waiter(engine), Waiter(engine), Waiter(engine))
        #expect(first.run(engine, "BLPOP a b 0") == nil)
        #expect(second.run(engine, "BRPOP b 0") == nil)
        #expect(third.run(engine, "BLPOP b 5") == nil)
        #expect(engine.blockedSessionCount == 3 && engine.blockedWithTimeoutCount == 1)
        engine.run("RPUSH b x y")
        #expect(first.replies == [.array([.bulk("b"), .bulk("x")])])
        #expect(second.replies == [.array([.bulk("b"), .bulk("y")])])
        #expect(third.replies.isEmpty && third.session.isBlocked, "nothing was left for the third")
        #expect(engine.run("EXISTS b") == .zero && engine.blockedSessionCount == 1)
        engine.run("LPUSH a z")
        #expect(engine.run("LLEN a") == .integer(1), "the first left `a` when it was served")
        engine.run("RPUSH b last")
        #expect(third.replies == [.array([.bulk("b"), .bulk("last")])] && engine.blockedSessionCount == 0)
    }

    /// Replies a null array at the deadline (decimal seconds), never for 0.
    @Test func timeoutsAnswerANullArrayAtTheirDeadline() {
        let engine = Engine(clock: clock)
        let (timed, forever) = (Waiter(engine), Waiter(engine))
        timed.run(engine, "BZPOPMIN z 0.25")
        forever.run(engine, "BLMOVE l m LEFT RIGHT 0")
        #expect(engine.nextBlockDeadline == clock.now() + 250)
        clock.advance(by: 250)
        engine.unblockTimedOut()
        #expect(timed.replies.isEmpty, "not before its deadline has passed")
        clock.advance(by: 1)
        engine.unblockTimedOut()
        #expect(timed.replies == [.nullArray] && !timed.session.isBlocked)
        clock.advance(by: 1_000_000)
        engine.unblockTimedOut()
        #expect(forever.replies.isEmpty && forever.session.isBlocked)
        // Seconds whose milliseconds fit 64 bits but not once added to now: for ever, as in Redis.
        #expect(timed.run(engine, "BLPOP far 9223372036854775") == nil && timed.session.isBlocked)
        #expect(engine.nextBlockDeadline.map { $0 > clock.now() } == true)
        engine.unblock(timed.session.id)
        for (argument, error) in [("x", "ERR timeout is not a float or out of range"), ("-1", "ERR timeout is negative"),
                                  ("nan", "ERR timeout is not a float or out of range"), ("-inf", "ERR timeout is negative"),
                                  ("inf", "ERR timeout is negative"), (" 1", "ERR timeout is not a float or out of range")] {
            #expect(engine.execute(["BLPOP", "q", Bytes(argument)], in: timed.session) == .error(error), "\(argument)")
        }
    }

    /// Redis's "Linked LMOVEs": a move into a list somebody waits on serves them too.
    @Test func movesChainThroughWaitingSessions() {
        let engine = Engine(clock: clock)
        let (first, second) = (Waiter(engine), Waiter(engine))
        first.run(engine, "BLMOVE list1 list2 RIGHT LEFT 0")
        second.run(engine, "BLMOVE list2 list3 LEFT RIGHT 0")
        var propagated: [[Bytes]] = []
        engine.propagate = { batch in propagated += batch.map(\.command) }
        engine.run("RPUSH list1 foo")
        #expect(first.replies == [.bulk("foo")] && second.replies == [.bulk("foo")])
        #expect(engine.run("LRANGE list3 0 -1") == .array([.bulk("foo")]) && engine.run("EXISTS list1 list2") == .zero)
        #expect(propagated == [["RPUSH", "list1", "foo"], ["LMOVE", "list1", "list2", "RIGHT", "LEFT"], ["LMOVE", "list2", "list3", "LEFT", "RIGHT"]])
    }

    /// A key that becomes another type leaves the session waiting (Redis
    /// 7.0); in MULTI a blocking command answers at once, and the pushes of
    /// a transaction are served after EXEC.
    @Test func typesTransactionsAndTheEndOfASession() {
        let engine = Engine(clock: clock)
        let waiter = Waiter(engine)
        waiter.run(engine, "BLPOP k 0")
        engine.run("SET k string")
        #expect(waiter.session.isBlocked && waiter.replies.isEmpty)
        engine.run("DEL k")
        let writer = engine.openSession()
        for line in ["MULTI", "RPUSH k a", "RPUSH k b", "LLEN k"] { _ = engine.execute(InlineCommand.split(Array(line.utf8))!, in: writer) }
        #expect(engine.execute(["EXEC"], in: writer) == .array([.integer(1), .integer(2), .integer(2)]), "served after EXEC, not between")
        #expect(waiter.replies == [.array([.bulk("k"), .bulk("a")])])
        let inTransaction = Waiter(engine)
        inTransaction.run(engine, "MULTI")
        inTransaction.run(engine, "BLPOP empty 0")
        inTransaction.run(engine, "BLMOVE empty x LEFT LEFT 0")
        #expect(inTransaction.run(engine, "EXEC") == .array([.nullArray, .null]))
        let leaving = Waiter(engine)
        leaving.run(engine, "BRPOP gone 0")
        engine.closeSession(leaving.session.id)
        engine.run("RPUSH gone v")
        #expect(engine.run("LLEN gone") == .integer(1) && leaving.replies.isEmpty, "a closed session takes nothing")
        #expect(engine.blockedSessionCount == 0)
        #expect(engine.execute(["BLPOP", "nothing", "0"]) == .nullArray, "a session that cannot wait answers at once")
    }

    /// Waits with a deadline that end early (served, unblocked) leave no
    /// pile of deadlines behind: the queue is rebuilt from the live ones.
    @Test func endedWaitsLeaveNoDeadlinesBehind() {
        let engine = Engine(clock: clock)
        let (worker, producer) = (Waiter(engine), engine.openSession())
        for round in 0..<1000 {
            worker.run(engine, "BRPOP jobs 3600")
            _ = engine.execute(["RPUSH", "jobs", Bytes(Int64(round))], in: producer)
        }
        #expect(worker.replies.count == 1000 && engine.blockDeadlines.count <= 64 + 2)
        worker.run(engine, "BRPOP jobs 5")
        #expect(engine.nextBlockDeadline == clock.now() + 5000, "the live one is kept")
    }

    @Test func unblockAnswersAsATimeoutOrAnError() {
        let engine = Engine(clock: clock)
        let waiter = Waiter(engine)
        waiter.run(engine, "BLMPOP 0 2 a b LEFT COUNT 3")
        #expect(engine.unblock(waiter.session.id))
        #expect(!engine.unblock(waiter.session.id), "it waits no more")
        waiter.run(engine, "BZMPOP 0 1 z MAX")
        #expect(engine.unblock(waiter.session.id, error: true))
        #expect(waiter.replies == [.nullArray, .error("UNBLOCKED client unblocked via CLIENT UNBLOCK")])
    }

    @Test func eachCommandIsServedInItsOwnShape() {
        let engine = Engine(clock: clock)
        let waiters = (0..<5).map { _ in Waiter(engine) }
        waiters[0].run(engine, "BLMPOP 0 1 l RIGHT COUNT 2")
        waiters[1].run(engine, "BRPOPLPUSH l dst 0")
        waiters[2].run(engine, "BZPOPMAX z 0")
        waiters[3].run(engine, "BZMPOP 0 2 other z MIN COUNT 5")
        var propagated: [[Bytes]] = []
        engine.propagate = { batch in propagated += batch.map(\.command) }
        engine.run("RPUSH l 1 2 3")
        engine.run("ZADD z 1 a 2 b 3 c")
        #expect(waiters[0].replies == [.array([.bulk("l"), .array([.bulk("3"), .bulk("2")])])])
        #expect(waiters[1].replies == [.bulk("1")])
        #expect(waiters[2].replies == [.array([.bulk("z"), .bulk("c"), .double(3)])])
        #expect(waiters[3].replies == [.array([.bulk("z"), .array([.array([.bulk("a"), .double(1)]), .array([.bulk("b"), .double(2)])])])])
        #expect(propagated == [["RPUSH", "l", "1", "2", "3"], ["RPOP", "l", "2"], ["RPOPLPUSH", "l", "dst"],
                               ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "2"]])
        // At once when there is something, propagated without the wait.
        engine.run("RPUSH ready x")
        #expect(waiters[4].run(engine, "BRPOP none ready 1") == .array([.bulk("ready"), .bulk("x")]))
        #expect(propagated.last == ["RPOP", "ready"])
    }

    /// SWAPDB brings a list into the database a session waits in.
    @Test func swapdbServesWhatItBrings() {
        let engine = Engine(clock: clock)
        let waiter = Waiter(engine)
        waiter.run(engine, "BLPOP k 0")
        engine.run("SELECT 1")
        engine.run("RPUSH k v")
        engine.run("SWAPDB 0 1")
        #expect(waiter.replies == [.array([.bulk("k"), .bulk("v")])])
    }
}
