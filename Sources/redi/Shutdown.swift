import Dispatch
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Leaving redi: on EXIT, QUIT, end of input, SIGINT, SIGTERM or SIGHUP the
/// snapshot is saved, then the process exits, with status 1 if that save failed.
enum Shutdown {
    /// Routes SIGINT, SIGTERM and SIGHUP to `exit(host:)`. Keep the sources alive.
    static func installSignalHandlers(host: StoreHost) -> [DispatchSourceSignal] {
        let queue = DispatchQueue(label: "redi.signals")
        // A parent may have started redi with these signals blocked.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        return [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                // At a prompt the terminal echoed ^C: end that line first.
                if isatty(STDOUT_FILENO) == 1 { _ = write(STDOUT_FILENO, "\n", 1) }
                Task { await exit(host: host) }
            }
            source.resume()
            return source
        }
    }

    /// Saves if anything changed and ends the process.
    static func exit(host: StoreHost) async -> Never {
        if let failure = await host.shutdown() {
            printError("redi: the snapshot could not be saved on exit: \(failure)")
            Glibc.exit(1)
        }
        Glibc.exit(0)
    }
}
