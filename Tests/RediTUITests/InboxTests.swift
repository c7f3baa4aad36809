#if canImport(Glibc)
import Glibc
#endif
import DequeModule
import RediTUI
import StoreEngine
import Testing

@Suite("Inbox")
struct InboxTests {
    static func change(_ key: String) -> Message {
        .changes([.updated(KeyInfo(key: Bytes(key), typeName: "string", size: 1, deadline: nil, preview: "v"), database: 0)])
    }

    @Test func aFrameAppliesWhatFitsItsBudgetInOrderAndKeepsTheRest() {
        let inbox = Inbox()
        for index in 0..<5 { inbox.post(Self.change("k\(index)")) }
        inbox.post(.reply(.integer(7), command: 1))
        var queue = Deque<Message>()
        inbox.take(into: &queue)
        #expect(queue.count == 6)

        var state = AppState(status: StoreStatus(snapshotPath: nil))
        // A spent budget still applies one message, so the table always moves.
        #expect(state.receive(&queue, budget: .zero, now: { 0 }).applied)
        #expect(queue.count == 5 && state.table.totalCount == 1)
        #expect(state.receive(&queue, budget: .seconds(10), now: { 0 }).applied)
        #expect(queue.isEmpty && state.table.totalCount == 5)
        #expect(state.log.last?.text == "(integer) 7")
        #expect(!state.receive(&queue, budget: .seconds(10), now: { 0 }).applied)

        inbox.take(into: &queue)
        #expect(queue.isEmpty)
    }

    /// The loop sleeps in `poll` on the keyboard and the inbox's pipe: a
    /// post wakes it at once, and the pipe is empty again once drained.
    @Test func aPostWakesTheLoopAtOnce() {
        let inbox = Inbox()
        func readable() -> Bool {
            var descriptor = pollfd(fd: inbox.wakeUpDescriptor, events: Int16(POLLIN), revents: 0)
            return poll(&descriptor, 1, 0) == 1
        }
        #expect(!readable())
        inbox.post(.vitals(StoreVitals(unsaved: 1)))
        inbox.post(.vitals(StoreVitals(unsaved: 2)))
        #expect(readable())
        inbox.drainWakeUps()
        #expect(!readable(), "drained")
        var queue = Deque<Message>()
        inbox.take(into: &queue)
        #expect(queue.count == 2)
        inbox.post(.vitals(StoreVitals(unsaved: 3)))
        #expect(readable(), "a post after a take wakes the loop again")
    }
}
