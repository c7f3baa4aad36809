import Foundation
@testable import RediServer
import StoreEngine
import Testing

/// The server's event loop on its own: what runs when, and in which order.
@Suite("The server's event loop")
struct SocketLoopTests {
    /// What a test's closures on the loop write down.
    final class Notes {
        var items: [Int] = []
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let loop = SocketLoop(name: "test loop")
        defer { loop.stop() }
        let order = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
            loop.hand {
                let notes = Notes()
                for (delay, id) in [(30, 3), (10, 1), (20, 2), (10, 4)] {
                    loop.schedule(in: .milliseconds(delay)) { notes.items.append(id) }
                }
                let cancelled = loop.schedule(in: .milliseconds(5)) { notes.items.append(0) }
                loop.cancel(cancelled)
                loop.schedule(in: .milliseconds(40)) { continuation.resume(returning: notes.items) }
            }
        }
        #expect(order == [1, 4, 2, 3], "by deadline, then in the order scheduled")
    }

    @Test func tasksRunAtTheEndOfTheTurnInOrderWithThoseTheyAdd() async throws {
        let loop = SocketLoop(name: "test loop")
        defer { loop.stop() }
        let order = try await loop.submit {
            let notes = Notes()
            loop.execute { notes.items.append(2) }
            loop.execute {
                notes.items.append(3)
                loop.execute { notes.items.append(5) }
            }
            loop.execute { notes.items.append(4) }
            notes.items.append(1)
            return LoopBound(notes, loop: loop)
        }
        // The next call runs after the tasks of the turn that ran the first.
        let items = try await loop.submit { order.value.items }
        #expect(items == [1, 2, 3, 4, 5])
    }

    @Test func theStoreRunsOnTheLoopAndItsTimerExpiresKeys() async throws {
        let (host, _) = RediServer.makeHost(engine: Engine())
        await host.start()
        #expect(await host.execute(["SET", "k", "v", "PX", "50"]) == .status("OK"))
        // DBSIZE counts a key past its deadline until something removes it:
        // here only active expiry, woken by the loop's timer, can.
        var attempts = 0
        while await host.execute(["DBSIZE"]) != .integer(0), attempts < 2000 {
            attempts += 1
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(await host.execute(["DBSIZE"]) == .integer(0))
    }

    @Test func aLoopThatHasEndedRefusesWork() async throws {
        let loop = SocketLoop(name: "test loop")
        #expect(try await loop.submit { 42 } == 42)
        loop.stop()
        // What comes before the loop ends still runs; after, it is refused.
        var refused = false
        for _ in 0..<10_000 where !refused {
            do {
                #expect(try await loop.submit { 7 } == 7)
            } catch is CancellationError {
                refused = true
            }
        }
        #expect(refused)
    }
}
