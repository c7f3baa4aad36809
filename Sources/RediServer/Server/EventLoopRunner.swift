import NIOCore
import StoreEngine
import Synchronization

/// Runs a `StoreHost` on a SwiftNIO event loop, as Redis runs its commands on
/// the thread that serves its sockets: connections on the same loop call the
/// host synchronously (`assumeIsolated`), with no hop between threads. Other
/// threads (the terminal UI) reach it through Swift concurrency as before.
final class EventLoopRunner: EngineRunLoop {
    let eventLoop: any EventLoop
    private let executor: any SerialExecutor

    private struct Timer {
        var handler: (@Sendable () -> Void)?
        var instant: ContinuousClock.Instant?
        var scheduled: Scheduled<Void>?
    }

    // Touched on the loop only (the host calls in while it runs there); the
    // lock is uncontended and keeps the type honestly Sendable.
    private let timer = Mutex(Timer())

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        executor = eventLoop.executor
    }

    func enqueue(_ job: consuming ExecutorJob) {
        executor.enqueue(job)
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    func checkIsolated() {
        eventLoop.preconditionInEventLoop()
    }

    func setTimerHandler(_ handler: @escaping @Sendable () -> Void) {
        timer.withLock { $0.handler = handler }
    }

    func setTimer(_ instant: ContinuousClock.Instant?) {
        timer.withLock { timer in
            timer.scheduled?.cancel()
            timer.scheduled = nil
            timer.instant = instant
            if let instant { timer.scheduled = schedule(at: instant) }
        }
    }

    func setTimer(noLaterThan instant: ContinuousClock.Instant) {
        timer.withLock { timer in
            if let current = timer.instant, current <= instant { return }
            timer.scheduled?.cancel()
            timer.instant = instant
            timer.scheduled = schedule(at: instant)
        }
    }

    func stop() {
        setTimer(nil)
        timer.withLock { $0.handler = nil }
    }

    private func schedule(at instant: ContinuousClock.Instant) -> Scheduled<Void> {
        let delay = max(ContinuousClock.now.duration(to: instant), .zero)
        return eventLoop.scheduleTask(in: .nanoseconds(Int64(delay / .nanoseconds(1)))) { [self] in
            let handler = timer.withLock { timer -> (@Sendable () -> Void)? in
                timer.instant = nil
                timer.scheduled = nil
                return timer.handler
            }
            handler?()
        }
    }
}
