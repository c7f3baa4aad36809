@testable import RediRemote
import StoreEngine
import StoreEngineTestSupport
import Testing

/// How a connection reports its end to whoever sends on it.
@Suite("Redis connection")
struct RedisConnectionTests {
    /// A command sent after the server reset the connection fails with the
    /// reset, the reason the connection ended, not with a bare "closed":
    /// the order a failed TLS handshake or a server's alert can take.
    @Test func aCommandAfterTheEndFailsWithItsReason() async throws {
        let listener = try LoopbackListener()
        let (closes, closed) = AsyncStream<Void>.makeStream()
        let connection = try await RedisConnection.open(
            host: "127.0.0.1", port: listener.port, timeout: .seconds(5), onClose: { closed.yield() })
        listener.acceptAndReset()
        var ends = closes.makeAsyncIterator()
        await ends.next()
        await #expect(throws: RemoteError.disconnected(connection.address, reason: "connection reset")) {
            try await connection.send(["PING"])
        }
    }

    /// A command waiting for its reply when the reset comes fails the same way.
    @Test func aCommandWaitingFailsWithTheReason() async throws {
        let listener = try LoopbackListener()
        let connection = try await RedisConnection.open(host: "127.0.0.1", port: listener.port, timeout: .seconds(5))
        let reply = Task { try await connection.send(["PING"]) }
        listener.acceptAndReset(afterReading: true)
        await #expect(throws: RemoteError.disconnected(connection.address, reason: "connection reset")) { try await reply.value }
    }
}
