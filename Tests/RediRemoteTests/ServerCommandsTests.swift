@testable import RediRemote
import StoreEngine
import StoreEngineTestSupport
import Testing

/// `--read-only` over redis-server 7.0's own COMMAND table: what changes
/// data or the server is refused, what only reads goes through.
@Suite("Read-only by the server's COMMAND")
struct ServerCommandsTests {
    @Test func redisCommandsAreRefusedOrLetThroughAsTheyChangeOrRead() async throws {
        let port = try freePort()
        let redis = try RedisServer(directory: try makeTemporaryDirectory("commands"), port: port)
        let connection = try await RedisConnection.open(host: "127.0.0.1", port: port, timeout: .seconds(5))
        let table = ServerCommands(try await connection.send(["COMMAND"]))
        connection.close()
        withExtendedLifetime(redis) {}
        let refused: [[Bytes]] = [
            ["SET", "k", "v"], ["DEL", "k"], ["FLUSHALL"], ["FLUSHDB"], ["SWAPDB", "0", "1"], ["CONFIG", "SET", "maxmemory", "1"],
            ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "ID", "1"], ["CLIENT", "PAUSE", "1000"], ["SHUTDOWN"], ["SCRIPT", "FLUSH"],
            ["FUNCTION", "DELETE", "lib"], ["FUNCTION", "FLUSH"], ["EVAL", "return 1", "0"], ["FCALL", "f", "0"],
            ["PUBLISH", "c", "m"], ["ACL", "SETUSER", "u"], ["REPLICAOF", "NO", "ONE"], ["FAILOVER"], ["DEBUG", "SLEEP", "0"],
            ["BGSAVE"], ["SAVE"], ["BGREWRITEAOF"], ["MIGRATE", "h", "1", "k", "0", "1"], ["RESTORE", "k", "0", "x"],
            ["XGROUP", "DESTROY", "s", "g"], ["SLOWLOG", "RESET"], ["LATENCY", "RESET"], ["CONFIG", "RESETSTAT"], ["MODULE", "LOAD", "x"],
        ]
        let allowed: [[Bytes]] = [
            ["GET", "k"], ["SCAN", "0"], ["TYPE", "k"], ["INFO"], ["PING"], ["CONFIG", "GET", "*"], ["CLIENT", "LIST"], ["CLIENT", "INFO"],
            ["SCRIPT", "EXISTS", "abc"], ["SCRIPT", "KILL"], ["FUNCTION", "KILL"], ["FUNCTION", "LIST"], ["EVAL_RO", "return 1", "0"],
            ["FCALL_RO", "f", "0"], ["MEMORY", "USAGE", "k"], ["SLOWLOG", "GET"], ["LATENCY", "DOCTOR"], ["OBJECT", "ENCODING", "k"],
            ["COMMAND", "DOCS"], ["XINFO", "STREAM", "s"], ["DBSIZE"], ["PTTL", "k"], ["XRANGE", "s", "-", "+"],
        ]
        for command in refused { #expect(table.refuses(command), "\(command.map(\.description).joined(separator: " ")) is refused") }
        for command in allowed { #expect(!table.refuses(command), "\(command.map(\.description).joined(separator: " ")) goes through") }
    }
}
