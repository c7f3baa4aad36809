import StoreEngine

/// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB and
/// MONITOR, as Redis's `pubsub.c` answers them.
extension ClientHandler {
    /// The (un)subscribe commands answer once per channel.
    func pubsub(_ command: ServerCommand, _ words: [Bytes]) -> [Reply] {
        let pubsub = self.state.pubsub
        func count() -> Int64 { Int64(client.channels.count + client.patterns.count) }
        switch command {
        case .subscribe, .psubscribe:
            let pattern = command == .psubscribe
            guard words.count >= 2 else { return [Reply.wrongArity(pattern ? "psubscribe" : "subscribe")] }
            return words.dropFirst().map { name in
                _ = pattern ? pubsub.subscribe(client, toPattern: name) : pubsub.subscribe(client, to: name)
                return .push([.bulk(pattern ? "psubscribe" : "subscribe"), .bulk(name), .integer(count())])
            }
        case .unsubscribe, .punsubscribe:
            let pattern = command == .punsubscribe
            let kind: Bytes = pattern ? "punsubscribe" : "unsubscribe"
            var names = Array(words.dropFirst())
            if names.isEmpty {
                names = (pattern ? client.patterns : client.channels).sorted { $0.array.lexicographicallyPrecedes($1.array) }
                if names.isEmpty { return [.push([.bulk(kind), .null, .integer(count())])] }
            }
            return names.map { name in
                _ = pattern ? pubsub.unsubscribe(client, fromPattern: name) : pubsub.unsubscribe(client, from: name)
                return .push([.bulk(kind), .bulk(name), .integer(count())])
            }
        default:
            return []
        }
    }

    func monitor() -> Reply {
        if !client.monitoring {
            client.monitoring = true
            state.monitors.append(client)
        }
        return .status("OK")
    }
}

extension ServerState {
    func publish(_ words: [Bytes]) -> Reply {
        guard words.count == 3 else { return Reply.wrongArity("publish") }
        return .integer(Int64(pubsub.publish(words[2], to: words[1])))
    }

    /// PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT | HELP.
    func pubsubCommand(_ words: [Bytes]) -> Reply {
        guard words.count >= 2 else { return Reply.wrongArity("pubsub") }
        let sub = words[1]
        if sub.equalsIgnoringCase("CHANNELS"), words.count <= 3 {
            let glob = words.count == 3 ? GlobPattern(words[2]) : nil
            let names = pubsub.channels.keys.filter { glob?.matches($0) ?? true }
            return .array(names.sorted { $0.array.lexicographicallyPrecedes($1.array) }.map { .bulk($0) })
        }
        if sub.equalsIgnoringCase("NUMSUB") {
            return .array(words.dropFirst(2).flatMap { [Reply.bulk($0), .integer(Int64(pubsub.channels[$0]?.count ?? 0))] })
        }
        if sub.equalsIgnoringCase("NUMPAT"), words.count == 2 { return .integer(Int64(pubsub.patterns.count)) }
        if sub.equalsIgnoringCase("HELP"), words.count == 2 {
            return .lines([
                "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT", "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "HELP", "    Prints this help.",
            ])
        }
        return ServerState.unknownSubcommand(words, "PUBSUB")
    }
}
