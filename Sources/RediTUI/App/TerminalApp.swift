import DequeModule
import StoreEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The full-screen UI over a `KeySource` (the local store, or later a
/// remote server): one loop, on a thread of its own,
/// where key presses, the store's changes, command replies, ticks and
/// resizes are all messages that update one `AppState`; the screen is then
/// drawn from the state.
public enum TerminalApp {
    /// How the UI ended.
    public enum Outcome: Sendable, Equatable {
        /// The user quit (or a signal asked to): the terminal is restored.
        case quit
        /// The terminal cannot host the UI; nothing was written to it.
        case unavailable(String)
    }

    /// Time a frame spends on the store's changes before it draws; what is
    /// left waits for the next frame, which comes without waiting for a key.
    public static let frameBudget = Duration.milliseconds(5)

    /// What the loop asks of the task that talks to the store.
    enum Request: Sendable {
        /// Run a typed command in the UI's database.
        case command([Bytes], number: Int)
        /// Show another database, only the keys a glob matches if the source can ask for them so.
        case show(Int, matching: Bytes?)
        /// Start or stop following the clients' commands.
        case follow(Bool)
    }

    /// Runs the UI until the user quits or `stopRequested` turns true; the
    /// key tree splits keys at `delimiter`; colours for `theme`; the mouse
    /// reported unless `mouse` is false.
    public static func run(
        source: any KeySource, snapshotPath: String?, loaded: SnapshotReport?, server: ServerLink? = nil, delimiter: Bytes = ":",
        theme: Theme = .dark, mouse: Bool = true, stopRequested: @escaping @Sendable () -> Bool
    ) async -> Outcome {
        let inbox = Inbox()
        let session = await source.openSession()
        let keys = await source.watchKeys { inbox.post(.changes($0)) }
        let snapshots = await source.subscribe(.snapshots) { inbox.post(.events($0)) }
        if let commands = await source.commandArguments() {
            inbox.post(.commands(CommandCatalog(commands.map { (name: $0.key, arguments: $0.value) })))
        }
        let firstDatabase = await source.state(of: session).database
        await source.describeKeys(in: firstDatabase) { inbox.post(.loaded(database: firstDatabase, keys: $0, replacing: $1)) }
        // One task runs the typed commands in order, in the UI's session,
        // whose database SELECT (or [ and ] in the table) changes.
        let (requests, submit) = AsyncStream<Request>.makeStream()
        let runner = Task {
            var database = firstDatabase
            for await request in requests {
                switch request {
                case .command(let words, let number):
                    inbox.post(.reply(await source.execute(words, session: session), command: number))
                    let state = await source.state(of: session)
                    inbox.post(.transaction(state.isInTransaction))
                    guard state.database != database else { continue }
                    // SELECT: the table follows the bar's database.
                    database = state.database
                    await source.describeKeys(in: database) { [database] in inbox.post(.loaded(database: database, keys: $0, replacing: $1)) }
                case .show(let chosen, let pattern):
                    await source.setDatabase(chosen, of: session)
                    database = chosen
                    // Posted in order with the key changes, so none falls between.
                    await source.describeKeys(in: chosen, matching: pattern) { inbox.post(.loaded(database: chosen, keys: $0, replacing: $1)) }
                case .follow(let on):
                    await follow(on, server: server, inbox: inbox)
                }
            }
        }
        // The status line's count of unsaved changes, the append-only file (and the clients), read once a second.
        let unsaved = Task {
            while !Task.isCancelled {
                inbox.post(.vitals(await source.vitals()))
                if let remote = await source.remoteStatus() { inbox.post(.remote(remote)) }
                if let clientCount = server?.clientCount { inbox.post(.clients(await clientCount())) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            DetachedThread.start(name: "redi ui") {
                continuation.resume(returning: loop(
                    inbox: inbox, snapshotPath: snapshotPath, loaded: loaded, serverAddress: server?.address, delimiter: delimiter,
                    theme: theme, mouse: mouse,
                    submit: { submit.yield($0) },
                    fetch: { request, database in
                        Task {
                            let page = await source.detailPage(
                                of: request.key, in: database, from: request.offset, count: DetailView.pageRows, filter: request.filter)
                            inbox.post(.detail(request, page))
                        }
                    },
                    refresh: { keys, database in
                        Task { await source.refresh(keys, in: database) }
                    },
                    cancelWait: {
                        // Not through the runner: it is the one waiting.
                        Task { await source.unblock(session, error: false) }
                    },
                    stopRequested: stopRequested))
            }
        }
        unsaved.cancel()
        submit.finish()
        // A command still waiting (BLPOP...), or one queued behind it, would
        // keep the runner, and redi, from ending.
        await source.stopWaiting(session)
        await runner.value
        await source.unsubscribe(keys)
        await source.unsubscribe(snapshots)
        return outcome
    }

    /// Starts or stops posting the clients' commands to the inbox.
    private static func follow(_ on: Bool, server: ServerLink?, inbox: Inbox) async {
        guard let server else { return }
        if on {
            await server.follow { line in inbox.post(.clientCommand(line)) }
        } else {
            await server.follow(nil)
        }
    }

    private static func loop(
        inbox: Inbox, snapshotPath: String?, loaded: SnapshotReport?, serverAddress: String?, delimiter: Bytes, theme: Theme, mouse: Bool,
        submit: (Request) -> Void, fetch: (DetailRequest, Int) -> Void, refresh: ([Bytes], Int) -> Void, cancelWait: () -> Void,
        stopRequested: () -> Bool
    ) -> Outcome {
        let terminal: Terminal
        do {
            terminal = try Terminal(theme: theme, mouse: mouse)
        } catch {
            return .unavailable(error.description)
        }
        defer { terminal.close() }
        let clock = SystemClock()
        var state = AppState(status: StoreStatus(snapshotPath: snapshotPath))
        state.status.lastSave = clock.now() / 1000
        state.status.serverAddress = serverAddress
        state.delimiter = delimiter
        state.mouse = mouse
        let historyPath = CommandHistory.defaultPath
        if let historyPath { state.history = CommandHistory.load(from: historyPath) }
        if let loaded { state.apply(.snapshotLoaded(loaded), now: clock.now()) }
        state.appendLog("type a command below; F1 for help", kind: .event, at: clock.now())
        var lastFrame: Int64 = 0
        // When the next frame is due with nothing new (anything new sets
        // `dirty`): the wait for a key ends then.
        var nextFrame: Int64 = 0
        var lastRefresh: Int64 = 0
        var dirty = true
        var queue = Deque<Message>()
        while !stopRequested() {
            let now = clock.now()
            // Messages wake the wait at once; a quarter of a second at most, for a stop asked by a signal.
            let key = terminal.readKey(wait: queue.isEmpty, milliseconds: Int(min(max(nextFrame - now, 0), 250)), wakeUp: inbox.wakeUpDescriptor)
            if key == nil, terminal.isHungUp { return .quit }
            if let key {
                if key == .resize {
                    terminal.invalidate()
                } else {
                    /// Does what an update asks (a sequence: each in order); false to quit.
                    func perform(_ effect: Effect) -> Bool {
                        switch effect {
                        case .quit: return false
                        case .execute(let words, let number):
                            submit(.command(words, number: number))
                            if let historyPath { state.history.save(to: historyPath) }
                        case .fetchDetail(let request): fetch(request, state.database)
                        case .loadDatabase(let database): submit(.show(database, matching: state.serverMatch))
                        case .follow(let on): submit(.follow(on))
                        case .cancelWait: cancelWait()
                        case .sequence(let effects): return effects.allSatisfy(perform)
                        case .none: break
                        }
                        return true
                    }
                    if !perform(state.handle(key, now: now)) { return .quit }
                }
                dirty = true
            }
            inbox.drainWakeUps()
            inbox.take(into: &queue)
            let received = state.receive(&queue, budget: frameBudget, now: clock.now)
            if received.applied { dirty = true }
            for effect in received.effects {
                switch effect {
                case .loadDatabase(let database): submit(.show(database, matching: state.serverMatch))
                case .fetchDetail(let request): fetch(request, state.database)
                default: break
                }
            }
            let frameTime = clock.now()
            let size = terminal.size
            let rows = Layout(state, width: size.width, height: size.height).tableRows
            // A server that sends no notifications: the rows on screen are read again each second.
            if let remote = state.status.remote, !remote.live, remote.disconnectedReason == nil, frameTime - lastRefresh >= 1000 {
                lastRefresh = frameTime
                refresh(state.table.shownRows(from: state.offset, limit: rows).compactMap(\.key), state.database)
            }
            // Countdowns under ten seconds move every tenth of a second, the rest every second.
            if dirty || frameTime >= nextFrame {
                state.fit(width: size.width, height: size.height)
                let (buffer, cursor) = Screen.render(state, now: frameTime, width: size.width, height: size.height)
                terminal.draw(buffer, cursor: cursor)
                lastFrame = frameTime
                dirty = false
            }
            nextFrame = state.nextFrame(after: lastFrame, rows: rows)
        }
        return .quit
    }
}
