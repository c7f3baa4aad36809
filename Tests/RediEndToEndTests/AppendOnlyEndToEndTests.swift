import Foundation
import StoreEngine
import StoreEngineTestSupport
import Synchronization
import Testing

/// The append-only file through the real binary: kill -9 at random
/// moments while a client writes (and during a rewrite), files moving
/// between redi and redis-server both ways, redis-check-aof, a disk that
/// fills up and frees space again, cut and corrupt files at start.
@Suite("redi --appendonly", .serialized)
struct AppendOnlyEndToEndTests {
    typealias Server = ServerEndToEndTests.Server

    /// Pushes numbers to a list from its own thread and counts the acknowledged ones.
    final class Writer: Sendable {
        private let acknowledged = Mutex<Int>(0)
        private let times = Mutex<[Int: ContinuousClock.Instant]>([:])
        private let done = Mutex<Bool>(false)

        init(port: Int, key: String, from first: Int) {
            acknowledged.withLock { $0 = first - 1 }
            let thread = Thread { [self] in
                defer { done.withLock { $0 = true } }
                guard let client = try? RESPClient(port: port) else { return }
                var next = first
                while true {
                    guard let reply = try? client.send(["RPUSH", Bytes(key), Bytes(String(next))]), case .integer = reply else { return }
                    acknowledged.withLock { $0 = next }
                    times.withLock { $0[next] = .now }
                    next += 1
                }
            }
            thread.start()
        }

        /// When number `index` was acknowledged.
        func acknowledgedAt(_ index: Int) -> ContinuousClock.Instant? { times.withLock { $0[index] } }

        /// The last number acknowledged (the first minus one if none).
        var last: Int { acknowledged.withLock { $0 } }

        func waitUntilDone() {
            while !done.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.005) }
        }
    }

    static func list(_ port: Int, _ key: String) throws -> [Int] {
        let client = try RESPClient(port: port)
        guard case .array(let items) = try client.send(["LRANGE", Bytes(key), "0", "-1"]) else { return [] }
        return items.compactMap { if case .bulk(let value) = $0 { Int(value.description) } else { nil } }
    }

    /// kill -9 at random moments while a client writes, round after round:
    /// under `always` every acknowledged write is there after the restart,
    /// in order; under `everysec` what is lost was acknowledged within the
    /// last 2 seconds before the kill (a write may wait that long behind a
    /// slow fsync, as in Redis), and the test says how much that was.
    @Test(arguments: ["always", "everysec"])
    func everyAcknowledgedWriteSurvivesKillNine(policy: String) throws {
        let directory = try makeTemporaryDirectory()
        var random = SeededGenerator(state: policy == "always" ? 12 : 13)
        var lost = 0
        var total = 0
        var next = 1
        for round in 0..<4 {
            let redi = try Server(["--appendonly", "--appendfsync", policy, "--save", ""], in: directory)
            let there = try Self.list(redi.port, "log")
            #expect(there == Array(1...max(there.count, 1)).prefix(there.count).map { $0 }, "round \(round): in order, none twice")
            next = there.count + 1
            let writer = Writer(port: redi.port, key: "log", from: next)
            Thread.sleep(forTimeInterval: policy == "always" ? Double.random(in: 0.05...0.4, using: &random) : Double.random(in: 2.2...3.0, using: &random))
            let killedAt = ContinuousClock.now
            redi.process.signal(SIGKILL)
            writer.waitUntilDone()
            redi.process.wait()
            let after = try Server(["--appendonly", "--appendfsync", policy, "--save", ""], in: directory)
            let kept = try Self.list(after.port, "log").count
            let acknowledged = writer.last
            total += acknowledged - there.count
            if kept < acknowledged {
                lost += acknowledged - kept
                #expect(policy == "everysec", "round \(round): \(acknowledged - kept) acknowledged writes lost under always")
                let firstLost = writer.acknowledgedAt(kept + 1)
                #expect(firstLost.map { killedAt - $0 <= .seconds(2) } ?? true, "lost a write acknowledged more than 2 s before the kill")
            }
        }
        print("appendfsync \(policy): \(total) writes acknowledged over 4 kill -9 rounds, \(lost) lost")
    }

    /// kill -9 while BGREWRITEAOF writes a new base of 200,000 keys, at
    /// random moments: the folder loads, with every key and every
    /// acknowledged write.
    @Test func killNineDuringARewriteLeavesAFolderThatLoads() throws {
        let directory = try makeTemporaryDirectory()
        var random = SeededGenerator(state: 21)
        do {
            let redi = try Server(["--appendonly", "--save", ""], in: directory)
            let client = try RESPClient(port: redi.port)
            for batch in 0..<200 {
                _ = try client.send(["MSET"] + (0..<1000).flatMap { index -> [Bytes] in
                    let key = Bytes("key:\(batch * 1000 + index)")
                    return [key, key]
                })
            }
            #expect(try client.send(["DBSIZE"]) == .integer(200_000))
        }
        var acknowledged = 0
        for round in 0..<3 {
            let redi = try Server(["--appendonly", "--appendfsync", "always", "--save", ""], in: directory)
            let client = try RESPClient(port: redi.port)
            let before = try Self.list(redi.port, "log")
            #expect(try client.send(["DBSIZE"]) == .integer(before.isEmpty ? 200_000 : 200_001), "round \(round)")
            #expect(before.count >= acknowledged)
            let writer = Writer(port: redi.port, key: "log", from: before.count + 1)
            #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
            Thread.sleep(forTimeInterval: Double.random(in: 0.0...0.3, using: &random))
            redi.process.signal(SIGKILL)
            writer.waitUntilDone()
            acknowledged = writer.last
        }
        let redi = try Server(["--appendonly", "--save", ""], in: directory)
        #expect(try Self.list(redi.port, "log").count >= acknowledged)
        let check = try runProcess(try tool("redis-check-aof", from: "redis-tools"), ["\(directory)/appendonlydir/appendonly.aof.manifest"])
        #expect(check.text.contains("All AOF files and manifest are valid"), "\(check.text)")
    }

    /// Every type, TTLs, a transaction, a script and a function library:
    /// redis-server 7.0 loads redi's folder (and redis-check-aof accepts
    /// it), and redi loads what redis-server wrote to it after.
    @Test func theFolderMovesBetweenRediAndRedisBothWays() throws {
        let directory = try makeTemporaryDirectory()
        let setup = """
            SET s "hello world"
            SET n 41
            INCR n
            SET t v EX 1000
            RPUSH l a b c
            LPOP l
            HSET h f1 v1 f2 v2
            SADD st x y z
            SREM st y
            ZADD z 1.5 one 2 two
            EXPIRE h 2000
            SELECT 3
            SET other db3
            MULTI
            INCR n
            INCR n
            EXEC
            EVAL "redis.call('set', 'fromlua', ARGV[1]); return 1" 0 lua
            FUNCTION LOAD "#!lua name=lib\\nredis.register_function('f', function() return 'called' end)"
            """
        do {
            let redi = try Server(["--appendonly", "--save", ""], in: directory)
            _ = try ServerEndToEndTests.redisCli(["-p", "\(redi.port)"], input: setup)
            _ = try ServerEndToEndTests.redisCli(["-p", "\(redi.port)", "SHUTDOWN", "NOSAVE"])
            redi.process.wait()
        }
        let check = try runProcess(try tool("redis-check-aof", from: "redis-tools"), ["\(directory)/appendonlydir/appendonly.aof.manifest"])
        #expect(check.text.contains("All AOF files and manifest are valid"), "\(check.text)")

        let questions = """
            MGET s n t fromlua
            LRANGE l 0 -1
            HGETALL h
            SMISMEMBER st x y z
            ZRANGE z 0 -1 WITHSCORES
            FCALL f 0
            """
        func answers(_ cli: ([String], String) throws -> ProcessResult) throws -> String {
            try cli(["--raw"], questions).text + (try cli(["-n", "3", "--raw", "GET", "other"], "").text)
                + (try cli(["--raw", "TTL", "h"], "").text.count > 0 ? "ttl\n" : "")
        }
        let redis = try RedisServer(directory: directory, dbfilename: "none.rdb", settings: ["--appendonly", "yes"])
        let inRedis = try answers { arguments, input in try redis.cli(arguments, input: Array(input.utf8)) }
        #expect(inRedis == "hello world\n42\nv\n\nb\nc\nf1\nv1\nf2\nv2\n1\n0\n1\none\n1.5\ntwo\n2\ncalled\ndb3\nttl\n", "\(inRedis)")
        let ttl = try redis.cli("TTL", "h").text
        #expect((1990...2000).contains(Int(ttl.dropLast()) ?? 0), "\(ttl)")
        // Redis writes to the folder now; redi reads what it wrote.
        try redis.cli("SET", "written-by", "redis")
        try redis.cli("DEL", "s")
        try redis.cli("SHUTDOWN", "NOSAVE")
        let redi = try Server(["--appendonly", "--save", ""], in: directory)
        let inRedi = try answers { arguments, input in try ServerEndToEndTests.redisCli(["-p", "\(redi.port)"] + arguments, input: input) }
        #expect(inRedi == inRedis.replacingOccurrences(of: "hello world\n", with: "\n"), "\(inRedi)")
        #expect(try ServerEndToEndTests.redisCli(["-p", "\(redi.port)", "GET", "written-by"]).text == "redis\n")
    }

    /// A base of commands (aof-use-rdb-preamble no): redis-check-aof
    /// accepts it and redis-server 7.0 loads the same data from it.
    @Test func aBaseOfCommandsLoadsInRedis() throws {
        let directory = try makeTemporaryDirectory()
        do {
            let redi = try Server(["--appendonly", "--save", ""], in: directory)
            let client = try RESPClient(port: redi.port)
            #expect(try client.send(["CONFIG", "SET", "aof-use-rdb-preamble", "no"]) == .status("OK"))
            _ = try client.send(["RPUSH", "l"] + (0..<200).map { Bytes("e\($0)") })
            _ = try client.send(["ZADD", "z", "2.5", "a", "inf", "b"])
            _ = try client.send(["SET", "s", "v", "EX", "1000"])
            #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
            let start = ContinuousClock.now
            while case .bulk(let info) = try client.send(["INFO", "persistence"]), !info.description.contains("aof_rewrites:1"),
                  ContinuousClock.now - start < .seconds(10) {
                Thread.sleep(forTimeInterval: 0.01)
            }
            _ = try? client.send(["SHUTDOWN", "NOSAVE"])
            redi.process.wait()
        }
        #expect(FileManager.default.fileExists(atPath: "\(directory)/appendonlydir/appendonly.aof.2.base.aof"))
        let check = try runProcess(try tool("redis-check-aof", from: "redis-tools"), ["\(directory)/appendonlydir/appendonly.aof.manifest"])
        #expect(check.text.contains("All AOF files and manifest are valid"), "\(check.text)")
        let redis = try RedisServer(directory: directory, dbfilename: "none.rdb", settings: ["--appendonly", "yes"])
        #expect(try redis.cli("LLEN", "l").text == "200\n")
        #expect(try redis.cli("ZRANGE", "z", "0", "-1", "WITHSCORES").text == "a\n2.5\nb\ninf\n")
        #expect((990...1000).contains(Int(try redis.cli("TTL", "s").text.dropLast()) ?? 0))
    }

    /// The disk fills up and stays full, and redi is killed: no write that
    /// was answered OK is missing after the restart (the reply of a write
    /// the disk refused waits until it is written; it never is here), while
    /// other clients' reads are answered, under `always` and `no`. Under
    /// `everysec` a write may wait up to 2 s behind a slow fsync with its
    /// reply gone, as in Redis: what is lost was answered in the last 2 s.
    @Test(arguments: ["always", "everysec", "no"])
    func aWriteTheDiskRefusedIsNeverAcknowledged(policy: String) throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--appendonly", "--appendfsync", policy, "--no-snapshot"], in: directory, shellPrefix: "ulimit -S -f 64;")
        let writer = try RESPClient(port: redi.port, timeout: .seconds(2))
        let reader = try RESPClient(port: redi.port)
        let value = Bytes(String(repeating: "x", count: 1000))
        var acknowledged: [(index: Int, at: ContinuousClock.Instant)] = []
        var held = false
        for index in 0..<200 {
            guard let reply = try? writer.send(["SET", Bytes("k\(index)"), value]) else {
                held = true  // no reply within 2 s: it waits for the disk
                break
            }
            if reply == .status("OK") { acknowledged.append((index, .now)) } else { break }
        }
        #expect(acknowledged.count < 200, "the disk filled up")
        #expect(policy == "everysec" || held, "the write the disk refused is not answered")
        if held {
            // QUIT closes only after the replies before it leave: the refused write stays unanswered.
            try writer.sendRaw(Array("QUIT\r\n".utf8))
            #expect((try? writer.readReply()) == nil, "no reply, not even to QUIT, while the write waits")
        }
        #expect(try reader.send(["STRLEN", "k0"]) == .integer(1000), "another client's read is answered")
        guard case .error(let refused) = try reader.send(["SET", "refused", "1"]) else { Issue.record("a write was not refused"); return }
        #expect(refused.hasPrefix("MISCONF"))
        let killedAt = ContinuousClock.now
        redi.process.signal(SIGKILL)
        redi.process.wait()
        let again = try Server(["--appendonly", "--no-snapshot"], in: directory)
        let check = try RESPClient(port: again.port)
        for (index, at) in acknowledged where try check.send(["STRLEN", Bytes("k\(index)")]) != .integer(1000) {
            #expect(policy == "everysec" && killedAt - at <= .seconds(2), "k\(index) was acknowledged and is lost")
        }
    }

    /// The disk fills up (a file size limit, raised again with prlimit):
    /// the write it refused waits for its reply, other writes are refused
    /// with MISCONF, reads go on and INFO says why; once space returns the
    /// waiting write is answered OK, writes resume, and every acknowledged
    /// one is in the file after a kill -9.
    @Test func aFullDiskRefusesWritesUntilSpaceReturns() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--appendonly", "--appendfsync", "no", "--no-snapshot"], in: directory, shellPrefix: "ulimit -S -f 64;")
        let writer = try RESPClient(port: redi.port, timeout: .seconds(2))
        let client = try RESPClient(port: redi.port)
        let value = Bytes(String(repeating: "x", count: 1000))
        var acknowledged: [Int] = []
        var waiting: Int?
        for index in 0..<200 {
            guard let reply = try? writer.send(["SET", Bytes("k\(index)"), value]) else {
                waiting = index
                break
            }
            if reply == .status("OK") { acknowledged.append(index) }
        }
        guard let waiting else { Issue.record("no write waited for the disk"); return }
        // The write that crosses the limit is short (ENOSPC, as Redis names it), the next ones fail with EFBIG.
        guard case .error(let refused) = try client.send(["SET", "other", "1"]) else { Issue.record("never refused"); return }
        #expect(refused.hasPrefix("MISCONF Errors writing to the AOF file: "), "\(refused)")
        #expect(try client.send(["GET", "k0"]) == .bulk(value), "reads go on")
        guard case .bulk(let info) = try client.send(["INFO", "persistence"]) else { Issue.record("INFO"); return }
        #expect(info.description.contains("aof_last_write_status:err"))

        let prlimit = try runProcess("/usr/bin/prlimit", ["--pid", "\(redi.process.pid)", "--fsize=unlimited"])
        #expect(prlimit.status == 0, "\(prlimit.error)")
        #expect(try writer.readReply() == .status("OK"), "the waiting write is answered once it is written")
        acknowledged.append(waiting)
        guard case .bulk(let after) = try client.send(["INFO", "persistence"]) else { Issue.record("INFO"); return }
        #expect(after.description.contains("aof_last_write_status:ok"))
        #expect(try client.send(["SET", "after", "space"]) == .status("OK"))
        redi.process.signal(SIGKILL)
        redi.process.wait()
        let again = try Server(["--appendonly", "--no-snapshot"], in: directory)
        let reader = try RESPClient(port: again.port)
        for index in acknowledged {
            #expect(try reader.send(["STRLEN", Bytes("k\(index)")]) == .integer(1000), "k\(index) was acknowledged")
        }
        #expect(try reader.send(["GET", "after"]) == .bulk("space"))
    }

    /// INFO persistence once no rewrite runs or waits to run (30 s at most).
    static func persistenceOnceRewritten(_ client: RESPClient) throws -> String {
        let start = ContinuousClock.now
        while true {
            guard case .bulk(let info) = try client.send(["INFO", "persistence"]) else { throw TestFailure("INFO persistence") }
            let text = info.description
            let idle = text.contains("aof_rewrite_in_progress:0") && text.contains("aof_rewrite_scheduled:0")
            if idle || ContinuousClock.now - start > .seconds(30) { return text }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Makes `paths` immutable (`chattr +i`: even root can then neither
    /// write to an open file nor add a file to a folder, as on a file
    /// system gone read-only), or writable again.
    static func setImmutable(_ immutable: Bool, _ paths: [String]) throws {
        let result = try runProcess("/usr/bin/chattr", [immutable ? "+i" : "-i"] + paths)
        guard result.status == 0 else {
            throw TestFailure("chattr \(immutable ? "+i" : "-i") failed (needs root and a file system with inode flags, such as ext4): \(result.error)")
        }
    }

    /// The AOF's folder turns read-only under a running server: the write
    /// it refused waits for its reply, other writes get MISCONF, reads go
    /// on, a rewrite fails and says so; once the folder is writable again
    /// the waiting write is answered, writes and rewrites resume, and
    /// every acknowledged write is there after kill -9. A folder that is
    /// read-only at start stops redi with a message, never an empty store.
    @Test func aReadOnlyFolderRefusesWritesUntilItIsWritableAgain() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--appendonly", "--appendfsync", "always", "--no-snapshot"], in: directory)
        let writer = try RESPClient(port: redi.port, timeout: .seconds(2))
        let client = try RESPClient(port: redi.port)
        for index in 0..<100 { #expect(try writer.send(["SET", Bytes("k\(index)"), Bytes("v\(index)")]) == .status("OK")) }
        let folder = "\(directory)/appendonlydir"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).map { "\(folder)/\($0)" }
        try Self.setImmutable(true, files + [folder])
        var immutable = true
        defer { if immutable { try? Self.setImmutable(false, files + [folder]) } }

        #expect((try? writer.send(["SET", "held", "1"])) == nil, "the write the folder refused is not answered")
        guard case .error(let refused) = try client.send(["SET", "other", "1"]) else { Issue.record("a write was not refused"); return }
        #expect(refused.hasPrefix("MISCONF Errors writing to the AOF file: "), "\(refused)")
        #expect(try client.send(["GET", "k99"]) == .bulk("v99"), "reads go on")
        guard case .bulk(let info) = try client.send(["INFO", "persistence"]) else { Issue.record("INFO"); return }
        #expect(info.description.contains("aof_last_write_status:err"))
        let cannot = "ERR Can't execute an AOF background rewriting. Please check the server logs for more information."
        #expect(try client.send(["BGREWRITEAOF"]) == .error(cannot), "no new incr file in a read-only folder")
        #expect(try Self.persistenceOnceRewritten(client).contains("aof_last_bgrewrite_status:err"))

        try Self.setImmutable(false, files + [folder])
        immutable = false
        #expect(try writer.readReply() == .status("OK"), "the waiting write is answered once it is written")
        #expect(try client.send(["SET", "after", "writable"]) == .status("OK"))
        #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
        #expect(try Self.persistenceOnceRewritten(client).contains("aof_last_bgrewrite_status:ok"), "rewrites resume")
        #expect(try client.send(["SET", "after", "rewrite"]) == .status("OK"))
        redi.process.signal(SIGKILL)
        redi.process.wait()

        let again = try Server(["--appendonly", "--no-snapshot"], in: directory)
        let reader = try RESPClient(port: again.port)
        #expect(try reader.send(["MGET", "k0", "k99", "held", "after"]) == .array([.bulk("v0"), .bulk("v99"), .bulk("1"), .bulk("rewrite")]))
        #expect(try reader.send(["DBSIZE"]) == .integer(102), "k0..k99, held, after: the refused write is not there")
        again.process.signal(SIGKILL)
        again.process.wait()

        let empty = try makeTemporaryDirectory()
        try Self.setImmutable(true, [empty])
        defer { try? Self.setImmutable(false, [empty]) }
        let start = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "DBSIZE\n", in: empty)
        #expect(start.status == 1 && start.text.isEmpty, "\(start.text)")
        #expect(start.error.contains("appendonlydir"), "the message names the folder: \(start.error)")
    }

    /// A last file cut inside a command loads up to the cut, saying how
    /// many bytes were dropped; bytes that are no command in the middle
    /// refuse to start, naming the file and the offset.
    @Test func aCutFileLoadsAndACorruptOneRefusesToStart() throws {
        let directory = try makeTemporaryDirectory()
        let first = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "SET a 1\nSET b 2\n", in: directory)
        #expect(first.status == 0 && first.text == "OK\nOK\n", "\(first.error)")
        let incr = "\(directory)/appendonlydir/appendonly.aof.1.incr.aof"
        let whole = try #require(FileManager.default.contents(atPath: incr))
        try (whole + Data("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1".utf8)).write(to: URL(fileURLWithPath: incr))
        let cut = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "MGET a b c\n", in: directory)
        #expect(cut.status == 0 && cut.text == "1\n2\n(nil)\n", "\(cut.text) \(cut.error)")
        #expect(cut.error.contains("Truncating the AOF appendonly.aof.1.incr.aof at offset \(whole.count)"), "\(cut.error)")
        #expect(cut.error.contains("(22 bytes dropped)"), "\(cut.error)")

        try (whole + Data("$garbage\r\n".utf8) + whole).write(to: URL(fileURLWithPath: incr))
        let corrupt = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "GET a\n", in: directory)
        #expect(corrupt.status == 1)
        #expect(corrupt.error.contains("appendonly.aof.1.incr.aof' at byte \(whole.count)") && corrupt.error.contains("redis-check-aof --fix"),
                "\(corrupt.error)")
    }

    /// Operations that meet a rewrite of 200,000 keys: FLUSHALL, writes,
    /// CONFIG SET appendonly no and yes again, a second BGREWRITEAOF, a
    /// BGSAVE, a client that pipelines writes and leaves at once, and
    /// SHUTDOWN while it runs: each time the folder then loads what the
    /// store held, and redis-check-aof accepts it.
    @Test func operationsInterleavedWithARewriteLeaveAFolderThatLoads() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--appendonly", "--appendfsync", "always", "--snapshot", "dump.rdb"], in: directory)
        let client = try RESPClient(port: redi.port)
        func populate() throws {
            #expect(try client.send(["DEBUG", "POPULATE", "200000"]) == .status("OK"))
        }
        func waitForRewrite() throws {
            _ = try Self.persistenceOnceRewritten(client)
        }
        try populate()
        #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
        #expect(try client.send(["BGREWRITEAOF"]) == .error("ERR Background append only file rewriting already in progress"))
        #expect(try client.send(["FLUSHALL"]) == .status("OK"))
        #expect(try client.send(["SET", "after-flush", "1"]) == .status("OK"))
        #expect(try client.send(["BGSAVE"]) == .status("Background saving started"))
        try waitForRewrite()
        #expect(try client.send(["DBSIZE"]) == .integer(1))

        // Off while rewriting, then on again: the new base holds what the store holds then.
        try populate()
        #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
        #expect(try client.send(["CONFIG", "SET", "appendonly", "no"]) == .status("OK"))
        #expect(try client.send(["SET", "while-off", "1"]) == .status("OK"))
        #expect(try client.send(["CONFIG", "SET", "appendonly", "yes"]) == .status("OK"))
        #expect(try client.send(["SET", "while-base", "1"]) == .status("OK"))
        try waitForRewrite()

        // A client that pipelines writes and leaves before reading a reply.
        let leaving = try RESPClient(port: redi.port)
        try leaving.sendRaw((0..<1000).flatMap { RESPClient.request(["RPUSH", "left", Bytes(String($0))]) })
        leaving.hangUp()
        #expect(try client.send(["BGREWRITEAOF"]) == .status("Background append only file rewriting started"))
        let start = ContinuousClock.now
        while try client.send(["LLEN", "left"]) != .integer(1000), ContinuousClock.now - start < .seconds(10) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let expected = try client.send(["DBSIZE"])
        _ = try? client.send(["SHUTDOWN", "NOSAVE"])
        redi.process.wait()

        let check = try runProcess(try tool("redis-check-aof", from: "redis-tools"), ["\(directory)/appendonlydir/appendonly.aof.manifest"])
        #expect(check.text.contains("All AOF files and manifest are valid"), "\(check.text)")
        let again = try Server(["--appendonly", "--snapshot", "dump.rdb"], in: directory)
        let reader = try RESPClient(port: again.port)
        #expect(try reader.send(["DBSIZE"]) == expected)
        #expect(try reader.send(["MGET", "after-flush", "while-off", "while-base"]) == .array([.bulk("1"), .bulk("1"), .bulk("1")]))
        #expect(try reader.send(["LLEN", "left"]) == .integer(1000))
    }

    /// Long, binary and emoji keys and values, a 5 MB value and a list of
    /// 100,000 elements go through the file and back byte for byte.
    @Test func longBinaryAndEmojiContentComesBackByteForByte() throws {
        let directory = try makeTemporaryDirectory()
        var random = SeededGenerator(state: 31)
        var written: [(Bytes, Bytes)] = []
        do {
            let redi = try Server(["--appendonly", "--no-snapshot"], in: directory)
            let client = try RESPClient(port: redi.port)
            for index in 0..<200 {
                let key = Bytes((0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } + Array("#\(index)🙂".utf8))
                let value = Bytes((0..<Int.random(in: 0...2000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
                #expect(try client.send(["SET", key, value]) == .status("OK"))
                written.append((key, value))
            }
            let big = Bytes([UInt8](repeating: 0x0d, count: 5 << 20))
            #expect(try client.send(["SET", "big\r\n", big]) == .status("OK"))
            written.append(("big\r\n", big))
            for batch in 0..<100 {
                _ = try client.send(["RPUSH", "long"] + (0..<1000).map { Bytes("\(batch * 1000 + $0)\n") })
            }
            redi.process.signal(SIGKILL)
            redi.process.wait()
        }
        let again = try Server(["--appendonly", "--no-snapshot"], in: directory)
        let reader = try RESPClient(port: again.port)
        for (key, value) in written {
            #expect(try reader.send(["GET", key]) == .bulk(value))
        }
        #expect(try reader.send(["LLEN", "long"]) == .integer(100_000))
        #expect(try reader.send(["LINDEX", "long", "-1"]) == .bulk("99999\n"))
    }

    /// The session the project grew from, with the file on: the same
    /// replies, and the key and its TTL back after a restart.
    @Test func thePromptSessionPersistsThroughTheFile() throws {
        let directory = try makeTemporaryDirectory()
        let first = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "SET name Alice\nGET name\nEXPIRE name 10\nEXIT\n", in: directory)
        #expect(first.text == "OK\nAlice\n1\n")
        let second = try runRedi(["--no-tui", "--appendonly", "--no-snapshot"], input: "GET name\nTTL name\n", in: directory)
        #expect(second.text == "Alice\n10\n" || second.text == "Alice\n9\n", "\(second.text)")
    }
}
