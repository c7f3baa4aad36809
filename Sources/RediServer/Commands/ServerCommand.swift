import StoreEngine

/// The commands a connection answers itself, about the connection or the
/// server, rather than handing them to the store.
enum ServerCommand: Sendable, Equatable {
    case auth, hello, quit, reset
    case client, info, config, command, function
    case subscribe, unsubscribe, psubscribe, punsubscribe, publish, pubsub, monitor
    /// EXIT and HELP belong to redi's own prompt, not to the protocol.
    case frontEndOnly
    /// Redis's cross-protocol guard: an HTTP request sent to the port.
    case http

    /// Found by name without hashing (`CommandNameTable`), once per command.
    static let table = CommandNameTable<ServerCommand>(
        [("auth", .auth), ("hello", .hello), ("quit", .quit), ("reset", .reset),
         ("client", .client), ("info", .info), ("config", .config), ("command", .command), ("function", .function),
         ("subscribe", .subscribe), ("unsubscribe", .unsubscribe), ("psubscribe", .psubscribe),
         ("punsubscribe", .punsubscribe), ("publish", .publish), ("pubsub", .pubsub), ("monitor", .monitor),
         ("post", .http), ("host:", .http)]
            + CommandTable.all.filter { $0.flags.contains("frontend") && $0.name != "QUIT" }.map { ($0.name, .frontEndOnly) })

    /// AUTH, HELLO (with its AUTH option) and QUIT need no password first.
    var worksBeforeAuth: Bool {
        self == .auth || self == .hello || self == .quit || self == .reset
    }
}

extension ClientHandler {
    /// Runs a server command; the connection's state may change.
    func run(_ command: ServerCommand, _ words: [Bytes]) -> Reply {
        switch command {
        case .auth: return auth(words)
        case .hello: return hello(words)
        case .quit:
            closing = true
            return .status("OK")
        case .reset:
            client.database = 0
            client.name = Bytes()
            version = .resp2
            state.pubsub.remove(client)
            stopMonitoring()
            authenticated = state.settings.password == nil
            return .status("RESET")
        case .client: return clientCommand(words)
        case .info: return info(words)
        case .config: return config(words)
        case .command: return commandCommand(words)
        case .function: return function(words)
        case .subscribe, .unsubscribe, .psubscribe, .punsubscribe: return .null
        case .publish: return publish(words)
        case .pubsub: return pubsubCommand(words)
        case .monitor: return monitor()
        case .frontEndOnly: return .error(Engine.unknownCommandMessage(words))
        case .http: return .null
        }
    }

    /// The error Redis gives for a subcommand it does not know.
    static func unknownSubcommand(_ words: [Bytes], _ command: String) -> Reply {
        let sub = words.count > 1 ? String(decoding: words[1].array.prefix(128), as: UTF8.self) : ""
        return .error("ERR unknown subcommand '\(sub)'. Try \(command) HELP.")
    }

}
