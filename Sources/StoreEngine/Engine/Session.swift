/// Names a `Session` across threads: front ends hold the ID, the engine the session.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public var description: String { "\(rawValue)" }
}

/// One client of the engine (a connection, the prompt, the terminal UI),
/// as Redis's `client` struct: what a command may read or change about
/// who runs it. It lives in the engine, on its thread; front ends name it
/// by `id` (`StoreHost.openSession`).
public final class Session {
    public let id: SessionID
    /// The database its commands work on (SELECT).
    public var database = 0
    /// CLIENT SETNAME's name.
    public var name = Bytes()
    /// Whether AUTH succeeded, or no password was needed when it came.
    /// Checked only while the engine `requiresPassword`.
    public var isAuthenticated = true
    /// The protocol version it speaks (HELLO): 2 or 3.
    public var protocolVersion = 2
    /// Channels and patterns it is subscribed to: a RESP2 session with any
    /// may run only the pub/sub commands, PING, QUIT and RESET.
    public var subscriptions = 0
    /// The commands MULTI queued, in order; `nil` outside a transaction.
    public internal(set) var queued: [[Bytes]]?
    /// A command was refused while queueing: EXEC aborts (`CLIENT_DIRTY_EXEC`).
    var queueingFailed = false
    /// A watched key changed: EXEC fails (`CLIENT_DIRTY_CAS`).
    public internal(set) var watchedKeyChanged = false
    /// The keys WATCH named, each with whether it had expired already then.
    var watched: [DatabaseKey: Bool] = [:]

    /// What a blocking command waits for; `nil` when it does not wait.
    var blocked: BlockedState?
    /// Whether its front end can wait for a blocked command's reply (every
    /// session a `StoreHost` opens); else a blocking command answers at once,
    /// as if its time ran out.
    public var canBlock = false
    /// Called on the engine's thread with a blocked command's reply once it
    /// is served, times out or is unblocked. It must not run commands
    /// itself: it hands the reply on (another turn of the loop, a task).
    public var whenUnblocked: ((Reply) -> Void)?

    /// Whether its script was suspended for running long (its reply comes
    /// through `whenUnblocked` once it ends).
    public internal(set) var waitsForScript = false
    /// The session of scripts' commands (Redis's `CLIENT_SCRIPT`).
    var isScript = false

    /// Whether a blocking command or a long script waits: its reply comes through `whenUnblocked`.
    public var isBlocked: Bool { blocked != nil || waitsForScript }

    /// Whether MULTI began a transaction that EXEC or DISCARD has not ended.
    public var isInTransaction: Bool { queued != nil }

    init(id: SessionID) {
        self.id = id
    }
}

/// What a front end shows of its session beside the prompt: the database
/// (`[1]>> `) and whether MULTI is queueing (`(TX)>> `), as redis-cli does.
public struct SessionState: Sendable, Equatable {
    public var database: Int
    public var isInTransaction: Bool

    public init(database: Int = 0, isInTransaction: Bool = false) {
        self.database = database
        self.isInTransaction = isInTransaction
    }

    /// The prompt: `>> `, `[1]>> `, `(TX)>> `, `[1](TX)>> `.
    public var prompt: String {
        (database == 0 ? "" : "[\(database)]") + (isInTransaction ? "(TX)" : "") + ">> "
    }
}

extension Engine {
    /// A new session, in database 0.
    public func openSession() -> Session {
        lastSessionID += 1
        let session = Session(id: SessionID(rawValue: lastSessionID))
        sessions[session.id] = session
        return session
    }

    /// Forgets a session (its connection closed).
    public func closeSession(_ id: SessionID) {
        if let closing = sessions.removeValue(forKey: id) {
            discardTransaction(closing)
            forgetBlocked(closing)
        }
        if session.id == id { session = defaultSession }
    }

    /// The open session `id`, or `nil`.
    public func session(_ id: SessionID) -> Session? {
        id == defaultSession.id ? defaultSession : sessions[id]
    }
}
