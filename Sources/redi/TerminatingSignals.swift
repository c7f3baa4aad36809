import StoreEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT, SIGTERM and SIGHUP, caught by a handler installed with sigaction
/// before the watch returns, so no signal is lost in between (a dispatch
/// signal source is set up later, on another thread, while the signal is
/// ignored: one sent in that window was dropped and redi never left). The
/// handler writes the number to a pipe, async-signal-safe; a thread reads it
/// and calls the latest watch's action.
final class TerminatingSignals: Sendable {
    static let numbers = [SIGINT, SIGTERM, SIGHUP]
    private static let watches = Mutex<[(id: ObjectIdentifier, action: @Sendable (Int32) -> Void)]>([])
    /// The pipe's write end, for the handler (set once, before any handler is installed).
    private nonisolated(unsafe) static var pipeWriter: Int32 = -1
    private static let installed: Void = {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { fatalError("redi: no pipe for signals: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A handler never blocks: were the pipe full, that signal is one of many already on their way.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        pipeWriter = ends[1]
        let reader = ends[0]
        DetachedThread.start(name: "redi signals") {
            var number: UInt8 = 0
            while true {
                let got = read(reader, &number, 1)
                if got == 1 {
                    TerminatingSignals.watches.withLock { $0.last?.action }?(Int32(number))
                } else if got == 0 || errno != EINTR {
                    return  // the pipe is gone (never closed): nothing more can come
                }
            }
        }
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(TerminatingSignals.pipeWriter, &byte, 1)
        }
        handler.sa_flags = SA_RESTART
        sigemptyset(&handler.sa_mask)
        for number in numbers { sigaction(number, &handler, nil) }
    }()

    /// Calls `action` on SIGINT, SIGTERM and SIGHUP while this watch lives
    /// (the latest watch's action, when several live).
    init(_ action: @escaping @Sendable (Int32) -> Void) {
        Self.installed
        Self.watches.withLock { $0.append((ObjectIdentifier(self), action)) }
        // A parent may have started redi with these signals blocked: this
        // thread takes them (the others may still block them).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in Self.numbers { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
    }

    deinit {
        let id = ObjectIdentifier(self)
        Self.watches.withLock { $0.removeAll { $0.id == id } }
    }
}
