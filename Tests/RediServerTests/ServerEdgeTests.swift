import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The server's corners: found in review, each checked against what Redis does.
@Suite("RESP server edge cases")
struct ServerEdgeTests {
    @Test func errorTextsQuotingClientInputStayOneLine() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        #expect(try client.send(["CLIENT", "x\r\n+OK"]) == .error("ERR unknown subcommand 'x  +OK'. Try CLIENT HELP."))
        #expect(try client.send(["PING"]) == .status("PONG"), "the next reply is still the PING's")
    }

    @Test func aLargeValueArrivingInPiecesIsNotCopiedOverAndOver() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        let value = Bytes([UInt8](repeating: 7, count: 32 << 20))
        let started = ContinuousClock.now
        #expect(try client.send(["SET", "big", value]) == .status("OK"))
        #expect(ContinuousClock.now - started < .seconds(5), "32 MB arrive in \(ContinuousClock.now - started)")
        #expect(try client.send(["STRLEN", "big"]) == .integer(32 << 20))
    }

    @Test func aLongReplyIsWrittenInPiecesAndArrivesWhole() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        let value = Bytes([UInt8](repeating: 9, count: 100_000))
        #expect(try client.send(["SET", "v", value]) == .status("OK"))
        let reply = try client.send(["MGET"] + Array(repeating: "v", count: 100))
        #expect(reply == .array(Array(repeating: .bulk(value), count: 100)))
    }

    @Test func authenticationFollowsRequirepassAsItChanges() async throws {
        let (server, port) = try await ServerTests.start { $0.password = "pw" }
        defer { Task { await server.close() } }
        let admin = try RESPClient(port: port)
        let waiting = try RESPClient(port: port)
        #expect(try waiting.send(["NOSUCH"]) == .error("ERR unknown command 'NOSUCH', with args beginning with: "),
                "an unknown command is unknown before AUTH too")
        #expect(try waiting.send(["GET"]) == .error("ERR wrong number of arguments for 'get' command"))
        #expect(try waiting.send(["RESET"]) == .status("RESET"), "RESET needs no password")
        #expect(try waiting.send(["AUTH", "a", "b", "c"]) == .syntaxError)
        #expect(try admin.send(["AUTH", "pw"]) == .status("OK"))
        #expect(try admin.send(["CONFIG", "SET", "requirepass", ""]) == .status("OK"))
        #expect(try waiting.send(["SET", "k", "v"]) == .status("OK"), "no password any more")
    }

    @Test func rawPushesComeBeforeTheReplyOfTheCommandThatCausedThem() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        try client.sendRaw(RESPClient.request(["HELLO", "3"]) + RESPClient.request(["SUBSCRIBE", "ch"])
            + RESPClient.request(["PUBLISH", "ch", "hi"]))
        guard case .array(let hello) = try client.readReply() else { Issue.record("HELLO"); return }
        #expect(hello.first == .bulk("server"))
        #expect(try client.readReply() == .array([.bulk("subscribe"), .bulk("ch"), .integer(1)]))
        #expect(try client.readReply() == .array([.bulk("message"), .bulk("ch"), .bulk("hi")]))
        #expect(try client.readReply() == .integer(1))
    }

    /// A command a connection runs alone (here: while a client monitors)
    /// goes through the host as a batch does, so a deadline it sets reaches
    /// the expiry timer: the key leaves at its deadline, not at the next
    /// once-a-second tick.
    @Test func aKeySetWhileMonitoredLeavesOnTime() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let monitor = try RESPClient(port: port)
        #expect(try monitor.send(["MONITOR"]) == .status("OK"))
        let client = try RESPClient(port: port)
        for round in 0..<3 {
            #expect(try client.send(["SET", Bytes("soon\(round)"), "v", "PX", "50"]) == .status("OK"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try client.send(["DBSIZE"]) == .integer(0), "removed by active expiry (DBSIZE does not touch it), round \(round)")
        }
    }

    @Test func clientTypesMonitorLinesAndConfigRollback() async throws {
        let (server, port) = try await ServerTests.start()
        defer { Task { await server.close() } }
        let subscriber = try RESPClient(port: port)
        let admin = try RESPClient(port: port)
        _ = try subscriber.send(["SUBSCRIBE", "ch"])
        guard case .bulk(let normal) = try admin.send(["CLIENT", "LIST", "TYPE", "normal"]) else { Issue.record("LIST"); return }
        #expect(normal.description.split(separator: "\n").count == 1, "the subscriber is not a normal client")
        #expect(try admin.send(["CLIENT", "LIST", "TYPE", "bogus"]) == .error("ERR Unknown client type 'bogus'"))
        #expect(try admin.send(["CLIENT", "SETNAME"]) == .error("ERR wrong number of arguments for 'client|setname' command"))
        #expect(try admin.send(["CLIENT", "KILL", "TYPE", "pubsub"]) == .integer(1))
        #expect(subscriber.isClosedByPeer)
        guard case .bulk(let info) = try admin.send(["INFO", "cpu"]) else { Issue.record("INFO"); return }
        #expect(info.description.hasPrefix("# CPU\r\n"))

        #expect(try admin.send(["CONFIG", "SET", "maxclients", "5", "appendfsync", "sometimes"]).errorText?.contains("appendfsync") == true)
        #expect(try admin.send(["CONFIG", "GET", "maxclients"]) == .array([.bulk("maxclients"), .bulk("10000")]), "rolled back")
        #expect(try admin.send(["CONFIG", "SET", "maxclients", "5", "maxclients", "6"])
                == .error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"))
        #expect(try admin.send(["CONFIG", "SET", "maxclients", "5", "hz"]) == .syntaxError)

        let monitor = try RESPClient(port: port)
        #expect(try monitor.send(["MONITOR"]) == .status("OK"))
        #expect(try admin.send(["SELECT", "5"]) == .status("OK"))
        #expect(try admin.send(["GET"]) == .error("ERR wrong number of arguments for 'get' command"))
        #expect(try admin.send(["GET", "k"]) == .null)
        guard case .status(let select) = try monitor.readReply(), case .status(let get) = try monitor.readReply() else {
            Issue.record("MONITOR lines")
            return
        }
        #expect(select.contains("[5 127.0.0.1:") && select.hasSuffix("\"SELECT\" \"5\""), "after the command: \(select)")
        #expect(get.hasSuffix("\"GET\" \"k\""), "a command refused for its arity is not shown: \(get)")
    }
}

extension Reply {
    var errorText: String? {
        if case .error(let text) = self { return text }
        return nil
    }
}
