import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// MIGRATE from redi's server into a real Redis: single keys and KEYS,
/// COPY, REPLACE, AUTH, TTLs, the errors; and `redis-cli --cluster import`
/// moving redi's keys into a Redis cluster the test starts.
@Suite("redi --port: MIGRATE into Redis and a Redis cluster", .serialized)
struct MigrateEndToEndTests {
    @Test func migrateMovesKeysIntoRedis() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let port = try freePort()
        let target = try RedisServer(directory: directory, port: port)
        let (source, redis) = (try RESPClient(port: redi.port), try RESPClient(socketPath: target.socket))
        #expect(try redis.send(["CONFIG", "SET", "requirepass", "secret"]) == .status("OK"))
        _ = try source.send(["SET", "plain", "v"])
        _ = try source.send(["SET", "volatile", "v", "PX", "100000"])
        _ = try source.send(["RPUSH", "list"] + (0..<2000).map { Bytes("element \($0)") })
        _ = try source.send(["HSET", "hash", "f", "v"])
        let migrate: (String, [Bytes]) throws -> Reply = { key, options in
            try source.send(["MIGRATE", "127.0.0.1", Bytes("\(port)"), Bytes(key), "0", "5000"] + options)
        }
        #expect(try migrate("plain", []) == .error("ERR Target instance replied with error: NOAUTH Authentication required."))
        #expect(try migrate("plain", ["AUTH", "secret"]) == .status("OK"))
        #expect(try source.send(["EXISTS", "plain"]) == .integer(0) && redis.send(["GET", "plain"]) == .bulk("v"))
        #expect(try migrate("", ["AUTH", "secret", "KEYS", "volatile", "list", "missing"]) == .status("OK"))
        #expect(try source.send(["EXISTS", "volatile", "list"]) == .integer(0))
        guard case .integer(let ttl) = try redis.send(["PTTL", "volatile"]) else { Issue.record("PTTL"); return }
        #expect(ttl > 90_000 && ttl <= 100_000, "the TTL goes with the key: \(ttl)")
        #expect(try redis.send(["LLEN", "list"]) == .integer(2000))
        #expect(try migrate("hash", ["COPY", "AUTH2", "default", "secret"]) == .status("OK"))
        #expect(try source.send(["EXISTS", "hash"]) == .integer(1), "COPY keeps it")
        #expect(try migrate("hash", ["AUTH", "secret"]) == .error("ERR Target instance replied with error: BUSYKEY Target key name already exists."))
        #expect(try source.send(["EXISTS", "hash"]) == .integer(1), "a key the target refused stays")
        #expect(try migrate("hash", ["AUTH", "secret", "REPLACE"]) == .status("OK"))
        #expect(try migrate("missing", []) == .status("NOKEY"))
        #expect(try migrate("x", ["KEYS", "a"]) == .error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"))
        #expect(try migrate("x", ["BOGUS"]) == .error("ERR syntax error"))
        _ = try source.send(["SET", "stays", "v"])
        let closed = try freePort()
        #expect(try source.send(["MIGRATE", "127.0.0.1", Bytes("\(closed)"), "stays", "0", "1000"])
            == .error("IOERR error or timeout connecting to the client"))
    }

    /// A target that trickles bytes and never ends its reply line holds the
    /// store no longer than MIGRATE's timeout; the key stays.
    @Test func aTargetThatNeverAnswersTimesOut() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let port = try freePort()
        let python = try tool("python3", from: "python3")
        let trickle = try ChildProcess(python, ["-c", """
            import socket, time
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", \(port)))
            server.listen()
            client, _ = server.accept()
            for _ in range(600):
                client.send(b"+")
                time.sleep(0.05)
            """], quiet: true)
        defer { _ = trickle.wait(killingAfter: .zero) }
        let source = try RESPClient(port: redi.port)
        _ = try source.send(["SET", "stays", "v"])
        var (reply, took) = (Reply.null, Duration.zero)
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(10) {
            let asked = ContinuousClock.now
            reply = try source.send(["MIGRATE", "127.0.0.1", Bytes("\(port)"), "stays", "0", "500"])
            took = ContinuousClock.now - asked
            // Until the fake target listens, the connection is refused.
            if reply != .error("IOERR error or timeout connecting to the client") { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(reply == .error("IOERR error or timeout reading to target instance"))
        #expect(took < .seconds(3), "bounded by the timeout (0.5 s), not by the target (30 s of bytes): \(took)")
        #expect(try source.send(["GET", "stays"]) == .bulk("v"))
    }

    /// A three-node Redis cluster, and redis-cli moving redi's keys into it.
    @Test func redisCliClusterImportMovesRedisDataIntoACluster() throws {
        let directory = try makeTemporaryDirectory()
        let cluster = try RedisCluster(directory: directory)
        let (nodes, ports) = (cluster.nodes, cluster.ports)
        let cli = try tool("redis-cli", from: "redis-tools")
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let source = try RESPClient(port: redi.port)
        _ = try source.send(["MSET"] + (0..<500).flatMap { [Bytes("key:\($0)"), Bytes("value \($0)")] })
        _ = try source.send(["RPUSH", "queue", "a", "b"])
        _ = try source.send(["ZADD", "board", "1", "alice"])
        let imported = try runProcess(cli, ["--cluster", "import", "127.0.0.1:\(ports[0])", "--cluster-from", "127.0.0.1:\(redi.port)", "--cluster-copy"])
        #expect(imported.status == 0, "\(imported.text)")
        let counts = try nodes.map { Int(try $0.cli("DBSIZE").text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
        #expect(counts.reduce(0, +) == 502 && counts.allSatisfy { $0 > 0 }, "spread over the nodes: \(counts)")
        let read = try runProcess(cli, ["-c", "-p", "\(ports[0])", "--raw", "LRANGE", "queue", "0", "-1"])
        #expect(read.text == "a\nb\n")
        let value = try runProcess(cli, ["-c", "-p", "\(ports[1])", "--raw", "GET", "key:123"])
        #expect(value.text == "value 123\n")
        #expect(try source.send(["DBSIZE"]) == .integer(502), "--cluster-copy leaves redi's keys")
    }
}
