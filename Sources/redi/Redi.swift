import ArgumentParser
import RediTUI
import StoreEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Redi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redi",
        abstract: "A Redis-like in-memory key-value store with a terminal front end.",
        discussion: """
            In a terminal redi opens its full-screen UI (--no-tui: a '>> ' prompt instead); with \
            standard input from a file or pipe it runs one command per line and prints only the replies. The keyspace is saved \
            to the snapshot (Redis's RDB format) on SAVE, BGSAVE, EXIT or QUIT, at end of \
            input, on SIGINT, SIGTERM and SIGHUP, and by the save rules; it is loaded at start.
            Type HELP for the commands.
            """,
        version: rediVersion
    )

    @Flag(name: .customLong("tui"), help: "Open the full-screen terminal UI (the default in a terminal); fail if the terminal cannot show it.")
    var forceTUI = false

    @Flag(name: .customLong("no-tui"), help: "Use the line prompt, also in a terminal.")
    var noTUI = false

    @Option(name: .long, help: ArgumentHelp("The snapshot file, loaded at start and saved to.", valueName: "file"))
    var snapshot: String?

    @Flag(name: .customLong("no-snapshot"), help: "Keep everything in memory: no snapshot is loaded or saved.")
    var noSnapshot = false

    @Option(name: .long, help: ArgumentHelp(
        "Save rules as Redis's 'save' setting: pairs of seconds and changes; \"\" turns them off.",
        valueName: "rules"))
    var save = "3600 1 300 100 60 10000"

    static let defaultSnapshot = "redi.rdb"

    func validate() throws {
        if forceTUI && noTUI { throw ValidationError("--tui and --no-tui contradict each other.") }
        if noSnapshot && snapshot != nil { throw ValidationError("--snapshot and --no-snapshot contradict each other.") }
        if snapshot?.isEmpty == true { throw ValidationError("--snapshot needs a file name.") }
        if SaveRule.parse(save) == nil {
            throw ValidationError("--save takes pairs of positive seconds and changes, such as \"3600 1 300 100\", or \"\".")
        }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        // A write past a file size limit fails with EFBIG instead of killing redi.
        signal(SIGXFSZ, SIG_IGN)

        let persistence = noSnapshot ? nil : PersistenceSettings(
            path: snapshot ?? Redi.defaultSnapshot, rules: SaveRule.parse(save) ?? [])
        let engine = Engine(persistence: persistence)
        let loaded: SnapshotReport?
        do {
            loaded = try engine.loadSnapshot()
        } catch {
            printError("redi: \(error.description); refusing to start (the file was not changed).")
            throw ExitCode(1)
        }

        let host = StoreHost(engine: engine)
        await host.start()
        let inTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        if forceTUI || (inTerminal && !noTUI),
           try await runTerminalUI(host: host, snapshotPath: persistence?.path, loaded: loaded) {
            // The UI ran; the terminal is restored.
        } else {
            let signalSources = Shutdown.onTerminatingSignals {
                // At a prompt the terminal echoed ^C: end that line first.
                if isatty(STDOUT_FILENO) == 1 { _ = write(STDOUT_FILENO, "\n", 1) }
                Task { await Shutdown.leave(host: host) }
            }
            let session = LineSession(host: host, interactive: isatty(STDIN_FILENO) == 1)
            await session.run()
            withExtendedLifetime(signalSources) {}
        }
        await Shutdown.leave(host: host)
    }

    /// The full-screen UI; a signal asks it to restore the terminal and leave.
    /// - Returns: `false` when the terminal cannot host it and `--tui` was not
    ///   given (the line prompt takes over); with `--tui` that is an error.
    private func runTerminalUI(host: StoreHost, snapshotPath: String?, loaded: SnapshotReport?) async throws -> Bool {
        let stop = StopFlag()
        let signalSources = Shutdown.onTerminatingSignals { stop.set() }
        let outcome = await TerminalApp.run(
            host: host, snapshotPath: snapshotPath, loaded: loaded, stopRequested: { stop.isSet })
        withExtendedLifetime(signalSources) {}
        if case .unavailable(let reason) = outcome {
            guard forceTUI else { return false }
            printError("redi: cannot open the terminal UI: \(reason); run redi --no-tui for the line prompt.")
            throw ExitCode(2)
        }
        return true
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = FileDescriptor.writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}

/// A flag a signal handler sets and the UI loop reads.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
