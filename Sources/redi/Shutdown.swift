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
