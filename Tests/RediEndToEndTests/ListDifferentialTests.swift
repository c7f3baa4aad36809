import StoreEngine
import StoreEngineTestSupport
import Testing

/// Lists on redi and on redis-server 7.0, reply by reply and event by event.
extension RedisDifferentialTests {
    /// Every list command with its options, errors and edges (binary and
    /// integer elements, node limits by count), in RESP2 and RESP3.
    @Test(arguments: [2, 3])
    func listRepliesMatch(protocolVersion: Int) throws {
        let (ours, theirs) = try both()
        if protocolVersion == 3 {
            _ = try ours.send(["HELLO", "3"])
            _ = try theirs.send(["HELLO", "3"])
        }
        let session = """
            RPUSH l a b c 1 2 3 -5 4096 -4097 100000 9223372036854775807 -9223372036854775808 007 1.5
            LRANGE l 0 -1
            LLEN l
            LLEN nokey
            LPUSH l x y
            LPUSHX nokey a
            RPUSHX nokey a
            EXISTS nokey
            LPUSHX l z
            RPUSHX l w w2
            LRANGE l 0 -1
            LRANGE l -3 -1
            LRANGE l 5 2
            LRANGE l 100 200
            LRANGE l -100 2
            LRANGE l 0 -100
            LRANGE l x 1
            LRANGE l 0 y
            LRANGE nokey 0 -1
            LINDEX l 0
            LINDEX l -1
            LINDEX l 100
            LINDEX l -100
            LINDEX l x
            LINDEX nokey x
            LINDEX l 9223372036854775807
            LSET l 0 first
            LSET l -1 last
            LSET l 100 x
            LSET l x y
            LSET nokey 0 a
            LRANGE l 0 -1
            LINSERT l BEFORE c before-c
            LINSERT l AFTER c after-c
            LINSERT l AFTER nope x
            LINSERT l MIDDLE c x
            LINSERT nokey BEFORE a b
            LINSERT l before 1 one-ish
            LRANGE l 0 -1
            LPOS l c
            LPOS l nope
            LPOS nokey a
            LPOS nokey a COUNT 0
            LPOS l c RANK 0
            LPOS l c RANK x
            LPOS l c COUNT -1
            LPOS l c MAXLEN -1
            LPOS l c BOGUS 1
            LPOS l c RANK
            RPUSH dup a b a c a d a
            LPOS dup a
            LPOS dup a RANK 2
            LPOS dup a RANK -1
            LPOS dup a RANK -2
            LPOS dup a COUNT 0
            LPOS dup a COUNT 2
            LPOS dup a RANK -1 COUNT 0
            LPOS dup a RANK 2 COUNT 2
            LPOS dup a MAXLEN 3
            LPOS dup a MAXLEN 3 COUNT 0
            LPOS dup a RANK -1 MAXLEN 2 COUNT 0
            LPOS dup a RANK 10
            LPOS dup a RANK 10 COUNT 0
            LPOS dup a RANK -9223372036854775808
            LREM dup 2 a
            LRANGE dup 0 -1
            LREM dup -1 a
            LRANGE dup 0 -1
            LREM dup 0 a
            LRANGE dup 0 -1
            LREM dup 0 nope
            LREM dup x a
            LREM nokey 0 a
            RPUSH only a a
            LREM only 0 a
            EXISTS only
            LPOP nokey
            LPOP nokey 2
            LPOP l 0
            LPOP l -1
            LPOP l x
            LPOP l 1 2
            LPOP l
            RPOP l
            LPOP l 3
            RPOP l 3
            LRANGE l 0 -1
            RPOP l 100
            EXISTS l
            RPUSH t 1 2 3 4 5 6 7 8 9
            LTRIM t 1 -2
            LRANGE t 0 -1
            LTRIM t 100 200
            EXISTS t
            LTRIM nokey 0 1
            RPUSH t 1 2 3
            LTRIM t x 1
            LTRIM t 0 -1
            LTRIM t -100 100
            LRANGE t 0 -1
            LTRIM t 2 1
            EXISTS t
            RPUSH src a b c
            LMOVE src dst LEFT RIGHT
            LMOVE src dst RIGHT LEFT
            LRANGE src 0 -1
            LRANGE dst 0 -1
            LMOVE src dst UP DOWN
            LMOVE src dst LEFT DOWN
            LMOVE nokey dst LEFT LEFT
            LMOVE src src LEFT RIGHT
            LMOVE src dst LEFT LEFT
            EXISTS src
            RPUSH rot 1 2 3
            LMOVE rot rot LEFT RIGHT
            LRANGE rot 0 -1
            RPOPLPUSH rot rot
            LRANGE rot 0 -1
            RPOPLPUSH nokey rot
            RPOPLPUSH rot newkey
            LRANGE newkey 0 -1
            SET str v
            LPUSH str a
            RPUSH str a
            LPUSHX str a
            LRANGE str 0 -1
            LLEN str
            LINDEX str 0
            LSET str 0 a
            LINSERT str BEFORE a b
            LREM str 0 a
            LTRIM str 0 1
            LPOP str
            RPOP str 2
            LPOS str a
            LMOVE str dst LEFT LEFT
            LMOVE dst str LEFT LEFT
            RPOPLPUSH dst str
            LMPOP 1 str LEFT
            LMPOP 0 l LEFT
            LMPOP -1 l LEFT
            LMPOP x l LEFT
            LMPOP 3 a b LEFT
            LMPOP 1 a UP
            LMPOP 1 a LEFT COUNT 0
            LMPOP 1 a LEFT COUNT x
            LMPOP 1 a LEFT COUNT 1 COUNT 2
            LMPOP 1 a LEFT BOGUS
            LMPOP 2 nokey1 nokey2 LEFT
            RPUSH m1 a b c
            LMPOP 2 nokey m1 RIGHT
            LMPOP 2 nokey m1 LEFT COUNT 10
            EXISTS m1
            RPUSH bin "a\\x00b" "\\xff\\xfe" ""
            LRANGE bin 0 -1
            LPOS bin ""
            LREM bin 1 ""
            LLEN bin
            OBJECT ENCODING bin
            TYPE bin
            CONFIG GET list-max-listpack-size
            CONFIG GET list-max-ziplist-size
            CONFIG GET list-compress-depth
            CONFIG SET list-max-listpack-size 4
            CONFIG GET list-max-listpack-size
            RPUSH small 1 2 3 4 5 6 7 8 9 10
            LINSERT small AFTER 2 x
            LINSERT small BEFORE 5 y
            LINSERT small AFTER 10 z
            LINSERT small BEFORE 1 w
            LRANGE small 0 -1
            LREM small 0 x
            LSET small 3 replaced-by-a-longer-one
            LRANGE small 0 -1
            LTRIM small 2 -3
            LRANGE small 0 -1
            CONFIG SET list-max-listpack-size -2
            CONFIG SET list-max-listpack-size x
            CONFIG SET list-compress-depth -1
            """
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// The keyspace events of list commands, in Redis's order: LMOVE's push
    /// before its pop, `del` after the event that emptied a list, LTRIM's
    /// `ltrim` even when it removed nothing.
    @Test func listNotificationsMatch() throws {
        let commands = """
            RPUSH l a b c d e
            LPUSH l z
            LPUSHX l y
            RPUSHX nokey y
            LINSERT l BEFORE c x
            LINSERT l BEFORE nope x
            LSET l 0 q
            LREM l 1 x
            LREM l 1 nope
            LTRIM l 0 -1
            LPOP l
            RPOP l 2
            LMOVE l m LEFT RIGHT
            LMOVE l l LEFT RIGHT
            RPOPLPUSH m n
            LMPOP 2 nokey l LEFT COUNT 10
            RPUSH o 1
            LTRIM o 5 10
            """
        var seen: [[String]] = []
        for port in [redi.port, nil] {
            let client = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            let subscriber = try port.map { try RESPClient(port: $0) } ?? RESPClient(socketPath: redis.socket)
            #expect(try client.send(["CONFIG", "SET", "notify-keyspace-events", "KEA"]) == .status("OK"))
            _ = try subscriber.send(["PSUBSCRIBE", "__key*@0__:*", "end"])
            for line in commands.split(separator: "\n") { _ = try client.send(Self.words(String(line))) }
            // The PUBLISH after the commands marks the end of their notifications.
            _ = try client.send(["PUBLISH", "end", "end"])
            var messages: [String] = []
            while true {
                guard case .array(let parts) = try subscriber.readReply(), parts.count == 4,
                      case .bulk(let channel) = parts[2], case .bulk(let payload) = parts[3] else { continue }
                if channel == "end" { break }
                messages.append("\(channel) \(payload)")
            }
            seen.append(messages)
        }
        #expect(seen[0] == seen[1])
        #expect(seen[0].count >= 40, "\(seen[0])")
    }

    /// DUMP's payloads equal Redis's byte for byte (but for LZF, whose
    /// compressors may differ), RESTORE's errors and options answer the same.
    @Test func dumpAndRestoreRepliesMatch() throws {
        let (ours, theirs) = try both()
        let session = """
            SET s hello
            SET i 12345
            SET big "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            RPUSH l a 1 -4097 "x y"
            HSET h f v f2 v2
            SADD si 1 2 3
            SADD ss a b c
            ZADD z 1 a 2.5 b
            DUMP s
            DUMP i
            DUMP l
            DUMP h
            DUMP si
            DUMP z
            DUMP nokey
            RESTORE s 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            RESTORE s2 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            GET s2
            RESTORE s2 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" REPLACE
            RESTORE s3 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa3"
            RESTORE s3 0 "\\x00\\x05hello\\x0b\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            RESTORE s3 0 short
            RESTORE s3 -1 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            RESTORE s3 x "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            RESTORE s3 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" IDLETIME -1
            RESTORE s3 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" FREQ 256
            RESTORE s3 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" FREQ 5 IDLETIME 5
            RESTORE s3 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" BOGUS
            RESTORE s4 100000 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2"
            PTTL s4
            RESTORE s5 1 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" ABSTTL
            EXISTS s5
            RESTORE s2 1 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" ABSTTL REPLACE
            EXISTS s2
            RESTORE s6 0 "\\x00\\x05hello\\n\\x00\\xa1\\xb9\\xa8\\x90\\x8e\\x8b\\x85\\xa2" IDLETIME 10 FREQ 3
            """
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// Every type and encoding dumped on one side restores on the other, to
    /// the same contents and encoding: LZF-compressed strings, intsets,
    /// listpacks, tables, skiplists, quicklists of many nodes.
    @Test func dumpsMoveBothWays() throws {
        let (ours, theirs) = try both()
        let setup: [[Bytes]] = [
            ["SET", "long", Bytes(String(repeating: "compressible ", count: 200))], ["SET", "int", "-123456789"],
            ["RPUSH", "list"] + (0..<3000).map { Bytes("element-\($0)") }, ["HSET", "hash", "a", "1", "b", "2"],
            ["HSET", "bighash"] + (0..<600).flatMap { [Bytes("f\($0)"), Bytes("v\($0)")] }, ["SADD", "ints", "1", "2", "300000"],
            ["SADD", "words", "x", "y"], ["ZADD", "zset", "1", "a", "-inf", "b"],
            ["ZADD", "bigzset"] + (0..<200).flatMap { [Bytes("\($0)"), Bytes("m\($0)")] },
        ]
        let reads: [Bytes: [Bytes]] = [
            "long": ["GET"], "int": ["GET"], "list": ["LRANGE", "0", "-1"], "hash": ["HGETALL"], "bighash": ["HLEN"],
            "ints": ["SMEMBERS"], "words": ["SCARD"], "zset": ["ZRANGE", "0", "-1", "WITHSCORES"], "bigzset": ["ZRANGE", "0", "-1", "WITHSCORES"],
        ]
        for (from, to) in [(ours, theirs), (theirs, ours)] {
            _ = try from.send(["FLUSHALL"])
            _ = try to.send(["FLUSHALL"])
            for command in setup { _ = try from.send(command) }
            for (key, read) in reads {
                guard case .bulk(let payload) = try from.send(["DUMP", key]) else { Issue.record("DUMP \(key)"); continue }
                #expect(try to.send(["RESTORE", key, "0", payload]) == .status("OK"), "\(key)")
                let command = [read[0], key] + read.dropFirst()
                #expect(try to.send(command) == from.send(command), "\(key)")
                #expect(try to.send(["OBJECT", "ENCODING", key]) == from.send(["OBJECT", "ENCODING", key]), "\(key)")
            }
        }
    }
}
