import DequeModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StoreEngine
import Synchronization

/// What other threads tell the UI loop.
public enum Message: Sendable {
    /// Keys changed in the store (`StoreHost.watchKeys`).
    case changes([KeyChange])
    /// Snapshot events.
    case events([EngineEvent])
    /// The reply to a typed command, by its number (`Effect.execute`).
    case reply(Reply, command: Int)
    /// A page asked for by the detail view (`nil`: the key is gone).
    case detail(DetailRequest, DetailPage?)
    /// Changes since the last save, the append-only file's state and the
    /// store's counters (the dashboard's next sample).
    case vitals(StoreVitals)
    /// The keys of the database to show, read when it was chosen: all of
    /// them (`replacing`), or, from a remote server, the first part, then the rest.
    case loaded(database: Int, keys: [KeyInfo], replacing: Bool)
    /// A remote server's state.
    case remote(RemoteStatus)
    /// The commands a remote server has, for hints and completion.
    case commands(CommandCatalog)
    /// How many network clients are connected.
    case clients(Int)
    /// Whether the UI's session is in MULTI after its last command.
    case transaction(Bool)
    /// A command a client ran, as MONITOR shows it.
    case clientCommand(String)
}

/// The UI loop's mailbox: any thread posts, the loop takes what has come in
/// and works through it a frame's budget at a time (`AppState.receive`), so a
/// burst of writes delays the table a little, never the keyboard.
public final class Inbox: Sendable {
    private let posted = Mutex<[Message]>([])
    /// A pipe whose read end becomes readable when something is posted, so
    /// the loop, waiting for a key, wakes at once (`Terminal.readKey`).
    private let wake: (read: Int32, write: Int32)

    public init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        }
        wake = (ends[0], ends[1])
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// What the loop watches beside the keyboard: readable once a message
    /// was posted (`drainWakeUps` empties it).
    public var wakeUpDescriptor: Int32 { wake.read }

    public func post(_ message: Message) {
        let wasEmpty = posted.withLock { box in
            defer { box.append(message) }
            return box.isEmpty
        }
        // One byte per batch the loop has not taken yet (a full pipe is fine).
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(wake.write, &byte, 1)
        }
    }

    /// Empties the wake-up pipe.
    public func drainWakeUps() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &bytes, bytes.count) > 0 {}
    }

    /// Moves what has been posted to the end of `queue`.
    public func take(into queue: inout Deque<Message>) {
        let messages = posted.withLock { box in defer { box = [] }; return box }
        queue.append(contentsOf: messages)
    }
}

extension AppState {
    /// What a frame's `receive` did.
    public struct Received {
        /// Whether any message was applied (the screen changed).
        public var applied = false
        /// What the loop must do next (load a swapped database, fetch the
        /// detail view's changed value).
        public var effects: [Effect] = []
    }

    /// Applies messages from the front of `queue` in order until it is empty
    /// or `budget` has passed; `now` reads the clock (milliseconds).
    public mutating func receive(
        _ queue: inout Deque<Message>, budget: Duration, now: () -> Int64
    ) -> Received {
        let deadline = ContinuousClock.now + budget
        var received = Received()
        while let message = queue.popFirst() {
            switch message {
            case .changes(let changes):
                let effect = apply(changes, now: now())
                if effect != .none { received.effects.append(effect) }
            case .loaded(let database, let keys, true): show(database: database, keys: keys, now: now())
            case .loaded(let database, let keys, false):
                // The rest of a remote load: rows, not changes (no flashes).
                if database == self.database { table.apply(keys.map { .updated($0, database: database) }) }
            case .remote(let remote): status.remote = remote
            case .commands(let catalog): self.catalog = catalog
            case .events(let events): for event in events { apply(event, now: now()) }
            case .reply(let reply, let command): record(reply, of: command, now: now())
            case .detail(let request, let page):
                let effect = showDetail(page, for: request)
                if effect != .none { received.effects.append(effect) }
            case .vitals(let vitals):
                status.unsaved = vitals.unsaved
                status.appendOnly = vitals.appendOnly
                if let clients = vitals.clients { status.clients = clients }
                if let counters = vitals.counters { self.vitals.record(counters, clients: status.clients, at: now()) }
            case .clients(let count): status.clients = count
            case .transaction(let queueing): inTransaction = queueing
            case .clientCommand(let line): if following { appendLog(line, kind: .client, at: now()) }
            }
            received.applied = true
            if ContinuousClock.now >= deadline { break }
        }
        // One fetch of the detail view's page a frame, however often it changed.
        var fetched = Set<DetailRequest>()
        received.effects.removeAll { effect in
            guard case .fetchDetail(let request) = effect else { return false }
            return !fetched.insert(request).inserted
        }
        return received
    }
}
