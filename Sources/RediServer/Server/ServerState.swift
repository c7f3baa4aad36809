import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the server knows beyond the store: its settings (some changed by
/// CONFIG SET), the connected clients and the counters INFO reports. Lives
/// on the store's event loop, like the connections that use it.
final class ServerState {
    var settings: ServerSettings
    /// The store, on this event loop: INFO and CONFIG read it.
    let host: StoreHost
    let loop: SocketLoop
    let clients = Clients()
    /// Each connection by the store session its commands run in, for the
    /// server's commands the store hands back (`ServerCommand.register`).
    var connections: [SessionID: ClientHandler] = [:]
    /// `total_connections_received` and `rejected_connections`.
    var totalConnections = 0
    var rejectedConnections = 0
    /// `total_net_input_bytes` and `total_net_output_bytes`.
    var netInputBytes = 0
    var netOutputBytes = 0
    /// Redis's `run_id` and `master_replid`: random, fixed for the process.
    let runID = ServerState.randomHex()
    let replicationID = ServerState.randomHex()
    /// The last 16 samples of (time, commands processed), one every 100
    /// ms, for `instantaneous_ops_per_sec` as Redis's `trackInstantaneousMetric`.
    var commandSamples: [(at: ContinuousClock.Instant, commands: Int)] = []
    let startedAt = ContinuousClock.now
    /// Where the server listens, once bound.
    var localAddress: SocketName?
    let pubsub = PubSub()
    /// Clients in MONITOR mode.
    var monitors: [Client] = []
    /// Someone beside the clients who follows every command, as MONITOR
    /// does (the terminal UI's log).
    var commandFeed: (@Sendable (String) -> Void)?
    /// `notify-keyspace-events`.
    private(set) var notifications: NotificationClasses = []
    /// The store's key events, while notifications are on; off, the store
    /// builds no events for them at all.
    private var notificationSubscription: SubscriptionToken?

    /// Connections whose replies wait for the append-only file's write of
    /// this turn of the loop, and whether that write is scheduled.
    private var heldFlushes: [Connection] = []
    private var heldConnections: Set<ObjectIdentifier> = []
    /// What held connections do once their replies leave (close, after QUIT).
    private var afterRelease: [ObjectIdentifier: () -> Void] = [:]
    private var releaseScheduled = false

    init(settings: ServerSettings, host: StoreHost, loop: SocketLoop) {
        self.settings = settings
        self.host = host
        self.loop = loop
    }

    /// Sets `notify-keyspace-events`, subscribing to the store's key events
    /// only while something can be published (and to key misses only while
    /// `m` asks for them).
    func setNotifications(_ classes: NotificationClasses) {
        notifications = classes
        if let token = notificationSubscription {
            host.onLoop(loop) { $0.unsubscribe(token) }
            notificationSubscription = nil
        }
        guard classes.publishesAnything else { return }
        let interest: EventInterest = classes.contains(.keyMiss) ? [.keys, .keyMisses] : .keys
        let state = LoopBound(self, loop: loop)
        notificationSubscription = host.onLoop(loop) { host in
            // The store runs on this event loop: its events arrive here.
            host.subscribe(interest) { events in
                let state = state.value
                state.pubsub.notify(events, classes: state.notifications)
            }
        }
    }

    /// Whether anyone follows the commands.
    var isMonitored: Bool { !monitors.isEmpty || commandFeed != nil }

    /// Feeds a command to the monitors, as Redis's `replicationFeedMonitors`:
    /// `+<seconds>.<micro> [<db> <address>] "name" "arg" ...`.
    func feedMonitors(_ words: [Bytes], from client: Client, database: Int) {
        var now = timeval()
        gettimeofday(&now, nil)
        let micro = String(now.tv_usec)
        var line = "\(now.tv_sec).\(String(repeating: "0", count: 6 - micro.count))\(micro) [\(database) \(client.address)]"
        for word in words { line += " \"" + word.escaped + "\"" }
        for monitor in monitors {
            if monitor.isProcessing {
                monitor.pushQueue.append(.status(line))
            } else {
                PubSub.send(.status(line), to: monitor)
            }
        }
        commandFeed?(line)
    }

    /// Runs `body` with the store's engine (this is its event loop).
    func engine<R: Sendable>(_ body: @Sendable (Engine) -> R) -> R {
        host.onLoop(loop) { $0.withEngine(body) }
    }

    /// Counts an error reply the server made itself (a protocol error):
    /// the engine counts those of commands.
    func countError(_ text: String) {
        engine { $0.countError(text) }
    }

    /// Records a sample of the commands processed so far.
    func sampleCommands(_ processed: Int) {
        commandSamples.append((ContinuousClock.now, processed))
        if commandSamples.count > 16 { commandSamples.removeFirst() }
    }

    /// Commands a second over the samples kept.
    var instantaneousOpsPerSecond: Int {
        guard let first = commandSamples.first, let last = commandSamples.last, last.at > first.at else { return 0 }
        let elapsed = last.at - first.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Int((Double(last.commands - first.commands) / seconds).rounded())
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<40).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
    }

    var uptimeSeconds: Int64 {
        (ContinuousClock.now - startedAt).components.seconds
    }

    // MARK: Replies after the append-only file

    /// Sends a connection's written replies, unless writes of this turn are
    /// not yet in the append-only file: then they leave once it is written
    /// (synced under `always`), in one write for every connection after the
    /// loop's reads, as Redis's `beforeSleep` does. While the disk refuses
    /// the write, the connections already waiting go on waiting (their
    /// writes are the ones refused) and the others are served.
    func flushReplies(_ connection: Connection) {
        let backlog = host.onLoop(loop) { $0.appendOnlyBacklog }
        let id = ObjectIdentifier(connection)
        if backlog == .holdsReplies || heldConnections.contains(id) {
            if heldConnections.insert(id).inserted { heldFlushes.append(connection) }
        } else {
            connection.flush()
        }
        if backlog != .none && !releaseScheduled {
            releaseScheduled = true
            loop.execute { [self] in releaseReplies() }
        }
    }

    /// Runs `body` (the close after QUIT) once the connection's replies may
    /// leave: at once, or after the file takes the writes they acknowledge.
    func afterReplies(of connection: Connection, _ body: @escaping () -> Void) {
        flushReplies(connection)
        if heldConnections.contains(ObjectIdentifier(connection)) {
            afterRelease[ObjectIdentifier(connection)] = body
        } else {
            body()
        }
    }

    /// After the loop's reads: the append-only file is written, then the
    /// held replies leave. While the disk refuses the write, or a write
    /// waits behind a slow fsync, it is tried again shortly.
    private func releaseReplies() {
        let backlog = host.onLoop(loop) { $0.flushAppendOnly() }
        if backlog == .none || backlog == .pendingBytes {
            let connections = heldFlushes
            let actions = afterRelease
            heldFlushes = []
            heldConnections = []
            afterRelease = [:]
            for connection in connections {
                connection.flush()
                actions[ObjectIdentifier(connection)]?()
            }
        }
        guard backlog != .none else {
            releaseScheduled = false
            return
        }
        loop.schedule(in: .milliseconds(backlog == .pendingBytes ? 5 : 100)) { [self] in releaseReplies() }
    }
}
