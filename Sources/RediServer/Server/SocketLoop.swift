import CEpoll
import DequeModule
import Dispatch
import StoreEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Something the loop watches a descriptor for (`SocketLoop.watch`).
protocol SocketWatcher: AnyObject {
    /// The descriptor is ready: `events` as epoll reports them (`EPOLLIN`,
    /// `EPOLLOUT`, `EPOLLHUP`, `EPOLLERR`).
    func socketReady(_ events: UInt32)
}

/// redi's network event loop, as Redis's `ae.c`: one thread that waits in
/// epoll for the server's sockets, then runs what they brought, the jobs
/// other threads hand the store (the UI's commands), the tasks deferred to
/// the end of the turn (`execute`) and the timers that are due. The store
/// runs on it (it is the host's `EngineRunLoop`), so a connection calls the
/// store synchronously, with no hop between threads.
///
/// Per request it makes the system calls Redis makes (a read, a write and
/// an epoll_wait shared by the requests of a turn) and little else: see
/// BENCHMARKS.md for why the server's sockets are not SwiftNIO channels.
///
/// What only the loop's thread touches lives in `local`, checked by
/// `assertInLoop`; what other threads hand in goes through `shared`, under
/// its lock, and an eventfd wakes the loop. That split is what the
/// `@unchecked Sendable` stands on.
final class SocketLoop: EngineRunLoop, @unchecked Sendable {
    /// A task the loop runs at a given time (`schedule`).
    private struct Timer {
        let deadline: ContinuousClock.Instant
        let id: Int
        let body: () -> Void
    }

    /// What only the loop's thread touches.
    private final class Local {
        /// Watchers by descriptor (descriptors are small and dense).
        var watchers: [(any SocketWatcher)?] = []
        /// Run at the end of the turn, in order (`execute`).
        var tasks: [() -> Void] = []
        /// Ordered by deadline, then by when they were scheduled.
        var timers: [Timer] = []
        var nextTimerID = 0
        /// The store's one timer (`EngineRunLoop`).
        var engineTimer: ContinuousClock.Instant?
        var engineTimerHandler: (@Sendable () -> Void)?
    }

    /// What other threads hand in: the host's jobs and `hand`'s calls, in
    /// the order they came.
    private enum Work {
        case job(UnownedJob)
        case call(@Sendable () -> Void)
    }

    private struct Shared: ~Copyable {
        var work = Deque<Work>()
        var stopped = false
        /// The loop has returned: nothing handed in runs any more.
        var ended = false
    }

    private let local = Local()
    private let shared = Mutex(Shared())
    private let epoll: Int32
    private let wakeUp: Int32
    /// Set by the loop's thread before `init` returns, never after.
    private var thread: pthread_t?
    private let started = DispatchSemaphore(value: 0)

    /// Starts the loop's thread.
    init(name: String) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeUp = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(epoll >= 0 && wakeUp >= 0, "cannot make an event loop: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeUp
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeUp, &event)
        DetachedThread.start(name: name) { [self] in run() }
        started.wait()
    }

    // MARK: Threads

    /// Whether the caller runs on the loop's thread.
    var inLoop: Bool {
        thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    /// Traps in debug builds when called off the loop's thread.
    func assertInLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inLoop, "not on the server's event loop", file: file, line: line)
    }

    /// Runs `body` on the loop, from any thread, and returns its result;
    /// throws `CancellationError` if the loop has ended.
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = hand { continuation.resume(with: Result { try body() }) }
            if !accepted { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Runs `body` on the loop soon, from any thread; `false` (and
    /// nothing runs) if the loop has ended.
    @discardableResult
    func hand(_ body: @escaping @Sendable () -> Void) -> Bool {
        handIn(.call(body))
    }

    /// Queues `work`, waking the loop if the queue was empty; `false` if the loop has ended.
    private func handIn(_ work: Work) -> Bool {
        let (accepted, wasIdle) = shared.withLock { shared in
            guard !shared.ended else { return (false, false) }
            defer { shared.work.append(work) }
            return (true, shared.work.isEmpty)
        }
        if wasIdle { wake() }
        return accepted
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeUp, &one, 8)
    }

    // MARK: On the loop

    /// Runs `body` at the end of this turn of the loop, after the sockets
    /// that were ready (as SwiftNIO's `execute`); on the loop only.
    func execute(_ body: @escaping () -> Void) {
        assertInLoop()
        local.tasks.append(body)
    }

    /// Runs `body` on the loop after `delay`; on the loop only. Returns
    /// what `cancel` takes.
    @discardableResult
    func schedule(in delay: Duration, _ body: @escaping () -> Void) -> Int {
        assertInLoop()
        let local = self.local
        let timer = Timer(deadline: .now + delay, id: local.nextTimerID, body: body)
        local.nextTimerID += 1
        let index = local.timers.firstIndex { $0.deadline > timer.deadline } ?? local.timers.endIndex
        local.timers.insert(timer, at: index)
        return timer.id
    }

    /// Forgets a scheduled task that has not run.
    func cancel(_ id: Int) {
        assertInLoop()
        local.timers.removeAll { $0.id == id }
    }

    /// Tells `watcher` when `descriptor` is readable (`reading`), or
    /// writable (`writing`), or closed; again to change what it waits for.
    func watch(_ descriptor: Int32, _ watcher: any SocketWatcher, reading: Bool, writing: Bool) {
        assertInLoop()
        let index = Int(descriptor)
        let known = index < local.watchers.count && local.watchers[index] != nil
        if index >= local.watchers.count {
            local.watchers += Array(repeating: nil, count: index + 1 - local.watchers.count)
        }
        local.watchers[index] = watcher
        var event = epoll_event()
        // A peer's half-close is news only to a reader: told to one that is
        // not reading, it would wake the loop on every turn.
        event.events = (reading ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0) | (writing ? EPOLLOUT.rawValue : 0)
        event.data.fd = descriptor
        epoll_ctl(epoll, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, descriptor, &event)
    }

    /// Stops watching `descriptor`; call before closing it.
    func forget(_ descriptor: Int32) {
        assertInLoop()
        let index = Int(descriptor)
        guard index < local.watchers.count, local.watchers[index] != nil else { return }
        local.watchers[index] = nil
        epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
    }

    // MARK: EngineRunLoop

    func enqueue(_ job: consuming ExecutorJob) {
        _ = handIn(.job(UnownedJob(job)))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        precondition(inLoop, "not on the server's event loop")
    }

    func setTimerHandler(_ handler: @escaping @Sendable () -> Void) {
        assertInLoop()
        local.engineTimerHandler = handler
    }

    func setTimer(_ instant: ContinuousClock.Instant?) {
        assertInLoop()
        local.engineTimer = instant
    }

    func setTimer(noLaterThan instant: ContinuousClock.Instant) {
        if let timer = local.engineTimer, timer <= instant { return }
        assertInLoop()
        local.engineTimer = instant
    }

    /// Ends the loop once the jobs handed in have run.
    func stop() {
        shared.withLock { $0.stopped = true }
        wake()
    }

    // MARK: The loop

    private func run() {
        thread = pthread_self()
        started.signal()
        let executor = asUnownedSerialExecutor()
        let local = self.local
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        while true {
            // Sleep until a socket, a job or the next timer; not at all with work waiting.
            let busy = !local.tasks.isEmpty || shared.withLock { !$0.work.isEmpty || $0.stopped }
            var count: Int32
            if busy {
                count = epoll_wait(epoll, &events, Int32(events.count), 0)
            } else if let deadline = nextDeadline() {
                let wait = max(ContinuousClock.now.duration(to: deadline), .zero).components
                var timeout = timespec(tv_sec: Int(wait.seconds), tv_nsec: Int(wait.attoseconds / 1_000_000_000))
                count = epoll_pwait2(epoll, &events, Int32(events.count), &timeout, nil)
            } else {
                count = epoll_wait(epoll, &events, Int32(events.count), -1)
            }
            for index in 0..<max(Int(count), 0) {
                let descriptor = events[index].data.fd
                if descriptor == wakeUp {
                    var value: UInt64 = 0
                    _ = read(wakeUp, &value, 8)
                } else if Int(descriptor) < local.watchers.count, let watcher = local.watchers[Int(descriptor)] {
                    watcher.socketReady(events[index].events)
                }
            }
            runTasks()
            let (work, stopped) = shared.withLock { shared in
                defer { shared.work.removeAll(keepingCapacity: true) }
                return (shared.work, shared.stopped)
            }
            for item in work {
                switch item {
                case .job(let job): job.runSynchronously(on: executor)
                case .call(let call): call()
                }
            }
            runTasks()
            fireTimers()
            let done = stopped && local.tasks.isEmpty && shared.withLock { shared in
                shared.ended = shared.work.isEmpty
                return shared.ended
            }
            if done { break }
        }
        close(epoll)
        close(wakeUp)
    }

    private func nextDeadline() -> ContinuousClock.Instant? {
        switch (local.engineTimer, local.timers.first?.deadline) {
        case (let engine?, let other?): min(engine, other)
        case (let engine?, nil): engine
        case (nil, let other): other
        }
    }

    /// The deferred tasks, those they defer included.
    private func runTasks() {
        while !local.tasks.isEmpty {
            let tasks = local.tasks
            local.tasks = []
            for task in tasks { task() }
        }
    }

    /// The timers due now: the store's first, then the scheduled tasks in order.
    private func fireTimers() {
        let now = ContinuousClock.now
        if let timer = local.engineTimer, timer <= now {
            local.engineTimer = nil
            local.engineTimerHandler?()
            runTasks()
        }
        while let first = local.timers.first, first.deadline <= now {
            local.timers.removeFirst()
            first.body()
            runTasks()
        }
    }
}

/// A value only the loop's thread touches, held by something that crosses
/// threads (a closure the store keeps, a `Sendable` server), as SwiftNIO's
/// `NIOLoopBound`: reading it off the loop traps.
struct LoopBound<Value>: @unchecked Sendable {
    private let stored: Value
    let loop: SocketLoop

    init(_ value: Value, loop: SocketLoop) {
        loop.checkIsolated()
        stored = value
        self.loop = loop
    }

    var value: Value {
        loop.checkIsolated()
        return stored
    }
}
