import NIOCore
import StoreEngine

/// Channels and patterns and who listens to them, as Redis's `pubsub.c`.
/// Lives on the store's event loop.
final class PubSub {
    private(set) var channels: [Bytes: [Client]] = [:]
    private(set) var patterns: [Bytes: (glob: GlobPattern, clients: [Client])] = [:]
    /// A subscriber whose unsent messages pass this is disconnected, as
    /// Redis's `client-output-buffer-limit pubsub 32mb`.
    static let outputLimit = 32 * 1024 * 1024

    init() {}

    /// Subscribes; `false` if it already was.
    func subscribe(_ client: Client, to channel: Bytes) -> Bool {
        guard client.channels.insert(channel).inserted else { return false }
        channels[channel, default: []].append(client)
        return true
    }

    func unsubscribe(_ client: Client, from channel: Bytes) -> Bool {
        guard client.channels.remove(channel) != nil else { return false }
        channels[channel]?.removeAll { $0 === client }
        if channels[channel]?.isEmpty == true { channels[channel] = nil }
        return true
    }

    func subscribe(_ client: Client, toPattern pattern: Bytes) -> Bool {
        guard client.patterns.insert(pattern).inserted else { return false }
        patterns[pattern, default: (GlobPattern(pattern), [])].clients.append(client)
        return true
    }

    func unsubscribe(_ client: Client, fromPattern pattern: Bytes) -> Bool {
        guard client.patterns.remove(pattern) != nil else { return false }
        patterns[pattern]?.clients.removeAll { $0 === client }
        if patterns[pattern]?.clients.isEmpty == true { patterns[pattern] = nil }
        return true
    }

    /// Forgets a client that went away.
    func remove(_ client: Client) {
        for channel in client.channels { _ = unsubscribe(client, from: channel) }
        for pattern in client.patterns { _ = unsubscribe(client, fromPattern: pattern) }
    }

    /// Sends `message` to the channel's subscribers and the matching
    /// patterns' ones. Returns how many received it.
    @discardableResult
    func publish(_ message: Bytes, to channel: Bytes) -> Int {
        var receivers = 0
        for client in channels[channel] ?? [] {
            deliver(.push([.bulk("message"), .bulk(channel), .bulk(message)]), to: client)
            receivers += 1
        }
        for (pattern, entry) in patterns where entry.glob.matches(channel) {
            for client in entry.clients {
                deliver(.push([.bulk("pmessage"), .bulk(pattern), .bulk(channel), .bulk(message)]), to: client)
                receivers += 1
            }
        }
        return receivers
    }

    /// Queues a message for a subscriber. No socket I/O happens here (it
    /// may run inside another client's command): the message is written now
    /// and flushed once the current work is done; to a client whose own
    /// command is running, it goes before that command's reply.
    private func deliver(_ reply: Reply, to client: Client) {
        if client.isProcessing {
            client.pushQueue.append(reply)
            return
        }
        Self.send(reply, to: client)
    }

    /// Writes `reply` to `client` and schedules one flush for what is written meanwhile.
    static func send(_ reply: Reply, to client: Client) {
        let connection = client.connection
        guard connection.isActive else { return }
        if connection.pendingBytes > outputLimit {
            connection.close()
            return
        }
        var buffer = ClientHandler.allocator.buffer(capacity: 64)
        buffer.writeReply(reply, version: client.version)
        connection.write(buffer)
        guard !client.flushScheduled else { return }
        client.flushScheduled = true
        connection.loop.execute {
            client.flushScheduled = false
            connection.flush()
        }
    }
}
