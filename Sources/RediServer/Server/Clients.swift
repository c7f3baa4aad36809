import StoreEngine

/// A connected client, as CLIENT LIST shows it; on the store's event loop.
/// Its name and database are its store session's (`session`).
final class Client {
    let id: Int
    /// The store's session its commands run in; its number is the client's ID.
    let session: SessionID
    let address: String
    let localAddress: String
    let connection: Connection
    let connectedAt: ContinuousClock.Instant
    var lastInteraction: ContinuousClock.Instant
    var lastCommand = Bytes()
    /// The last command's first argument when short: CLIENT LIST shows a
    /// container's subcommand (`client|list`).
    var lastArgument: Bytes?
    /// The protocol its replies are written in (HELLO).
    var version = ProtocolVersion.resp2
    /// Pub/sub subscriptions.
    var channels: Set<Bytes> = []
    var patterns: Set<Bytes> = []
    /// Whether it is in MONITOR mode.
    var monitoring = false
    /// Whether its handler is running its commands now: messages published
    /// to it meanwhile wait in `pushQueue`, to come before its reply.
    var isProcessing = false
    var pushQueue: [Reply] = []
    /// Whether a flush of messages written to it is already scheduled.
    var flushScheduled = false

    /// Commands whose first argument names a subcommand, as Redis's table has them.
    static let containers: Set<String> = ["client", "config", "command", "object", "memory", "pubsub", "function"]

    /// Remembers a command for CLIENT LIST, cheaply: it is looked up in
    /// the command table only when a list is asked for.
    func noteCommand(_ words: [Bytes]) {
        lastCommand = words[0]
        lastArgument = words.count > 1 && words[1].count <= 16 ? words[1] : nil
        lastInteraction = .now
    }

    init(session: SessionID, connection: Connection) {
        id = session.rawValue
        self.session = session
        self.connection = connection
        address = connection.address
        localAddress = connection.localAddress
        connectedAt = .now
        lastInteraction = connectedAt
    }

    /// Its line in CLIENT LIST, with Redis's fields (those redi has no
    /// counterpart for are 0 or empty, as Redis shows them when unused).
    func listLine(session: Session?) -> String {
        let name = session?.name ?? Bytes()
        let database = session?.database ?? 0
        // Redis's letters, in its order: monitor, pub/sub, MULTI, blocked, a watched key changed.
        var flags = monitoring ? "O" : ""
        if !channels.isEmpty || !patterns.isEmpty { flags += "P" }
        if session?.isInTransaction == true { flags += "x" }
        if session?.isBlocked == true { flags += "b" }
        if session?.watchedKeyChanged == true { flags += "d" }
        if flags.isEmpty { flags = "N" }
        let now = ContinuousClock.now
        let age = (now - connectedAt).components.seconds
        let idle = (now - lastInteraction).components.seconds
        // Only names from the command table: never raw client bytes.
        var command = CommandTable.spec(named: lastCommand)?.name.lowercased() ?? "NULL"
        if Self.containers.contains(command), let argument = lastArgument,
           argument.array.allSatisfy({ ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 || $0 == 45 }) {
            command += "|" + String(decoding: argument.asciiLowercased().array, as: UTF8.self)
        }
        return "id=\(id) addr=\(address) laddr=\(localAddress) fd=0 name=\(String(decoding: name.array, as: UTF8.self)) "
            + "age=\(age) idle=\(idle) flags=\(flags) db=\(database) "
            + "sub=\(channels.count) psub=\(patterns.count) ssub=0 multi=\(session?.queued?.count ?? -1) qbuf=0 qbuf-free=0 "
            + "argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\(command) user=default redir=-1 resp=\(version.rawValue)"
    }
}

/// The connected clients. Lives on the store's event loop, like the
/// connections that use it.
final class Clients {
    private(set) var all: [Int: Client] = [:]

    init() {}

    var count: Int { all.count }

    /// A client whose commands run in `session`.
    func connect(_ connection: Connection, session: SessionID) -> Client {
        let client = Client(session: session, connection: connection)
        all[client.id] = client
        return client
    }

    func disconnect(_ id: Int) {
        all[id] = nil
    }
}
