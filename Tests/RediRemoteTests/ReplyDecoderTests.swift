import NIOCore
@testable import RediRemote
@testable import RediServer
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The client's decoder reads what the server's encoder writes, RESP2 and
/// RESP3, whole or cut at any byte.
@Suite("RESP reply decoder")
struct ReplyDecoderTests {
    /// A random reply of the kinds RESP3 carries, nested up to `depth`.
    static func randomReply(_ random: inout SeededGenerator, depth: Int = 3) -> Reply {
        func bytes() -> Bytes {
            let length = [0, 1, 5, 14, 15, 300].randomElement(using: &random)!
            return Bytes((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        func elements() -> [Reply] {
            (0..<Int.random(in: 0...4, using: &random)).map { _ in randomReply(&random, depth: depth - 1) }
        }
        let kinds = depth > 0 ? 12 : 8
        switch Int.random(in: 0..<kinds, using: &random) {
        case 0: return .status("OK \(Int.random(in: 0...99, using: &random))")
        case 1: return .error("ERR something \(Int.random(in: 0...99, using: &random))")
        case 2: return .integer(Int64.random(in: .min ... .max, using: &random))
        case 3: return .bulk(bytes())
        case 4: return .null
        case 5: return .double([1.5, -0.25, 3e100, .infinity, -.infinity, 0].randomElement(using: &random)!)
        case 6: return .boolean(Bool.random(using: &random))
        case 7: return .bigNumber("1234567890123456789012345678901234567890")
        case 8: return .array(elements())
        case 9: return .set(elements())
        case 10:
            var pairs = elements()
            if pairs.count % 2 == 1 { pairs.removeLast() }
            return .map(pairs)
        default: return .push(elements())
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func readsWhatTheServerWritesCutAnywhere(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        for _ in 0..<200 {
            let replies = (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.randomReply(&random) }
            var encoded = ByteBuffer()
            for reply in replies { encoded.writeReply(reply, version: .resp3) }
            // Fed in two parts cut at a random byte, as a socket may deliver them.
            let cut = Int.random(in: 0...encoded.readableBytes, using: &random)
            var buffer = encoded.getSlice(at: 0, length: cut)!
            var decoded: [Reply] = []
            while let reply = try ReplyDecoder.next(&buffer) { decoded.append(reply) }
            var rest = encoded.getSlice(at: cut, length: encoded.readableBytes - cut)!
            buffer.writeBuffer(&rest)
            while let reply = try ReplyDecoder.next(&buffer) { decoded.append(reply) }
            #expect(buffer.readableBytes == 0)
            #expect(decoded == replies)
        }
    }

    @Test func readsRESP2Forms() throws {
        var buffer = ByteBuffer(string: "$-1\r\n*-1\r\n*2\r\n$1\r\na\r\n:7\r\n=7\r\ntxt:hi!\r\n|1\r\n+key\r\n+value\r\n:5\r\n")
        #expect(try ReplyDecoder.next(&buffer) == .null)
        #expect(try ReplyDecoder.next(&buffer) == .nullArray)
        #expect(try ReplyDecoder.next(&buffer) == .array([.bulk("a"), .integer(7)]))
        #expect(try ReplyDecoder.next(&buffer) == .verbatim(format: "txt", text: "hi!"))
        #expect(try ReplyDecoder.next(&buffer) == .integer(5), "an attribute is skipped")
        #expect(try ReplyDecoder.next(&buffer) == nil)
    }

    @Test func anotherProtocolIsNamed() {
        var buffer = ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n")
        #expect(throws: ReplyDecoder.Malformed.self) { try ReplyDecoder.next(&buffer) }
        do {
            _ = try ReplyDecoder.next(&buffer)
        } catch {
            #expect(error.description.contains("HTTP/1.1 400 Bad Request"))
        }
        var badLength = ByteBuffer(string: "$x\r\n")
        #expect(throws: ReplyDecoder.Malformed.self) { try ReplyDecoder.next(&badLength) }
    }
}

@Suite("Redis URLs")
struct RedisURLTests {
    @Test func redisCLIForms() throws {
        let plain = try RedisURL(parsing: "redis://example.com")
        #expect(plain.host == "example.com" && plain.port == 6379 && plain.password == nil && plain.database == 0 && !plain.tls)
        let full = try RedisURL(parsing: "rediss://alice:p%40ss:word@10.0.0.1:6380/3")
        #expect(full.tls && full.user == "alice" && full.password == "p@ss:word" && full.host == "10.0.0.1" && full.port == 6380 && full.database == 3)
        let passwordOnly = try RedisURL(parsing: "redis://:secret@localhost:7000/")
        #expect(passwordOnly.user == nil && passwordOnly.password == "secret" && passwordOnly.port == 7000)
        let lone = try RedisURL(parsing: "redis://secret@localhost")
        #expect(lone.password == "secret" && lone.user == nil)
        let ipv6 = try RedisURL(parsing: "redis://[::1]:6390")
        #expect(ipv6.host == "::1" && ipv6.port == 6390 && ipv6.address == "[::1]:6390")
        let defaults = try RedisURL(parsing: "redis://")
        #expect(defaults.address == "127.0.0.1:6379")
    }

    @Test(arguments: ["localhost:6379", "http://x", "redis://host:0", "redis://host:99999", "redis://host:port", "redis://host/x", "redis://host/-1", "redis://[::1"])
    func badURLsAreRefusedWithAReason(_ text: String) {
        #expect(throws: RemoteError.self) { try RedisURL(parsing: text) }
    }

    /// Redis Cluster's slots, as CLUSTER KEYSLOT answers them on redis-server 7.0.
    @Test func hashSlotsAsRedisComputesThem() {
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("{foo}bar") == 12182, "the hash tag alone counts")
        #expect(HashSlot.of("{user1000}.following") == 3443)
        #expect(HashSlot.of("a{}b") == 13694, "an empty tag: the whole key")
        #expect(HashSlot.of("{}{x}") == 3257, "only the first { counts")
        #expect(HashSlot.of("") == 0)
    }

    @Test func notificationFlagsCoverTheTable() {
        func covers(_ flags: String) -> Bool {
            RemoteKeySource.notificationsCover(.array([.bulk("notify-keyspace-events"), .bulk(Bytes(flags))]))
        }
        #expect(covers("KA") && covers("AK") && covers("KEA") && covers("Kg$lshzxe"))
        #expect(!covers("") && !covers("EA") && !covers("Kg$") && !covers("Ex"))
    }

    @Test func readOnlyRefusesWritesByTheServersFlags() {
        func entry(_ name: String, _ flags: [String], categories: [String] = [], subcommands: [Reply] = []) -> Reply {
            .array([.bulk(Bytes(name)), .integer(-1), .set(flags.map { .status($0) }), .integer(0), .integer(0), .integer(0),
                    .set(categories.map { .status($0) }), .array([]), .array([]), .array(subcommands)])
        }
        let table = ServerCommands(.array([
            entry("get", ["readonly", "fast"]), entry("set", ["write", "denyoom"]), entry("eval", ["noscript", "movablekeys"], categories: ["@slow", "@scripting"]),
            entry("eval_ro", ["readonly", "noscript"], categories: ["@slow", "@scripting"]), entry("flushall", ["write"]),
            entry("publish", ["pubsub", "may_replicate"], categories: ["@pubsub"]),
            entry("script", [], subcommands: [entry("script|exists", ["noscript"], categories: ["@scripting"]),
                                              entry("script|flush", ["noscript"], categories: ["@scripting"])]),
            entry("config", [], subcommands: [entry("config|get", ["admin", "noscript"]), entry("config|set", ["admin", "noscript"])]),
        ]))
        #expect(!table.refuses(["GET", "k"]) && !table.refuses(["eval_ro", "return 1", "0"]) && !table.refuses(["CONFIG", "GET", "*"]))
        #expect(table.refuses(["set", "k", "v"]) && table.refuses(["EVAL", "return 1", "0"]) && table.refuses(["FLUSHALL"]))
        #expect(table.refuses(["config", "SET", "maxmemory", "1"]) && table.refuses(["PUBLISH", "c", "m"]))
        #expect(table.refuses(["SCRIPT", "FLUSH"]) && !table.refuses(["script", "exists", "abc"]))
    }
}
