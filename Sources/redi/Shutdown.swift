import Dispatch
import StoreEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Leaving redi: on EXIT, QUIT, end of input, SIGINT, SIGTERM or SIGHUP the
/// snapshot is saved, then the process exits, with status 1 if that save failed.
enum Shutdown {
    /// Calls `action` on SIGINT, SIGTERM and SIGHUP. Keep the sources alive.
    static func onTerminatingSignals(_ action: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
        let queue = DispatchQueue(label: "redi.signals")
        // A parent may have started redi with these signals blocked (this
        // unblocks them for the calling thread; the handlers run on `queue`).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        return [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { action(number) }
            source.resume()
            return source
        }
    }

    /// Set by the first caller of `leave`, which alone ends the process.
    private static let leaving = Atomic<Bool>(false)

    /// Saves if anything changed and ends the process. Every caller (a
    /// signal, EXIT, end of input) waits for the same shutdown; one exits.
    static func leave(host: StoreHost, saving: Bool? = nil) async -> Never {
        let failure = await host.shutdown(saving: saving)
        if leaving.exchange(true, ordering: .acquiringAndReleasing) {
            while true { pause() }
        }
        if let failure {
            printError("redi: the snapshot could not be saved on exit: \(failure)")
            _exit(1)
        }
        // `_exit`, not `exit`: everything redi writes goes out by write(2) and
        // the snapshot is fsynced, so nothing waits in a buffer, and the C
        // library's exit handlers (stdio locks, other threads' teardown) can
        // never hang the process on its way out (seen twice in local runs:
        // the other callers in `pause()`, this one never gone).
        _exit(0)
    }
}
