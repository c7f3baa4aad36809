import StoreEngine

/// AUTH, HELLO and CLIENT: the connection's own state.
extension ClientHandler {
    /// AUTH [username] password, as Redis with only the default user.
    func auth(_ words: [Bytes], _ call: ServerCall) -> Reply {
        guard words.count <= 3 else { return .syntaxError }
        return authenticate(user: words.count == 3 ? words[1] : nil, password: words[words.count - 1], call)
    }

    private func authenticate(user: Bytes?, password: Bytes, _ call: ServerCall) -> Reply {
        guard let required = state.settings.password else {
            if user == nil {
                return .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            // Without a password the default user takes any (Redis's `nopass`).
            guard user == "default" else { return .error("WRONGPASS invalid username-password pair or user is disabled.") }
            call.session.isAuthenticated = true
            return .status("OK")
        }
        guard user == nil || user == "default", password == Bytes(required) else {
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        call.session.isAuthenticated = true
        return .status("OK")
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]].
    func hello(_ words: [Bytes], _ call: ServerCall) -> Reply {
        var index = 1
        var requested = version
        if words.count > 1 {
            guard let number = words[1].int64Value else {
                return .error("ERR Protocol version is not an integer or out of range")
            }
            guard let chosen = ProtocolVersion(rawValue: Int(clamping: number)) else {
                return .error("NOPROTO unsupported protocol version")
            }
            requested = chosen
            index = 2
        }
        var name: Bytes?
        while index < words.count {
            let option = words[index]
            if option.equalsIgnoringCase("AUTH"), index + 2 < words.count {
                let reply = authenticate(user: words[index + 1], password: words[index + 2], call)
                if reply.isError { return reply }
                index += 3
            } else if option.equalsIgnoringCase("SETNAME"), index + 1 < words.count {
                name = words[index + 1]
                if let problem = ServerState.nameProblem(words[index + 1]) { return problem }
                index += 2
            } else {
                return .error("ERR Syntax error in HELLO option '\(option.description)'")
            }
        }
        guard state.settings.password == nil || call.session.isAuthenticated else {
            return .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let name { call.session.name = name }
        version = requested
        call.session.protocolVersion = requested.rawValue
        return .map([
            .bulk("server"), .bulk("redis"),
            .bulk("version"), .bulk(Bytes(compatibleRedisVersion)),
            .bulk("proto"), .integer(Int64(version.rawValue)),
            .bulk("id"), .integer(Int64(client.id)),
            .bulk("mode"), .bulk("standalone"),
            .bulk("role"), .bulk("master"),
            .bulk("modules"), .array([]),
        ])
    }

}

/// CLIENT: a connection's own state, and the other clients.
extension ServerState {
    /// Redis accepts names of printable characters without spaces.
    static func nameProblem(_ name: Bytes) -> Reply? {
        name.array.allSatisfy { $0 > 32 && $0 < 127 }
            ? nil
            : .error("ERR Client names cannot contain spaces, newlines or special characters.")
    }

    /// CLIENT ID | SETNAME | GETNAME | LIST | INFO | KILL | HELP.
    /// `connection` is the caller's, `nil` for a session without one (the UI's).
    func clientCommand(_ words: [Bytes], _ call: ServerCall, connection: ClientHandler?) -> Reply {
        guard words.count >= 2 else { return Reply.wrongArity("client") }
        let sub = words[1]
        // Known subcommands with the wrong number of arguments, as Redis 7 names them.
        let arity: [(String, ClosedRange<Int>)] = [("ID", 2...2), ("GETNAME", 2...2), ("SETNAME", 3...3), ("INFO", 2...2),
                                                   ("LIST", 2...Int.max), ("KILL", 3...Int.max), ("UNBLOCK", 3...4), ("HELP", 2...2)]
        if let (name, range) = arity.first(where: { sub.asciiLowercased() == Bytes($0.0.lowercased()) }), !range.contains(words.count) {
            return Reply.wrongArity("client|\(name.lowercased())")
        }
        let session = call.session
        if sub.equalsIgnoringCase("ID"), words.count == 2 { return .integer(Int64(session.id.rawValue)) }
        if sub.equalsIgnoringCase("GETNAME"), words.count == 2 { return session.name.isEmpty ? .null : .bulk(session.name) }
        if sub.equalsIgnoringCase("SETNAME"), words.count == 3 {
            if let problem = Self.nameProblem(words[2]) { return problem }
            session.name = words[2]
            return .status("OK")
        }
        if sub.equalsIgnoringCase("INFO"), words.count == 2 {
            guard let client = connection?.client else { return .error("ERR CLIENT INFO works on a connection") }
            return .bulk(Bytes(client.listLine(session: session) + "\n"))
        }
        if sub.equalsIgnoringCase("LIST") { return clientList(words, call) }
        if sub.equalsIgnoringCase("KILL") { return clientKill(words, connection: connection) }
        if sub.equalsIgnoringCase("UNBLOCK") { return clientUnblock(words, call) }
        if sub.equalsIgnoringCase("HELP"), words.count == 2 {
            return .lines([
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are: ID <client-id>, ADDR <ip:port>, LADDR <ip:port>,",
                "    USER <username>, SKIPME (YES|NO).",
                "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [...]]",
                "    Return information about client connections.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    Unblock the specified blocked client.",
                "HELP", "    Prints this help.",
            ])
        }
        return Self.unknownSubcommand(words, "CLIENT")
    }

    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: a blocked client answered now,
    /// with a null (as a timeout) or an error; 1 if it was blocked.
    func clientUnblock(_ words: [Bytes], _ call: ServerCall) -> Reply {
        var error = false
        if words.count == 4 {
            if words[3].equalsIgnoringCase("TIMEOUT") {
                error = false
            } else if words[3].equalsIgnoringCase("ERROR") {
                error = true
            } else {
                return .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
            }
        }
        guard let id = words[2].int64Value else { return .notInteger }
        return .integer(call.engine.unblock(SessionID(rawValue: Int(id)), error: error) ? 1 : 0)
    }

    /// A CLIENT LIST or KILL TYPE: which clients it names; `nil` for an unknown type.
    private static func clientFilter(ofType type: Bytes) -> ((Client) -> Bool)? {
        if type.equalsIgnoringCase("NORMAL") { return { $0.channels.isEmpty && $0.patterns.isEmpty } }
        if type.equalsIgnoringCase("PUBSUB") { return { !($0.channels.isEmpty && $0.patterns.isEmpty) } }
        if type.equalsIgnoringCase("MASTER") || type.equalsIgnoringCase("REPLICA") || type.equalsIgnoringCase("SLAVE") {
            return { _ in false }
        }
        return nil
    }

    /// CLIENT LIST [TYPE type | ID id ...], as Redis reads it: one filter or none.
    private func clientList(_ words: [Bytes], _ call: ServerCall) -> Reply {
        var chosen = clients.all.values.sorted { $0.id < $1.id }
        if words.count == 4 && words[2].equalsIgnoringCase("TYPE") {
            guard let matches = Self.clientFilter(ofType: words[3]) else {
                return .error("ERR Unknown client type '\(words[3].description)'")
            }
            chosen = chosen.filter(matches)
        } else if words.count > 3 && words[2].equalsIgnoringCase("ID") {
            var ids: [Int] = []
            for word in words[3...] {
                guard let id = word.int64Value else { return .error("ERR Invalid client ID") }
                ids.append(Int(id))
            }
            chosen = ids.compactMap { clients.all[$0] }
        } else if words.count != 2 {
            return .syntaxError
        }
        return .bulk(Bytes(chosen.map { client in
            return client.listLine(session: call.engine.session(client.session)) + "\n"
        }.joined()))
    }

    /// CLIENT KILL ip:port (the old form: OK or an error), or with filters
    /// (the number killed). The caller itself is skipped unless SKIPME no.
    private func clientKill(_ words: [Bytes], connection: ClientHandler?) -> Reply {
        if words.count == 3 {
            let address = words[2].description
            guard let target = clients.all.values.first(where: { $0.address == address }) else {
                return .error("ERR No such client")
            }
            disconnect(target, connection: connection)
            return .status("OK")
        }
        guard words.count >= 4, words.count % 2 == 0 else { return .syntaxError }
        var id: Int?, address: String?, localAddress: String?, user: String?
        var type: ((Client) -> Bool)?
        var skipMe = true
        for index in stride(from: 2, to: words.count, by: 2) {
            let option = words[index], value = words[index + 1]
            if option.equalsIgnoringCase("ID") {
                guard let number = value.int64Value, number > 0 else { return .error("ERR client-id should be greater than 0") }
                id = Int(number)
            } else if option.equalsIgnoringCase("ADDR") {
                address = value.description
            } else if option.equalsIgnoringCase("LADDR") {
                localAddress = value.description
            } else if option.equalsIgnoringCase("USER") {
                user = value.description
            } else if option.equalsIgnoringCase("SKIPME") {
                if value.equalsIgnoringCase("YES") { skipMe = true } else if value.equalsIgnoringCase("NO") { skipMe = false } else {
                    return .syntaxError
                }
            } else if option.equalsIgnoringCase("TYPE") {
                guard let matches = Self.clientFilter(ofType: value) else {
                    return .error("ERR Unknown client type '\(value.description)'")
                }
                type = matches
            } else {
                return .syntaxError
            }
        }
        if let user, user != "default" { return .error("ERR No such user '\(user)'") }
        let targets = clients.all.values.filter { candidate in
            (id == nil || candidate.id == id) && (address == nil || candidate.address == address)
                && (localAddress == nil || candidate.localAddress == localAddress) && (type?(candidate) ?? true)
                && !(skipMe && candidate === connection?.client)
        }
        for target in targets { disconnect(target, connection: connection) }
        return .integer(Int64(targets.count))
    }

    /// Closes a client's connection after this command's reply.
    private func disconnect(_ target: Client, connection: ClientHandler?) {
        if let connection, target === connection.client {
            connection.closing = true
        } else {
            target.connection.close()
        }
    }
}
