import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Synchronization
import Testing

/// The host on the real clock: what a front end or server sees.
@Suite("StoreHost")
struct StoreHostTests {
    final class Inbox: Sendable {
        let events = Mutex<[(EngineEvent, ContinuousClock.Instant)]>([])
        func add(_ batch: [EngineEvent]) {
            let now = ContinuousClock.now
            events.withLock { $0 += batch.map { ($0, now) } }
        }
        func first(where predicate: (EngineEvent) -> Bool, timeout: Duration = .seconds(5)) async -> ContinuousClock.Instant? {
            let start = ContinuousClock.now
            // Looked for once more after the timeout: a test process busy
            // elsewhere may resume this loop only after it.
            while true {
                if let found = events.withLock({ $0.first { predicate($0.0) }?.1 }) { return found }
                if ContinuousClock.now - start >= timeout { return nil }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// A front end's blocking command waits in `execute` while other
    /// sessions run; the timer answers it at its deadline, even with active
    /// expiry off; a push from another session serves it.
    @Test func aBlockingCommandWaitsForItsReplyOrItsDeadline() async throws {
        let host = StoreHost(engine: Engine())
        await host.start()
        let (waiting, pushing) = (await host.openSession(), await host.openSession())
        #expect(await host.execute(["DEBUG", "SET-ACTIVE-EXPIRE", "0"]) == .status("OK"))
        // The wait ends by the host's one timer, armed for its deadline (no
        // wall-clock bound on how late: a loaded machine runs it late).
        let (replies, delivered) = AsyncStream<Reply>.makeStream()
        await host.whenUnblocked(waiting) { delivered.yield($0) }
        let start = ContinuousClock.now
        #expect(await host.execute([["BLPOP", "q", "0.5"]], session: waiting).isEmpty, "it waits")
        let deadlines = await host.timerAndBlockDeadlines
        if (await host.withEngine { $0.blockedSessionCount }) == 1 {
            #expect(deadlines.armed == deadlines.blocked && deadlines.armed != nil, "the timer is set for the wait's deadline")
        }
        var iterator = replies.makeAsyncIterator()
        #expect(await iterator.next() == .nullArray)
        #expect(ContinuousClock.now - start >= .milliseconds(500))
        await host.whenUnblocked(waiting) { _ in }
        async let served = host.execute(["BRPOP", "q", "0"], session: waiting)
        while (await host.withEngine { $0.blockedSessionCount }) == 0 {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(await host.execute(["RPUSH", "q", "job"], session: pushing) == .integer(1))
        #expect(await served == .array([.bulk("q"), .bulk("job")]))
        async let cancelled = host.execute(["BZPOPMAX", "z", "0"], session: waiting)
        while (await host.withEngine { $0.blockedSessionCount }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await host.unblock(waiting))
        #expect(await cancelled == .nullArray)
    }

    @Test func volatileKeysLeaveWithin100msOfTheirDeadline() async throws {
        let host = StoreHost(engine: Engine())
        await host.start()
        let inbox = Inbox()
        _ = await host.subscribe(.keys) { inbox.add($0) }
        for (index, delay) in [60, 20, 150, 90].enumerated() {
            let set = ContinuousClock.now
            #expect(await host.execute(["SET", Bytes("k\(index)"), "v", "PX", Bytes(String(delay))]) == .status("OK"))
            let expired = try #require(await inbox.first { $0 == .key(.expired, Bytes("k\(index)"), database: 0) })
            let late = expired - (set + .milliseconds(delay))
            #expect(late >= .zero && late < .milliseconds(100), "k\(index) was \(late) late")
        }
        _ = await host.shutdown()
    }

    @Test func anEarlierDeadlineReschedulesTheWakeUp() async throws {
        let host = StoreHost(engine: Engine())
        await host.start()
        let inbox = Inbox()
        _ = await host.subscribe(.keys) { inbox.add($0) }
        await host.execute(["SET", "late", "v", "EX", "100"])
        let set = ContinuousClock.now
        await host.execute(["SET", "early", "v", "PX", "30"])
        let expired = try #require(await inbox.first { $0 == .key(.expired, "early", database: 0) })
        #expect(expired - set < .milliseconds(130))
        _ = await host.shutdown()
    }

    @Test func aDeadlineAtTheEndOfTimeIsNoCrash() async {
        let host = StoreHost(engine: Engine())
        await host.start()
        #expect(await host.execute(["SET", "k", "v", "PXAT", "9223372036854775807"]) == .status("OK"))
        #expect(await host.execute(["PEXPIRETIME", "k"]) == .integer(.max))
        #expect(await host.execute(["GET", "k"]) == .bulk("v"))
        _ = await host.shutdown()
    }

    @Test func afterShutdownCommandsAreRefusedAndShutdownIsOnce() async throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/once.rdb"
        let host = StoreHost(engine: Engine(persistence: PersistenceSettings(path: path, rules: [])))
        await host.start()
        await host.execute(["SET", "a", "1"])
        async let first = host.shutdown()
        async let second = host.shutdown()
        let results = await [first, second]
        #expect(results == [nil, nil])
        #expect(await host.execute(["SET", "b", "2"]) == .error("ERR redi is shutting down"))
        let reloaded = Engine(persistence: PersistenceSettings(path: path, rules: []))
        #expect(try reloaded.loadSnapshot()?.keys == 1)
    }

    @Test func concurrentCallersAreSerialized() async {
        let host = StoreHost(engine: Engine())
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<500 { await host.execute(["INCR", "n"]) } }
            }
        }
        #expect(await host.execute(["GET", "n"]) == .bulk("4000"))
    }

    @Test func backgroundSaveReportsAndShutdownWaitsForIt() async throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/host.rdb"
        let host = StoreHost(engine: Engine(persistence: PersistenceSettings(path: path, rules: [])))
        await host.start()
        let inbox = Inbox()
        _ = await host.subscribe(.snapshots) { inbox.add($0) }
        await host.execute(["DEBUG", "POPULATE", "100000"])
        // Both in one turn of the host, so the save cannot finish in between.
        let replies = await host.withEngine { [$0.execute(["BGSAVE"]), $0.execute(["BGSAVE"])] }
        #expect(replies == [.status("Background saving started"), .error("ERR Background save already in progress")])
        await host.execute(["SET", "after", "1"])
        // Shut down at once: it waits for the running save, then saves the change after it.
        #expect(await host.shutdown() == nil)
        let saved = await inbox.first {
            if case .snapshotSaved(let report) = $0 { return report.keys == 100_000 }
            return false
        }
        #expect(saved != nil, "the background save finished before the final one")
        let reloaded = Engine(persistence: PersistenceSettings(path: path, rules: []))
        #expect(try reloaded.loadSnapshot()?.keys == 100_001)
    }
}
