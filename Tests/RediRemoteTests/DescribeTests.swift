@testable import RediRemote
import StoreEngine
import StoreEngineTestSupport
import Testing

/// How a notified key is described: the type its event names spares TYPE
/// and a round trip, and a wrong guess costs nothing but the long way.
@Suite("Describing remote keys", .serialized)
struct DescribeTests {
    /// Each Redis command's keyspace event names the type `type(after:)`
    /// says it does, on redis-server 7.0 itself.
    @Test func eachEventNamesTheTypeRedisGives() throws {
        let port = try freePort()
        let redis = try RedisServer(directory: try makeTemporaryDirectory("events"), port: port, settings: ["--notify-keyspace-events", "KA"])
        let subscriber = try RESPClient(port: port)
        _ = try subscriber.send(["PSUBSCRIBE", "__keyspace@0__:*"])
        let commands: [[String]] = [
            ["SET", "s", "1"], ["SETRANGE", "s", "0", "2"], ["INCRBY", "s", "3"], ["INCRBYFLOAT", "s", "0.5"], ["APPEND", "s", "x"],
            ["HSET", "h", "f", "v"], ["HINCRBY", "h", "n", "1"], ["HINCRBYFLOAT", "h", "n", "1.5"], ["HDEL", "h", "f"],
            ["RPUSH", "l", "a", "b", "c", "d"], ["LPUSH", "l", "z"], ["LINSERT", "l", "BEFORE", "a", "y"], ["LSET", "l", "0", "w"],
            ["LREM", "l", "1", "b"], ["LTRIM", "l", "0", "4"], ["LPOP", "l"], ["RPOP", "l"],
            ["SADD", "t", "a", "b", "c"], ["SREM", "t", "a"], ["SPOP", "t"], ["SINTERSTORE", "t2", "t", "t"],
            ["SUNIONSTORE", "t3", "t"], ["SDIFFSTORE", "t4", "t", "none"],
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZINCRBY", "z", "1", "a"], ["ZREM", "z", "a"],
            ["ZREMRANGEBYSCORE", "z", "2", "2"], ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZADD", "z", "0", "m", "0", "n"],
            ["ZADD", "zl", "0", "a", "0", "b", "0", "c"], ["ZREMRANGEBYLEX", "zl", "[a", "[a"], ["ZINTERSTORE", "z2", "1", "z"], ["ZUNIONSTORE", "z3", "1", "z"],
            ["ZDIFFSTORE", "z4", "1", "z"], ["ZRANGESTORE", "z5", "z", "0", "-1"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z"],
            ["XADD", "x", "*", "f", "v"], ["XADD", "x", "*", "f", "w"], ["XTRIM", "x", "MAXLEN", "1"], ["XSETID", "x", "9999999999999-0"],
            ["XADD", "x", "*", "g", "1"], ["XADD", "x", "9999999999999-5", "h", "2"], ["XDEL", "x", "9999999999999-5"],
        ]
        var verified: Set<String> = []
        for (index, command) in commands.enumerated() {
            #expect(try redis.cli(command).status == 0)
            // The events up to a sentinel's: a command may send several (SPOP's last member: spop, then del).
            #expect(try redis.cli("SET", "sentinel", "\(index)").status == 0)
            while true {
                guard case .array(let parts) = try subscriber.readReply(), parts.count == 4,
                      case .bulk(let channel) = parts[2], case .bulk(let event) = parts[3] else { continue }
                let key = String(decoding: channel.array.dropFirst("__keyspace@0__:".utf8.count), as: UTF8.self)
                if key == "sentinel" { break }
                let type = try redis.cli("TYPE", key).text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard type != "none", let named = RemoteKeySource.type(after: event.description) else { continue }
                #expect(named == type, "\(command.joined(separator: " ")) → \(event.description)")
                if named == type { verified.insert(event.description) }
            }
        }
        #expect(verified == Set(RemoteKeySource.eventTypes.keys), "not seen: \(Set(RemoteKeySource.eventTypes.keys).subtracting(verified))")
    }

    /// Keys described with their types known, some wrong, one gone, read
    /// the same as the long way (TYPE first).
    @Test func aKnownTypeRightOrWrongDescribesAsTheLongWay() async throws {
        let port = try freePort()
        let redis = try RedisServer(directory: try makeTemporaryDirectory("describe"), port: port, settings: ["--notify-keyspace-events", "KA"])
        for command in [
            ["SET", "s", "hello", "PX", "100000"], ["HSET", "h", "a", "1", "b", "2"], ["RPUSH", "l", "1", "2", "3"], ["SADD", "t", "x"],
            ["ZADD", "z", "1", "m"], ["XADD", "x", "*", "f", "v"], ["SET", "long", String(repeating: "é", count: 100)],
        ] { #expect(try redis.cli(command).status == 0) }
        let source = try await RemoteKeySource.connect(RemoteSettings(url: try RedisURL(parsing: "redis://127.0.0.1:\(port)")))
        let keys: [Bytes] = ["s", "h", "l", "t", "z", "x", "long", "gone"]
        let longWay = try await source.describe(keys)
        #expect(longWay.compactMap { $0?.typeName } == ["string", "hash", "list", "set", "zset", "stream", "string"])
        let right: [String?] = ["string", "hash", "list", "set", "zset", "stream", "string", "string"]
        let wrong: [String?] = ["hash", "string", "zset", nil, "list", "set", "stream", "hash"]
        #expect(try await source.describe(keys, types: right) == longWay)
        #expect(try await source.describe(keys, types: wrong) == longWay)
        await source.close()
    }
}
