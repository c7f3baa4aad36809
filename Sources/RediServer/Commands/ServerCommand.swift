import StoreEngine

/// The commands the server implements, about connections or the server
/// rather than keys. They are registered into the store's command table
/// (`register`), so they run through the store's one processor (lookup,
/// arity, AUTH, subscribe mode) for every session: a connection's, and the
/// UI's beside the server (INFO, CONFIG, CLIENT LIST, PUBLISH...).
enum ServerCommand: String, Sendable, CaseIterable {
    case auth, hello, reset
    case client, info, config, command
    case subscribe, unsubscribe, psubscribe, punsubscribe, publish, pubsub, monitor
    case migrate, shutdown

    /// Puts every server command in the store's table. A command runs for
    /// a connection's session on its `ClientHandler`; for another session
    /// (the UI's) on the server's state, or it says it needs a connection.
    static func register(in host: StoreHost, state: LoopBound<ServerState>) {
        host.onLoop(state.loop) { host in
            host.withEngine { engine in
                engine.requiresPassword = state.value.settings.password != nil
                for command in allCases {
                    engine.register(command.rawValue) { engine, words in
                        let server = state.value
                        let call = ServerCall(engine: engine, session: engine.session)
                        if let connection = server.connections[call.session.id] {
                            return connection.run(command, words, call)
                        }
                        return server.runDetached(command, words, call)
                    }
                }
            }
        }
    }
}

/// The store and the session a server command runs in.
struct ServerCall {
    let engine: Engine
    let session: Session
}

extension ServerState {
    /// A server command for a session without a connection (the UI's).
    func runDetached(_ command: ServerCommand, _ words: [Bytes], _ call: ServerCall) -> Reply {
        switch command {
        case .info: return info(words)
        case .config: return config(words)
        case .command: return commandCommand(words)
        case .publish: return publish(words)
        case .pubsub: return pubsubCommand(words)
        case .client: return clientCommand(words, call, connection: nil)
        case .migrate: return migrate(words, call)
        case .shutdown: return shutdown(words, call)
        case .auth, .hello, .reset, .subscribe, .unsubscribe, .psubscribe, .punsubscribe, .monitor:
            let port = localAddress?.port ?? settings.port
            return .error("ERR \(command.rawValue.uppercased()) works on a connection: use redis-cli -p \(port)")
        }
    }

    /// The error Redis gives for a subcommand it does not know.
    static func unknownSubcommand(_ words: [Bytes], _ command: String) -> Reply {
        let sub = words.count > 1 ? String(decoding: words[1].array.prefix(128), as: UTF8.self) : ""
        return .error("ERR unknown subcommand '\(sub)'. Try \(command) HELP.")
    }
}

extension ClientHandler {
    /// Runs a server command for this connection; its state may change.
    func run(_ command: ServerCommand, _ words: [Bytes], _ call: ServerCall) -> Reply {
        switch command {
        case .auth: return auth(words, call)
        case .hello: return hello(words, call)
        case .reset:
            call.engine.discardTransaction(call.session)
            call.session.database = 0
            call.session.name = Bytes()
            call.session.protocolVersion = 2
            call.session.subscriptions = 0
            version = .resp2
            state.pubsub.remove(client)
            stopMonitoring()
            call.session.isAuthenticated = state.settings.password == nil
            return .status("RESET")
        case .client: return state.clientCommand(words, call, connection: self)
        case .subscribe, .unsubscribe, .psubscribe, .punsubscribe:
            // One answer per channel: all but the last go out before it.
            var replies = pubsub(command, words)
            call.session.subscriptions = client.channels.count + client.patterns.count
            guard let last = replies.popLast() else { return .null }
            client.pushQueue += replies
            return last
        case .monitor: return monitor()
        case .info, .config, .command, .publish, .pubsub, .migrate, .shutdown:
            return state.runDetached(command, words, call)
        }
    }
}
