import Logging
import NIOCore
import RediServer
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The server in this process, talked to over TCP as clients do.
@Suite("RESP server")
struct ServerTests {
    /// A running server on a free port.
    static func start(_ configure: (inout ServerSettings) -> Void = { _ in }) async throws -> (RediServer, Int) {
        var settings = ServerSettings(port: 0)
        configure(&settings)
        let (host, loop) = RediServer.makeHost(engine: Engine())
        await host.start()
        let server = try await RediServer.start(
            host: host, loop: loop, settings: settings, logger: Logger(label: "test") { SwiftLogNoOpLogHandler($0) })
        return (server, server.port)
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        // A thousand commands in one write, and an inline one among them.
        var batch: [UInt8] = []
        for index in 0..<1000 { batch += RESPClient.request(["SET", Bytes("k\(index)"), Bytes("v\(index)")]) }
        batch += Array("GET k999\r\n".utf8)
        for index in 0..<1000 { batch += RESPClient.request(["INCR", Bytes("k\(index)")]) }
        try client.sendRaw(batch)
        for _ in 0..<1000 { #expect(try client.readReply() == .status("OK")) }
        #expect(try client.readReply() == .bulk("v999"))
        for _ in 0..<1000 {
            #expect(try client.readReply() == .error("ERR value is not an integer or out of range"))
        }
        #expect(try client.send(["DBSIZE"]) == .integer(1000))
        #expect(try client.send(["EXIT"]) == .error("ERR unknown command 'EXIT', with args beginning with: "))
        #expect(try client.send(["QUIT"]) == .status("OK"))
        #expect(client.isClosedByPeer)
    }

    @Test func aPasswordIsRequiredFirst() async throws {
        let (server, port) = try await Self.start { $0.password = "s3cret" }
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        #expect(try client.send(["GET", "a"]) == .error("NOAUTH Authentication required."))
        #expect(try client.send(["AUTH", "wrong"]) == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(try client.send(["AUTH", "nobody", "s3cret"]) == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(try client.send(["AUTH", "s3cret"]) == .status("OK"))
        #expect(try client.send(["SET", "a", "1"]) == .status("OK"))

        let other = try RESPClient(port: port)
        // Before AUTH, Redis's tight request limits apply.
        try other.sendRaw(Array("*11\r\n".utf8))
        #expect(try other.readReply() == .error("ERR Protocol error: unauthenticated multibulk length"))
        #expect(other.isClosedByPeer)

        let third = try RESPClient(port: port)
        let hello = try third.send(["HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "tool"])
        guard case .array(let fields) = hello else { Issue.record("HELLO: \(hello)"); return }
        #expect(fields.prefix(4) == [.bulk("server"), .bulk("redis"), .bulk("version"), .bulk("7.0.15")])
        #expect(try third.send(["GET", "a"]) == .bulk("1"))
    }

    @Test func withoutAPasswordAuthSaysSo() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        #expect(try client.send(["AUTH", "x"]) == .error(
            "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
        #expect(try client.send(["HELLO", "4"]) == .error("NOPROTO unsupported protocol version"))
    }

    @Test func aClientSendingGarbageIsClosedAndOthersGoOn() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.close() } }
        let good = try RESPClient(port: port)
        #expect(try good.send(["SET", "kept", "yes"]) == .status("OK"))
        let bad = try RESPClient(port: port)
        try bad.sendRaw(Array("*1\r\n$-5\r\nPING\r\n".utf8))
        #expect(try bad.readReply() == .error("ERR Protocol error: invalid bulk length"))
        #expect(bad.isClosedByPeer, "closed after the error; the PING behind it is never run")
        let http = try RESPClient(port: port)
        try http.sendRaw(Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        #expect(http.isClosedByPeer, "an HTTP request is dropped without a reply")
        #expect(try good.send(["GET", "kept"]) == .bulk("yes"))
    }

    @Test func eachClientHasItsOwnDatabase() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.close() } }
        let first = try RESPClient(port: port)
        let second = try RESPClient(port: port)
        #expect(try first.send(["SELECT", "3"]) == .status("OK"))
        #expect(try first.send(["SET", "k", "three"]) == .status("OK"))
        #expect(try second.send(["SET", "k", "zero"]) == .status("OK"))
        // Pipelined: the SELECT inside a batch applies to what follows it.
        try second.sendRaw(RESPClient.request(["GET", "k"]) + RESPClient.request(["SELECT", "3"]) + RESPClient.request(["GET", "k"]))
        #expect(try second.readReply() == .bulk("zero"))
        #expect(try second.readReply() == .status("OK"))
        #expect(try second.readReply() == .bulk("three"))
        #expect(try first.send(["GET", "k"]) == .bulk("three"))
    }

    @Test func maxclientsRefusesTheNextClient() async throws {
        let (server, port) = try await Self.start { $0.maxClients = 2 }
        defer { Task { await server.close() } }
        let first = try RESPClient(port: port)
        let second = try RESPClient(port: port)
        #expect(try first.send(["PING"]) == .status("PONG"))
        #expect(try second.send(["PING"]) == .status("PONG"))
        let third = try RESPClient(port: port)
        #expect(try third.readReply() == .error("ERR max number of clients reached"))
        #expect(third.isClosedByPeer)
    }

    @Test func helloThreeSwitchesToRESP3() async throws {
        let (server, port) = try await Self.start()
        defer { Task { await server.close() } }
        let client = try RESPClient(port: port)
        try client.sendRaw(RESPClient.request(["HELLO", "3"]) + RESPClient.request(["GET", "missing"]))
        // The test client reads RESP2 only: check the bytes.
        var expected = Array("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n".utf8)
        expected += Array("$7\r\nversion\r\n$6\r\n7.0.15\r\n".utf8)
        let bytes = try client.readRaw(count: expected.count)
        #expect(bytes == expected)
    }
}
