import ArgumentParser
import Logging
import RediServer
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
            With --port it also serves Redis's protocol, so redis-cli and Redis client libraries share \
            the store (beside the UI, or headless with --no-tui).
            Type HELP for the commands.
            """,
        version: rediVersion,
        subcommands: [Connect.self]
    )

    @Flag(name: .customLong("tui"), help: "Open the full-screen terminal UI (the default in a terminal); fail if the terminal cannot show it.")
    var forceTUI = false

    @Flag(name: .customLong("no-tui"), help: "Use the line prompt, also in a terminal.")
    var noTUI = false

    @Option(name: .long, help: ArgumentHelp("What splits keys into the UI's tree of folders (v shows it).", valueName: "text"))
    var delimiter = ":"

    @Option(name: .long, help: ArgumentHelp("The UI's colours, for a dark or a light background (by default from COLORFGBG where the terminal sets it, else dark); NO_COLOR turns colour off.", valueName: "dark|light"))
    var theme: Theme?

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal: no clicks or wheel in the UI.")
    var noMouse = false

    /// The theme asked for, or the one the terminal's COLORFGBG implies.
    var chosenTheme: Theme {
        theme ?? Theme.detect(colorFGBG: getenv("COLORFGBG").map { String(cString: $0) })
    }

    @Option(name: .long, help: ArgumentHelp("The snapshot file, loaded at start and saved to.", valueName: "file"))
    var snapshot: String?

    @Flag(name: .customLong("no-snapshot"), help: "Keep everything in memory: no snapshot is loaded or saved.")
    var noSnapshot = false

    @Option(name: .long, help: ArgumentHelp(
        "Save rules as Redis's 'save' setting: pairs of seconds and changes; \"\" turns them off.",
        valueName: "rules"))
    var save = Self.defaultSave

    @Flag(name: .long, help: "Log every write to the append-only file (Redis 7.0's multi-part AOF in the folder --appenddirname, beside the snapshot); loaded at start instead of the snapshot.")
    var appendonly = false

    @Option(name: .long, help: ArgumentHelp("When the append-only file is synced to disk: always, everysec or no.", valueName: "policy"))
    var appendfsync = Self.defaultAppendfsync

    @Option(name: .long, help: ArgumentHelp("The append-only file's folder, beside the snapshot.", valueName: "name"))
    var appenddirname = Self.defaultAppenddirname

    @Option(name: .long, help: ArgumentHelp(
        "Serve Redis's protocol on this TCP port, beside the UI; with --no-tui, headless, logging to standard error.",
        valueName: "port"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("The address to listen on (with --port).", valueName: "address"))
    var bind = Self.defaultBind

    @Option(name: .long, help: ArgumentHelp("Clients must AUTH with this password first (with --port).", valueName: "password"))
    var requirepass: String?

    @Option(name: .long, help: ArgumentHelp("The most clients connected at once (with --port).", valueName: "count"))
    var maxclients = Self.defaultMaxclients

    static let defaultSnapshot = "redi.rdb"
    static let defaultSave = "3600 1 300 100 60 10000"
    static let defaultAppendfsync = "everysec"
    static let defaultAppenddirname = "appendonlydir"
    static let defaultBind = "127.0.0.1"
    static let defaultMaxclients = 10_000

    /// The flags given for redi's own store and server, which `redi connect` has neither of.
    var ownStoreFlags: [String] {
        let given: [(String, Bool)] = [
            ("--snapshot", snapshot != nil), ("--no-snapshot", noSnapshot), ("--save", save != Self.defaultSave),
            ("--appendonly", appendonly), ("--appendfsync", appendfsync != Self.defaultAppendfsync),
            ("--appenddirname", appenddirname != Self.defaultAppenddirname), ("--port", port != nil), ("--bind", bind != Self.defaultBind),
            ("--requirepass", requirepass != nil), ("--maxclients", maxclients != Self.defaultMaxclients),
        ]
        return given.filter(\.1).map(\.0)
    }

    func validate() throws {
        if forceTUI && noTUI { throw ValidationError("--tui and --no-tui contradict each other.") }
        if delimiter.isEmpty { throw ValidationError("--delimiter needs at least one character.") }
        if noSnapshot && snapshot != nil { throw ValidationError("--snapshot and --no-snapshot contradict each other.") }
        if snapshot?.isEmpty == true { throw ValidationError("--snapshot needs a file name.") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port takes a number from 0 to 65535.") }
        if port == nil && (bind != Self.defaultBind || requirepass != nil) {
            throw ValidationError("--bind and --requirepass apply to the server: add --port.")
        }
        if maxclients < 1 { throw ValidationError("--maxclients takes a positive number.") }
        if FsyncPolicy(rawValue: appendfsync.lowercased()) == nil {
            throw ValidationError("--appendfsync takes always, everysec or no.")
        }
        if appenddirname.isEmpty || appenddirname.contains("/") || appenddirname == "." || appenddirname == ".." {
            throw ValidationError("--appenddirname takes a folder name, not a path.")
        }
        if SaveRule.parse(save) == nil {
            throw ValidationError("--save takes pairs of positive seconds and changes, such as \"3600 1 300 100\", or \"\".")
        }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        // A write past a file size limit fails with EFBIG instead of killing redi.
        signal(SIGXFSZ, SIG_IGN)
        // The command table is read on the other core while the data loads.
        DetachedThread.start(name: "redi commands") { Engine.prepareCommands() }

        let persistence = noSnapshot ? nil : PersistenceSettings(
            path: snapshot ?? Redi.defaultSnapshot, rules: SaveRule.parse(save) ?? [])
        let engine = Engine(persistence: persistence)
        engine.configureAppendOnly(AppendOnlySettings(
            fsync: FsyncPolicy(rawValue: appendfsync.lowercased()) ?? .everysec,
            directory: SnapshotFile.directoryName(of: snapshot ?? Redi.defaultSnapshot), dirname: appenddirname))
        // Loading's notices go to standard error until a server's log takes them.
        engine.log = { level, message in if level >= 3 { printError("redi: \(message)") } }
        let loaded: SnapshotReport?
        do {
            // The append-only file wins over the snapshot, as in Redis; without one the snapshot loads.
            loaded = try (appendonly ? engine.loadAppendOnlyFiles() : nil) ?? engine.loadSnapshot()
        } catch let error as AppendOnlyError {
            printError("redi: \(error.description); refusing to start.")
            throw ExitCode(1)
        } catch {
            printError("redi: \(error); refusing to start (the file was not changed).")
            throw ExitCode(1)
        }
        if appendonly {
            do {
                try engine.openAppendOnlyOnStart()
            } catch {
                printError("redi: \(error.description); refusing to start.")
                throw ExitCode(1)
            }
        }

        let inTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        let wantsTUI = forceTUI || (inTerminal && !noTUI)
        // The UI owns the terminal: its status line tells of the append-only file instead.
        if wantsTUI { engine.log = nil }
        if let port {
            try await serve(engine: engine, port: port, wantsTUI: wantsTUI, snapshotPath: persistence?.path, loaded: loaded)
        }
        let host = StoreHost(engine: engine)
        await host.start()
        if wantsTUI,
           try await runTerminalUI(host: host, snapshotPath: persistence?.path, loaded: loaded) {
            // The UI ran; the terminal is restored.
        } else {
            let session = await host.openSession()
            let signals = TerminatingSignals { number in
                // At a prompt the terminal echoed ^C: end that line first.
                if isatty(STDOUT_FILENO) == 1 { _ = write(STDOUT_FILENO, "\n", 1) }
                Task {
                    // Ctrl-C while a command waits (BLPOP...) gives up the wait instead.
                    if number == SIGINT, await host.unblock(session) { return }
                    await Shutdown.leave(host: host)
                }
            }
            await LineSession(source: host, session: session, interactive: isatty(STDIN_FILENO) == 1).run()
            withExtendedLifetime(signals) {}
        }
        await Shutdown.leave(host: host)
    }

    /// Serves Redis's protocol with the store on the server's event loop:
    /// beside the UI, or headless (logging to standard error) until a signal.
    private func serve(
        engine: sending Engine, port: Int, wantsTUI: Bool, snapshotPath: String?, loaded: SnapshotReport?
    ) async throws -> Never {
        var settings = ServerSettings(port: port)
        settings.bindAddress = bind
        settings.password = requirepass
        settings.maxClients = maxclients
        // SHUTDOWN stops the UI or the headless wait as a signal does, saving as it asks.
        let stop = StopFlag()
        let requested = Mutex<ShutdownSave?>(nil)
        let wake = AsyncStream<Void>.makeStream()
        settings.onShutdown = { save in
            requested.withLock { $0 = save }
            stop.set()
            wake.continuation.yield()
        }
        let logger = Logger(label: "redi") { label in
            // The UI owns the terminal: nothing may write to it.
            wantsTUI ? SwiftLogNoOpLogHandler(label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        if !settings.isLoopback && settings.password == nil {
            logger.warning("listening on \(bind) with no password: anyone who can reach this address can read and change the data (set --requirepass)")
        }
        raiseOpenFileLimit(for: maxclients, logger: logger)
        // redis.log and a slow script's warning go to the server's log, as Redis's go to its log file.
        engine.log = { level, message in
            let levels: [Logger.Level] = [.debug, .info, .notice, .warning]
            logger.log(level: levels[min(max(level, 0), 3)], "\(message)")
        }
        let (host, loop) = RediServer.makeHost(engine: engine)
        await host.start()
        let server: RediServer
        do {
            server = try await RediServer.start(host: host, loop: loop, settings: settings, logger: logger)
        } catch {
            printError("redi: cannot listen on \(bind):\(port): \(error)")
            _ = await host.shutdown()
            throw ExitCode(1)
        }
        let link = ServerLink(
            address: server.address, clientCount: { await server.clientCount() },
            follow: { await server.followCommands($0) })
        if wantsTUI, try await runTerminalUI(host: host, snapshotPath: snapshotPath, loaded: loaded, server: link, stop: stop) {
            // The UI ran; the terminal is restored.
        } else {
            if let loaded { logger.info("\(loaded.keys) keys loaded from \(loaded.path)") }
            let signals = TerminatingSignals { _ in
                wake.continuation.yield()
            }
            for await _ in wake.stream { break }
            withExtendedLifetime(signals) {}
            logger.info(snapshotPath == nil ? "shutting down" : "shutting down: saving the snapshot if anything changed")
        }
        await server.close()
        let saving: Bool? = switch requested.withLock({ $0 }) {
        case .always: true
        case .never: false
        case .asConfigured, nil: nil
        }
        await Shutdown.leave(host: host, saving: saving)
    }

    /// The full-screen UI; a signal asks it to restore the terminal and leave.
    /// - Returns: `false` when the terminal cannot host it and `--tui` was not
    ///   given (the line prompt takes over); with `--tui` that is an error.
    private func runTerminalUI(
        host: StoreHost, snapshotPath: String?, loaded: SnapshotReport?, server: ServerLink? = nil, stop: StopFlag = StopFlag()
    ) async throws -> Bool {
        let signals = TerminatingSignals { _ in stop.set() }
        let outcome = await TerminalApp.run(
            source: host, snapshotPath: snapshotPath, loaded: loaded, server: server, delimiter: Bytes(delimiter),
            theme: chosenTheme, mouse: !noMouse, stopRequested: { stop.isSet })
        withExtendedLifetime(signals) {}
        if case .unavailable(let reason) = outcome {
            guard forceTUI else { return false }
            printError("redi: cannot open the terminal UI: \(reason); run redi --no-tui for the line prompt.")
            throw ExitCode(2)
        }
        return true
    }
}

/// As Redis does for maxclients: one descriptor a client, and some to spare
/// for the listener, snapshots and the terminal, where the hard limit allows.
func raiseOpenFileLimit(for clients: Int, logger: Logger) {
    #if canImport(Glibc)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    var limit = rlimit()
    guard getrlimit(resource, &limit) == 0 else { return }
    let wanted = rlim_t(clients + 32)
    guard limit.rlim_cur < wanted else { return }
    limit.rlim_cur = min(wanted, limit.rlim_max)
    if setrlimit(resource, &limit) != 0 || limit.rlim_cur < wanted {
        logger.warning("the open file limit allows about \(Int(limit.rlim_cur) - 32) clients, fewer than --maxclients \(clients)")
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

extension Theme: ExpressibleByArgument {}
