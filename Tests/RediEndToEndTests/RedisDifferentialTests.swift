import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// redi and redis-server 7.0 side by side, asked the same things over RESP:
/// errors of containers and settings, keyspace notifications, the command
/// table's metadata.
@Suite("redi against redis-server, reply by reply", .serialized)
struct RedisDifferentialTests {
    let directory: String
    let redi: ServerEndToEndTests.Server
    let redis: RedisServer

    init() throws {
        directory = try makeTemporaryDirectory()
        redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        redis = try RedisServer(directory: directory)
    }

    func both() throws -> (redi: RESPClient, redis: RESPClient) {
        (try RESPClient(port: redi.port), try RESPClient(socketPath: redis.socket))
    }

    static func words(_ line: String) -> [Bytes] {
        InlineCommand.split(Array(line.utf8)) ?? []
    }

    /// Sends each line of `session` to both servers and expects the same reply.
    static func expectSameReplies(_ session: String, _ ours: RESPClient, _ theirs: RESPClient) throws {
        for line in session.split(separator: "\n") {
            let command = words(String(line))
            #expect(try ours.send(command) == theirs.send(command), "\(line)")
        }
    }

    /// Wrong arity inside containers, units in memory settings, parse errors,
    /// FUNCTION FLUSH's option, OBJECT REFCOUNT of a copy, HELP texts.
    @Test func errorsAndEdgesMatch() throws {
        let (ours, theirs) = try both()
        let session = """
            OBJECT ENCODING
            OBJECT ENCODING a b
            OBJECT FOO
            OBJECT
            OBJECT HELP
            OBJECT FREQ
            CONFIG RESETSTAT x
            CONFIG GET
            CONFIG HELP x
            COMMAND COUNT x
            PUBSUB NUMPAT x
            MEMORY USAGE
            CLIENT ID x
            CLIENT GETNAME x
            CLIENT KILL
            FUNCTION FLUSH FOO
            FUNCTION FLUSH ASYNC
            FUNCTION STATS x
            CONFIG SET proto-max-bulk-len 512mb
            CONFIG GET proto-max-bulk-len
            CONFIG SET proto-max-bulk-len 1Mb
            CONFIG SET proto-max-bulk-len 1048576k
            CONFIG SET proto-max-bulk-len 3gb
            CONFIG SET proto-max-bulk-len 536870912b
            CONFIG GET proto-max-bulk-len
            CONFIG SET proto-max-bulk-len 1.5mb
            CONFIG SET proto-max-bulk-len -1
            CONFIG SET proto-max-bulk-len 100
            CONFIG SET proto-max-bulk-len abc
            CONFIG SET proto-max-bulk-len 10000000000gb
            CONFIG SET proto-max-bulk-len 100000000000000000000
            CONFIG SET maxclients abc
            CONFIG SET maxclients 10k
            CONFIG SET maxclients 0
            CONFIG SET maxclients 4294967296
            SET small 5
            COPY small copied
            OBJECT REFCOUNT small
            OBJECT REFCOUNT copied
            OBJECT ENCODING copied
            SET big 123456
            COPY big bigcopy
            OBJECT REFCOUNT bigcopy
            """
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// Every hash command, its errors and edges, reply by reply (packed
    /// hashes, whose order is defined; tables are compared sorted).
    @Test func hashRepliesMatch() throws {
        let (ours, theirs) = try both()
        let session = """
            HSET h name Alice age 30
            HSET h age 31 city Paris
            HSET h f
            HSET h f v g
            HMSET h a
            HMSET h a 1 b 2
            HMSET h a 1 b
            HGET h age
            HGET h nope
            HGET nokey f
            HMGET h name nope city
            HMGET nokey a b
            HGETALL h
            HKEYS h
            HVALS h
            HLEN h
            HLEN nokey
            HSTRLEN h name
            HSTRLEN h nope
            HEXISTS h age
            HEXISTS h nope
            HSETNX h name Bob
            HSETNX h zip 75000
            HDEL h a b nope
            HDEL nokey a
            HINCRBY h n 5
            HINCRBY h n -7
            HINCRBY h n x
            HINCRBY h n 9223372036854775807
            HINCRBY h name 1
            HINCRBYFLOAT h f 10.5
            HINCRBYFLOAT h f 0.1
            HINCRBYFLOAT h f 1e30
            HINCRBYFLOAT h name 1
            HINCRBYFLOAT h f inf
            HINCRBYFLOAT h f abc
            HINCRBYFLOAT h f -0
            HSCAN h 0
            HSCAN h 0 MATCH a*
            HSCAN h 0 COUNT 0
            HSCAN h abc
            HSCAN h 0 FOO bar
            HSCAN nokey 0
            HRANDFIELD nokey
            HRANDFIELD nokey 3
            HRANDFIELD h 0
            HRANDFIELD h 1 foo
            HRANDFIELD h -9223372036854775808
            HRANDFIELD h 9223372036854775807 WITHVALUES
            HRANDFIELD h abc
            OBJECT ENCODING h
            TYPE h
            SET s v
            HGET s f
            HSET s f v
            HGETALL s
            GET h
            APPEND h x
            LCS h s
            MGET s h
            RENAME h h2
            HGETALL h2
            COPY h2 h3
            HGETALL h3
            OBJECT REFCOUNT h3
            HDEL h2 name age city zip n f
            EXISTS h2
            HSET h4 "" ""
            HGETALL h4
            HSET bin "a\\x00b" "\\xff"
            HGET bin "a\\x00b"
            CONFIG SET hash-max-listpack-entries 2
            HSET small a 1 b 2
            OBJECT ENCODING small
            HSET small c 3
            OBJECT ENCODING small
            CONFIG SET hash-max-listpack-entries 512
            CONFIG SET hash-max-listpack-value 1k
            CONFIG GET hash-max-listpack-value
            CONFIG SET hash-max-listpack-value 64
            CONFIG SET hash-max-listpack-entries -1
            CONFIG SET hash-max-listpack-entries abc
            CONFIG GET hash-max-ziplist-entries
            """
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// Every set command, its errors and edges, reply by reply (intsets,
    /// whose order is defined, and small tables compared where Redis's
    /// order is its own: a single member or a count).
    @Test func setRepliesMatch() throws {
        let (ours, theirs) = try both()
        let session = """
            SADD nums 3 1 2 3
            SADD nums 10
            SMEMBERS nums
            SCARD nums
            SISMEMBER nums 2
            SISMEMBER nums 9
            SMISMEMBER nums 1 9 3
            SREM nums 9 10
            SMEMBERS nums
            OBJECT ENCODING nums
            SADD nums x
            OBJECT ENCODING nums
            SREM nums x
            OBJECT ENCODING nums
            SADD other 2 3
            SINTER nums other
            SUNION nums other
            SDIFF nums other
            SDIFF other nums
            SINTER nums nokey
            SUNION nokey nums
            SDIFF nokey nums
            SINTERCARD 2 nums other
            SINTERCARD 2 nums other LIMIT 1
            SINTERCARD 0 nums
            SINTERCARD 3 nums other
            SINTERCARD 2 nums other LIMIT -1
            SINTERCARD 2 nums other FOO 1
            SINTERCARD x nums
            SINTERSTORE dst nums other
            SMEMBERS dst
            SUNIONSTORE dst nums other
            SMEMBERS dst
            SDIFFSTORE dst nums other
            SMEMBERS dst
            SINTERSTORE dst nums nokey
            EXISTS dst
            SET str v
            SUNIONSTORE str nums
            TYPE str
            SADD str 1
            SMOVE nums other 1
            SMOVE nums other 9
            SMOVE nums nums 2
            SMOVE nokey other 1
            SMEMBERS other
            SMOVE nums str 2
            SET s v
            SMOVE nums s 2
            SPOP nokey
            SPOP nokey 3
            SPOP nums 0
            SPOP nums -1
            SPOP nums x
            SPOP nums 1 2
            SADD single only
            SPOP single
            EXISTS single
            SADD two 5 4
            SPOP two 5
            EXISTS two
            SRANDMEMBER nokey
            SRANDMEMBER nokey 5
            SRANDMEMBER nums 0
            SRANDMEMBER other 100
            SRANDMEMBER other -9223372036854775808
            SRANDMEMBER other x
            SRANDMEMBER other 1 2
            SSCAN other 0
            SSCAN other 0 MATCH 3*
            SSCAN other x
            SSCAN other 0 COUNT 0
            SSCAN nokey 0
            SADD nums 007
            OBJECT ENCODING nums
            SADD bin "a\\x00" "\\xff"
            SISMEMBER bin "a\\x00"
            SCARD bin
            HSET h f v
            SADD h x
            SMEMBERS h
            SINTER nums h
            SUNIONSTORE d h
            CONFIG SET set-max-intset-entries 2
            SADD capped 1 2
            OBJECT ENCODING capped
            SADD capped 3
            OBJECT ENCODING capped
            CONFIG SET set-max-intset-entries 512
            CONFIG GET set-max-intset-entries
            """
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// Every sorted set command with its options, errors and edges, in RESP2
    /// and in RESP3 (doubles, pairs, null arrays), packed and indexed.
    @Test(arguments: [2, 3])
    func sortedSetRepliesMatch(protocolVersion: Int) throws {
        let (ours, theirs) = try both()
        if protocolVersion == 3 {
            _ = try ours.send(["HELLO", "3"])
            _ = try theirs.send(["HELLO", "3"])
        }
        let session = """
            ZADD z 1 a 2 b 3 c
            ZADD z 1.5 d -inf e +inf f
            ZRANGE z 0 -1 WITHSCORES
            ZSCORE z d
            ZSCORE z e
            ZSCORE z nope
            ZMSCORE z a nope f
            ZMSCORE nokey a
            ZCARD z
            ZRANK z c
            ZREVRANK z c
            ZRANK z nope
            ZADD z NX XX 1 a
            ZADD z GT LT 1 a
            ZADD z GT NX 1 a
            ZADD z INCR 1 a 2 b
            ZADD z 1 a 2
            ZADD z
            ZADD z nan a
            ZADD z abc a
            ZADD z INCR 5 a
            ZADD z INCR XX 5 nope
            ZADD z INCR NX 5 a
            ZADD z CH 10 a 20 b 30 new
            ZADD z GT CH 5 a 100 b
            ZADD z LT CH 5 a 100 b
            ZADD z XX 1 nope
            ZADD nokey XX 1 a
            EXISTS nokey
            ZADD nokey XX INCR 1 a
            ZINCRBY z 2.5 a
            ZINCRBY z x a
            ZINCRBY z 1 newmember
            ZINCRBY z +inf f
            ZINCRBY z -inf f
            ZRANGE z 0 -1 WITHSCORES
            ZRANGE z 0 1
            ZRANGE z -2 -1
            ZRANGE z 5 1
            ZRANGE z 0 100
            ZRANGE z x 1
            ZRANGE z 0 -1 REV
            ZRANGE z 0 -1 REV WITHSCORES
            ZRANGE z (1 5 BYSCORE
            ZRANGE z 5 (1 BYSCORE REV
            ZRANGE z -inf +inf BYSCORE LIMIT 1 2
            ZRANGE z -inf +inf BYSCORE LIMIT -1 2
            ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
            ZRANGE z -inf +inf BYSCORE LIMIT 1 0
            ZRANGE z 0 -1 LIMIT 1 2
            ZRANGE z - + BYLEX WITHSCORES
            ZRANGE z 0 -1 BYSCORE BYLEX
            ZRANGE z 0 -1 REV REV
            ZRANGE z 0 -1 LIMIT 1
            ZRANGE z a b BYSCORE
            ZRANGE z a b BYLEX
            ZREVRANGE z 0 -1 WITHSCORES
            ZREVRANGE z 0 1 REV
            ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 3
            ZRANGEBYSCORE z (1 (3
            ZRANGEBYSCORE z 3 1
            ZREVRANGEBYSCORE z +inf -inf WITHSCORES
            ZREVRANGEBYSCORE z 3 1 LIMIT 1 1
            ZCOUNT z -inf +inf
            ZCOUNT z (1 3
            ZCOUNT z x 3
            ZCOUNT nokey 0 1
            DEL lex
            ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g
            ZRANGEBYLEX lex - +
            ZRANGEBYLEX lex [b (e
            ZRANGEBYLEX lex (b [e LIMIT 1 2
            ZREVRANGEBYLEX lex + -
            ZREVRANGEBYLEX lex [e (b
            ZRANGEBYLEX lex b e
            ZRANGEBYLEX lex + -
            ZRANGEBYLEX lex [z +
            ZLEXCOUNT lex - +
            ZLEXCOUNT lex [c +
            ZLEXCOUNT lex c +
            ZREMRANGEBYLEX lex [b [c
            ZRANGE lex 0 -1
            ZREMRANGEBYRANK lex 0 0
            ZREMRANGEBYRANK lex -1 -1
            ZREMRANGEBYRANK lex 5 10
            ZREMRANGEBYRANK lex x 1
            ZRANGE lex 0 -1
            ZREMRANGEBYSCORE lex -inf +inf
            EXISTS lex
            ZREMRANGEBYSCORE lex x 1
            ZREM z a nope
            ZREM nokey a
            ZADD p 1 a 2 b 3 c 4 d
            ZPOPMIN p
            ZPOPMAX p
            ZPOPMIN p 0
            ZPOPMIN p -1
            ZPOPMIN p x
            ZPOPMIN p 1 2
            ZPOPMIN p 10
            EXISTS p
            ZPOPMIN nokey
            ZPOPMIN nokey 2
            ZADD m1 1 a 2 b
            ZADD m2 5 x
            ZMPOP 2 nokey m1 MIN
            ZMPOP 2 nokey m1 MAX COUNT 5
            ZMPOP 2 nokey m1 MAX COUNT 5
            ZMPOP 1 nokey MIN
            ZMPOP 0 m2 MIN
            ZMPOP x m2 MIN
            ZMPOP 1 m2 FOO
            ZMPOP 1 m2
            ZMPOP 2 m2
            ZMPOP 1 m2 MIN COUNT 0
            ZMPOP 1 m2 MIN COUNT 1 COUNT 1
            ZMPOP 1 m2 MIN COUNT
            ZADD u1 1 a 2 b 3 c
            ZADD u2 4 b 5 c 6 d
            SADD s1 a d x
            ZUNION 2 u1 u2 WITHSCORES
            ZUNION 2 u1 u2 WEIGHTS 2 3 WITHSCORES
            ZUNION 2 u1 u2 AGGREGATE MIN WITHSCORES
            ZUNION 2 u1 u2 AGGREGATE MAX WITHSCORES
            ZUNION 3 u1 u2 s1 WITHSCORES
            ZINTER 2 u1 u2 WITHSCORES
            ZINTER 3 u1 u2 s1 WITHSCORES
            ZINTER 2 u1 s1 WITHSCORES
            ZDIFF 2 u1 u2 WITHSCORES
            ZDIFF 2 u2 u1
            ZDIFF 2 u1 u2 WEIGHTS 1 2
            ZUNION 0 u1
            ZUNION 3 u1 u2
            ZUNION x u1
            ZUNION 2 u1 u2 WEIGHTS 1
            ZUNION 2 u1 u2 WEIGHTS 1 x
            ZUNION 2 u1 u2 AGGREGATE FOO
            ZUNIONSTORE dst 2 u1 u2
            ZRANGE dst 0 -1 WITHSCORES
            ZUNIONSTORE dst 2 u1 u2 WITHSCORES
            ZINTERSTORE dst 2 u1 u2 WEIGHTS 1 -1
            ZRANGE dst 0 -1 WITHSCORES
            ZDIFFSTORE dst 2 u1 u2
            ZRANGE dst 0 -1 WITHSCORES
            ZINTERSTORE dst 2 u1 nokey
            EXISTS dst
            ZINTERCARD 2 u1 u2
            ZINTERCARD 2 u1 u2 LIMIT 1
            ZINTERCARD 2 u1 u2 LIMIT -1
            ZINTERCARD 0 u1
            ZINTERCARD 2 u1 u2 WITHSCORES
            ZUNIONSTORE dst 0 u1
            SET str v
            ZUNION 2 u1 str
            ZADD str 1 a
            ZRANGE str 0 -1
            ZSCORE str a
            ZRANGESTORE dst2 u1 0 -1
            ZRANGE dst2 0 -1 WITHSCORES
            ZRANGESTORE dst2 u1 (1 +inf BYSCORE LIMIT 0 1
            ZRANGE dst2 0 -1 WITHSCORES
            ZRANGESTORE dst2 u1 0 -1 WITHSCORES
            ZRANGESTORE dst2 nokey 0 -1
            EXISTS dst2
            OBJECT ENCODING u1
            CONFIG SET zset-max-listpack-entries 2
            ZADD big 1 a 2 b
            OBJECT ENCODING big
            ZADD big 3 c
            OBJECT ENCODING big
            ZUNIONSTORE small 1 u1
            OBJECT ENCODING small
            CONFIG SET zset-max-listpack-entries 128
            CONFIG GET zset-max-listpack-entries
            ZADD longm 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            OBJECT ENCODING longm
            TYPE longm
            ZRANDMEMBER nokey
            ZRANDMEMBER nokey 3
            ZRANDMEMBER u1 0
            ZRANDMEMBER u1 9223372036854775807 WITHSCORES
            ZRANDMEMBER u1 1 FOO
            ZRANDMEMBER u1 x
            ZSCAN u1 0
            ZSCAN u1 0 MATCH a*
            ZSCAN nokey 0
            ZADD fl 0.1 a 1e20 b -0 c 3.0 d 1.7976931348623157e308 e
            ZRANGE fl 0 -1 WITHSCORES
            ZSCORE fl c
            ZSCAN fl 0
            ZADD fl 1 " a"
            ZADD fl " 1" a
            ZADD fl 0x10 hex
            ZSCORE fl hex
            ZRANGEBYSCORE fl " 1" +inf
            ZRANGEBYSCORE fl "" +inf
            ZRANGEBYSCORE fl ( +inf
            ZRANGEBYSCORE fl nan +inf
            ZINCRBY fl 1e309 a
            ZADD bin 1 "a\\x00b" 2 "\\xff"
            ZRANGE bin 0 -1
            ZSCORE bin "a\\x00b"
            HSET h f v
            ZADD h 1 a
            ZCARD h
            ZRANGE h 0 -1
            ZUNIONSTORE h 1 u1
            TYPE h
            ZSCORE bin "\\xff"
            ZADD neg 0 a
            ZADD neg -0 b
            ZRANGE neg 0 -1 WITHSCORES
            ZADD skl 1 a
            CONFIG SET zset-max-listpack-entries 0
            ZADD skl2 -0 a
            ZSCORE skl2 a
            ZADD skl2 1 x 2 y 3 z 4 w
            ZRANGE skl2 0 -1 WITHSCORES
            ZRANGEBYSCORE skl2 (1 3 WITHSCORES
            ZREVRANGEBYSCORE skl2 3 (1 WITHSCORES LIMIT 0 1
            ZRANK skl2 y
            ZREVRANK skl2 y
            ZPOPMAX skl2 2
            ZRANGE skl2 0 -1 WITHSCORES
            ZREMRANGEBYRANK skl2 0 0
            ZRANGE skl2 0 -1 WITHSCORES
            OBJECT ENCODING skl2
            ZUNIONSTORE skl3 1 skl2
            OBJECT ENCODING skl3
            CONFIG SET zset-max-listpack-entries 128
            ZUNIONSTORE skl3 1 skl2
            OBJECT ENCODING skl3
            ZRANGESTORE skl4 skl2 0 -1
            OBJECT ENCODING skl4
            """
        try Self.expectSameReplies(session, ours, theirs)
        guard case .array(let random) = try ours.send(["ZRANDMEMBER", "u1", "-5", "WITHSCORES"]) else { Issue.record("ZRANDMEMBER"); return }
        #expect(random.count == (protocolVersion == 3 ? 5 : 10), "five pairs, repeats allowed")
    }

    /// INFO has Redis 7.0's default sections in its order, every field
    /// under a name Redis uses, and the figures monitoring tools read.
    @Test func infoSectionsAndFieldsAreRedis() throws {
        let (ours, theirs) = try both()
        _ = try ours.send(["HGET", "nohash-but", "string"])
        _ = try ours.send(["SET", "s", "v"])
        _ = try ours.send(["HGET", "s", "f"])
        _ = try ours.send(["NOSUCH"])
        func parse(_ reply: Reply) -> (sections: [String], fields: [String: String]) {
            guard case .bulk(let text) = reply else { return ([], [:]) }
            var sections: [String] = [], fields: [String: String] = [:]
            for line in text.description.split(separator: "\r\n") {
                if line.hasPrefix("# ") { sections.append(String(line.dropFirst(2))) } else if let colon = line.firstIndex(of: ":") {
                    fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
                }
            }
            return (sections, fields)
        }
        let mine = parse(try ours.send(["INFO"])), redis = parse(try theirs.send(["INFO"]))
        #expect(mine.sections == redis.sections)
        let foreign = Set(mine.fields.keys).subtracting(redis.fields.keys).filter { !$0.hasPrefix("db") && !$0.hasPrefix("errorstat_") }
        #expect(foreign == ["redi_version"], "every other field is one of Redis's")
        #expect(mine.fields["cluster_enabled"] == "0")
        #expect(mine.fields["errorstat_WRONGTYPE"] == "count=1" && mine.fields["errorstat_ERR"] == "count=1")
        #expect(mine.fields["total_error_replies"] == "2")
        #expect(mine.fields["run_id"]?.count == 40 && mine.fields["run_id"] != redis.fields["run_id"])
        #expect(Int(mine.fields["total_net_input_bytes"] ?? "") ?? 0 > 0)
        #expect(Int(mine.fields["total_net_output_bytes"] ?? "") ?? 0 > 0)
        #expect(mine.fields["rdb_last_bgsave_status"] == "ok" && mine.fields["mem_fragmentation_ratio"] != nil)
        #expect(Int(mine.fields["used_memory_peak"] ?? "") ?? 0 >= Int(mine.fields["used_memory"] ?? "") ?? 0)
        #expect(mine.fields["instantaneous_ops_per_sec"] != nil)
    }

    /// `keymiss` for every read of a missing key that Redis reports, and
    /// none for the rest.
    @Test func keymissNotificationsMatch() throws {
        let commands = """
            GET m
            MGET m m2
            GETRANGE m 0 1
            SUBSTR m 0 1
            STRLEN m
            GETBIT m 1
            BITCOUNT m
            BITCOUNT m 0 1
            LCS m m2
            GETEX m PERSIST
            TTL m
            PTTL m
            EXPIRETIME m
            PEXPIRETIME m
            TYPE m
            COPY m m2
            EXISTS m m2
            TOUCH m
            GETDEL m
            GETSET m v
            SET m3 v GET
            DEL m m3
            OBJECT ENCODING m
            MEMORY USAGE m
            RENAME m x
            MOVE m 1
            APPEND q v
            INCR q2
            SETRANGE q3 0 a
            SETBIT q4 1 1
            EXPIRE m 10
            PERSIST m
            SETNX q5 1
            MSETNX q6 1
            INCRBYFLOAT q7 1
            SCAN 0
            KEYS *
            RANDOMKEY
            FLUSHALL
            PING
            """
        var seen: [[String]] = []
        for port in [redi.port, nil] {
            let client = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            let subscriber = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", "Em"]) == .status("OK"))
            _ = try subscriber.send(["SUBSCRIBE", "__keyevent@0__:keymiss"])
            for line in commands.split(separator: "\n") { _ = try client.send(Self.words(String(line))) }
            // The PUBLISH after the commands marks the end of their notifications.
            _ = try client.send(["PUBLISH", "__keyevent@0__:keymiss", "end"])
            var messages: [String] = []
            while true {
                guard case .array(let parts) = try subscriber.readReply(), case .bulk(let payload)? = parts.last else { continue }
                if payload == "end" { break }
                messages.append(payload.description)
            }
            seen.append(messages)
        }
        #expect(seen[0] == seen[1])
        #expect(seen[0].count >= 20, "\(seen[0])")
    }

    /// COMMAND INFO as Redis 7.0's table gives it: flags, ACL categories,
    /// tips, key specs, subcommands (Redis lists those in hash order, so
    /// both sides are sorted by name).
    @Test func commandInfoMatchesRedis() throws {
        let (ours, theirs) = try both()
        func sortedSubcommands(_ reply: Reply) -> Reply {
            guard case .array(let commands) = reply else { return reply }
            return .array(commands.map { command in
                guard case .array(var fields) = command, fields.count == 10, case .array(let subcommands) = fields[9] else { return command }
                fields[9] = .array(subcommands.map(sortedSubcommands).sorted { "\($0)" < "\($1)" })
                return .array(fields)
            })
        }
        var compared = 0
        for spec in CommandTable.all where spec.redisFlags != nil {
            let name = Bytes(spec.name.lowercased())
            let redisInfo = try theirs.send(["COMMAND", "INFO", name])
            var reply = try ours.send(["COMMAND", "INFO", name])
            if let subcommands = spec.subcommands, case .array(let all) = redisInfo, case .array(let fields)? = all.first,
               case .array(let redisSubcommands) = fields[9], redisSubcommands.count != subcommands.count {
                // A container redi has only some subcommands of: compare those.
                reply = .array([])
                guard case .array(let ourAll) = try ours.send(["COMMAND", "INFO", name]), case .array(let ourFields)? = ourAll.first,
                      case .array(let ourSubcommands) = ourFields[9] else { continue }
                for sub in ourSubcommands {
                    guard case .array(let subFields) = sub, case .bulk(let subName)? = subFields.first else { continue }
                    #expect(redisSubcommands.contains(sub), "\(subName)")
                }
                #expect(Array(ourFields[0..<9]) == Array(fields[0..<9]), "\(spec.name)")
                compared += 1
                continue
            }
            #expect(sortedSubcommands(reply) == sortedSubcommands(redisInfo), "\(spec.name)")
            compared += 1
        }
        #expect(compared >= 70)
    }

    /// MONITOR shows AUTH and HELLO's AUTH with their passwords redacted.
    @Test func monitorRedactsPasswords() throws {
        var lines: [[String]] = []
        for port in [redi.port, nil] {
            let client = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            let monitor = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            #expect(try monitor.send(["MONITOR"]) == .status("OK"))
            for command in [["AUTH", "secret"], ["AUTH", "user", "secret"], ["HELLO", "2", "SETNAME", "auth", "AUTH", "default", "secret"], ["PING"]] as [[Bytes]] {
                _ = try client.send(command)
            }
            var seen: [String] = []
            while seen.count < 4, case .status(let line) = try monitor.readReply() {
                // Drop the time and the address: `... [0 127.0.0.1:1234] "auth" ...`.
                seen.append(String(line.split(separator: "] ", maxSplits: 1).last ?? ""))
            }
            lines.append(seen)
        }
        #expect(lines[0] == lines[1])
        #expect(lines[0].first == "\"AUTH\" \"(redacted)\"")
    }
}
