import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// Pub/sub, keyspace notifications and MONITOR over TCP.
@Suite("Pub/sub and notifications")
struct PubSubTests {
    @Test func messagesReachChannelAndPatternSubscribers() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let subscriber = try RESPClient(port: port)
        let publisher = try RESPClient(port: port)
        #expect(try subscriber.send(["SUBSCRIBE", "news"]) == .array([.bulk("subscribe"), .bulk("news"), .integer(1)]))
        #expect(try subscriber.send(["PSUBSCRIBE", "n*"]) == .array([.bulk("psubscribe"), .bulk("n*"), .integer(2)]))
        #expect(try subscriber.send(["GET", "k"]) == .error(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
        #expect(try subscriber.send(["PING"]) == .array([.bulk("pong"), .bulk("")]))
        #expect(try publisher.send(["PUBSUB", "NUMSUB", "news", "other"]) == .array([.bulk("news"), .integer(1), .bulk("other"), .integer(0)]))
        #expect(try publisher.send(["PUBSUB", "CHANNELS"]) == .array([.bulk("news")]))
        #expect(try publisher.send(["PUBSUB", "NUMPAT"]) == .integer(1))
        #expect(try publisher.send(["PUBLISH", "news", "hello"]) == .integer(2))
        #expect(try subscriber.readReply() == .array([.bulk("message"), .bulk("news"), .bulk("hello")]))
        #expect(try subscriber.readReply() == .array([.bulk("pmessage"), .bulk("n*"), .bulk("news"), .bulk("hello")]))
        #expect(try subscriber.send(["UNSUBSCRIBE"]) == .array([.bulk("unsubscribe"), .bulk("news"), .integer(1)]))
        #expect(try subscriber.send(["PUNSUBSCRIBE"]) == .array([.bulk("punsubscribe"), .bulk("n*"), .integer(0)]))
        #expect(try subscriber.send(["GET", "k"]) == .null, "out of subscribe mode")
        #expect(try publisher.send(["PUBLISH", "news", "again"]) == .integer(0))
    }

    @Test func keyspaceNotificationsFollowTheConfiguredClasses() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        let listener = try RESPClient(port: port)
        #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", "KEA"]) == .status("OK"))
        #expect(try client.send(["CONFIG", "GET", "notify-keyspace-events"]) == .array([.bulk("notify-keyspace-events"), .bulk("AKE")]))
        #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", "Kw"]) == .error(
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."))
        _ = try listener.send(["PSUBSCRIBE", "__key*__:*"])
        #expect(try client.send(["SELECT", "2"]) == .status("OK"))
        #expect(try client.send(["SET", "k", "v"]) == .status("OK"))
        #expect(try listener.readReply() == .array([.bulk("pmessage"), .bulk("__key*__:*"), .bulk("__keyspace@2__:k"), .bulk("set")]))
        #expect(try listener.readReply() == .array([.bulk("pmessage"), .bulk("__key*__:*"), .bulk("__keyevent@2__:set"), .bulk("k")]))

        // Only expirations now: they arrive at the deadline, not at the next access.
        #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", "Ex"]) == .status("OK"))
        let set = ContinuousClock.now
        #expect(try client.send(["SET", "soon", "v", "PX", "150"]) == .status("OK"))
        #expect(try listener.readReply() == .array([.bulk("pmessage"), .bulk("__key*__:*"), .bulk("__keyevent@2__:expired"), .bulk("soon")]))
        let late = ContinuousClock.now - set - .milliseconds(150)
        #expect(late >= .zero && late < .milliseconds(100), "expired \(late) after the deadline")

        #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", ""]) == .status("OK"))
        #expect(try client.send(["SET", "quiet", "v"]) == .status("OK"))
        #expect(try listener.send(["PING"]) == .array([.bulk("pong"), .bulk("")]), "nothing was published before the PING's reply")
    }

    @Test func monitorShowsOtherClientsCommands() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let monitor = try RESPClient(port: port)
        let client = try RESPClient(port: port)
        #expect(try monitor.send(["MONITOR"]) == .status("OK"))
        #expect(try client.send(["SET", "a b", "line\nbreak"]) == .status("OK"))
        #expect(try client.send(["CONFIG", "GET", "maxclients"]) != .null, "administrative: not shown")
        #expect(try client.send(["GET", "a b"]) == .bulk("line\nbreak"))
        guard case .status(let first) = try monitor.readReply(), case .status(let second) = try monitor.readReply() else {
            Issue.record("MONITOR lines are status replies")
            return
        }
        #expect(first.wholeMatch(of: /\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "a b" "line\\nbreak"/) != nil, "\(first)")
        #expect(second.wholeMatch(of: /\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "GET" "a b"/) != nil, "\(second)")
    }

    @Test func clientNamesListsAndKills() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let first = try RESPClient(port: port)
        let second = try RESPClient(port: port)
        #expect(try first.send(["CLIENT", "GETNAME"]) == .null)
        #expect(try first.send(["CLIENT", "SETNAME", "worker one"]) == .error("ERR Client names cannot contain spaces, newlines or special characters."))
        #expect(try first.send(["CLIENT", "SETNAME", "worker-1"]) == .status("OK"))
        #expect(try first.send(["CLIENT", "GETNAME"]) == .bulk("worker-1"))
        guard case .integer(let secondID) = try second.send(["CLIENT", "ID"]) else { Issue.record("CLIENT ID"); return }
        guard case .bulk(let list) = try first.send(["CLIENT", "LIST"]) else { Issue.record("CLIENT LIST"); return }
        let lines = list.description.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.contains { $0.contains("name=worker-1 ") && $0.contains(" cmd=client|list ") })
        #expect(try first.send(["CLIENT", "KILL", "ID", Bytes(String(secondID))]) == .integer(1))
        #expect(second.isClosedByPeer)
        #expect(try first.send(["CLIENT", "KILL", "ID", "999"]) == .integer(0))
        #expect(try first.send(["CLIENT", "NOPE"]) == .error("ERR unknown subcommand 'NOPE'. Try CLIENT HELP."))
    }

    @Test func infoReportsTheKeyspaceClientsAndExpiries() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        _ = try client.send(["SET", "a", "1", "EX", "100"])
        _ = try client.send(["SET", "b", "2"])
        _ = try client.send(["SET", "gone", "3", "PX", "1"])
        try await Task.sleep(for: .milliseconds(50))
        guard case .bulk(let text) = try client.send(["INFO"]) else { Issue.record("INFO is a bulk string"); return }
        let info = text.description
        for expected in ["# Server\r\n", "redis_version:7.0.15\r\n", "# Clients\r\n", "connected_clients:1\r\n",
                         "# Persistence\r\n", "# Stats\r\n", "expired_keys:1\r\n", "# Keyspace\r\n", "db0:keys=2,expires=1,avg_ttl=0"] {
            #expect(info.contains(expected), "\(expected)")
        }
        guard case .bulk(let keyspace) = try client.send(["INFO", "keyspace"]) else { Issue.record("INFO keyspace"); return }
        #expect(keyspace.description == "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n")
    }

    @Test func configSetChangesTheServer() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let admin = try RESPClient(port: port)
        #expect(try admin.send(["CONFIG", "SET", "requirepass", "pw", "maxclients", "2"]) == .status("OK"))
        #expect(try admin.send(["CONFIG", "GET", "maxclients"]) == .array([.bulk("maxclients"), .bulk("2")]))
        let late = try RESPClient(port: port)
        #expect(try late.send(["GET", "x"]) == .error("NOAUTH Authentication required."))
        let third = try RESPClient(port: port)
        #expect(try third.readReply() == .error("ERR max number of clients reached"))
        #expect(try admin.send(["CONFIG", "SET", "nosuch", "1"]) == .error("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"))
    }
}
