import DequeModule
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's own thread, Redis's event loop: it runs the host's jobs one
/// at a time, in order, and wakes for the one timer the host sets.
///
/// A dedicated thread rather than Swift's shared pool, so that a busy or
/// blocked pool (a front end, tests, a server's callers) never delays a
/// command or an expiry. Jobs come before the timer, so commands interleave
/// with long runs of timer work, but an overdue timer waits for at most
/// `jobsBeforeOverdueTimer` of them.
final class EngineThread: EngineRunLoop {
    private struct State: ~Copyable {
        var jobs = Deque<UnownedJob>()
        /// Jobs run in a row while the timer was overdue.
        var jobsWhileOverdue = 0
        var timer: ContinuousClock.Instant?
        var stopped = false
    }

    private enum Step {
        case run(UnownedJob)
        case fire
        case wait(ContinuousClock.Instant?)
        case stop
    }

    /// How many jobs may run while the timer is overdue before it fires.
    static let jobsBeforeOverdueTimer = 16

    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let threadID = Mutex<pthread_t?>(nil)
    /// Called on the thread when the timer is due.
    private let onTimer: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    init(name: String) {
        DetachedThread.start(name: name) { [self] in run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    func checkIsolated() {
        precondition(isCurrent, "not on the engine's thread")
    }

    /// What to call when the timer is due.
    func setTimerHandler(_ handler: @escaping @Sendable () -> Void) {
        onTimer.withLock { $0 = handler }
    }

    /// Sets the timer, replacing any earlier setting; `nil` clears it.
    func setTimer(_ instant: ContinuousClock.Instant?) {
        state.withLock { $0.timer = instant }
        wakeUp.signal()
    }

    /// Brings the timer forward to `instant` if it is not set or set later;
    /// otherwise does nothing (waking early is harmless). Cheap enough for
    /// every command: the thread is woken only when the timer moves.
    func setTimer(noLaterThan instant: ContinuousClock.Instant) {
        let moved = state.withLock { state -> Bool in
            if let timer = state.timer, timer <= instant { return false }
            state.timer = instant
            return true
        }
        if moved { wakeUp.signal() }
    }

    /// Ends the thread once the queued jobs have run.
    func stop() {
        state.withLock { $0.stopped = true }
        wakeUp.signal()
    }

    private func run() {
        threadID.withLock { $0 = pthread_self() }
        let executor = asUnownedSerialExecutor()
        while true {
            let step = state.withLock { state -> Step in
                let overdue = state.timer.map { $0 <= .now } ?? false
                // Jobs first, but an overdue timer fires after at most a few
                // of them, so a stream of commands cannot starve expiry.
                if let job = state.jobs.first, !overdue || state.jobsWhileOverdue < EngineThread.jobsBeforeOverdueTimer {
                    state.jobs.removeFirst()
                    state.jobsWhileOverdue = overdue ? state.jobsWhileOverdue + 1 : 0
                    return .run(job)
                }
                if state.stopped && state.jobs.isEmpty { return .stop }
                if overdue {
                    state.timer = nil
                    state.jobsWhileOverdue = 0
                    return .fire
                }
                return .wait(state.timer)
            }
            switch step {
            case .run(let job):
                job.runSynchronously(on: executor)
            case .fire:
                onTimer.withLock { $0 }?()
            case .wait(let timer?):
                let delay = ContinuousClock.now.duration(to: timer)
                let nanoseconds = max(delay / .nanoseconds(1), 0)
                _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(min(nanoseconds, Double(Int32.max)))))
            case .wait(nil):
                wakeUp.wait()
            case .stop:
                return
            }
        }
    }
}
