import Foundation
@testable import RediRemote
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The dashboard's counters over a real redis-server: INFO's, as the local
/// engine counts them.
@Suite("Remote vitals", .serialized)
struct VitalsTests {
    @Test func theCountersAreINFOs() async throws {
        let port = try freePort()
        let redis = try RedisServer(directory: try makeTemporaryDirectory("vitals"), port: port)
        for command in [
            // Deadlines days away: the wall clock of a loaded machine may jump by minutes (CI saw all three expire).
            ["SET", "a", "1"], ["SET", "b", "2", "EX", "1000000"], ["HSET", "h", "f", "v"], ["SET", "c", "3", "PX", "1000000000"],
            ["SET", "gone", "x", "PX", "1"], ["-n", "3", "SET", "d", "4", "EX", "1000000"], ["-n", "3", "SET", "soon", "x", "PX", "1"],
        ] { #expect(try redis.cli(command).status == 0) }
        try await Task.sleep(for: .milliseconds(10))
        // Read after their deadline, the two short-lived keys expire (if the server's own cycle has not already).
        #expect(try redis.cli("GET", "gone").text == "\n" && redis.cli("-n", "3", "GET", "soon").text == "\n")
        let source = try await RemoteKeySource.connect(RemoteSettings(url: try RedisURL(parsing: "redis://127.0.0.1:\(port)")))
        let vitals = await source.vitals()
        let counters = try #require(vitals.counters)
        #expect(counters.keys == 5 && counters.volatileKeys == 3, "db 0: a, b, h, c; db 3: d")
        #expect(counters.expiredKeys == 2)
        #expect(counters.memory > 100_000 && counters.commandsProcessed >= 9)
        #expect(vitals.unsaved > 0)
        #expect(vitals.clients == 2, "the source's two connections (its reader and its session), redis-cli gone")
        let info = try redis.cli("INFO", "stats").text
        let processed = Int(RemoteKeySource.field("total_commands_processed", in: info) ?? "") ?? 0
        #expect(processed >= counters.commandsProcessed)
        await source.close()
    }

    @Test func keyspaceLinesAreSummed() {
        let info = "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\ndb12:keys=10,expires=10,avg_ttl=5\r\n# Other\r\ndbx:nothing\r\n"
        #expect(RemoteKeySource.keyspaceCounts(in: info) == (13, 11))
        #expect(RemoteKeySource.keyspaceCounts(in: "") == (0, 0))
    }
}
