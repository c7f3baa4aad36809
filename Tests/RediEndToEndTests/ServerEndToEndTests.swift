import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// `redi --port`: the real binary, talked to by Redis's own tools and a
/// Python client, as users will.
@Suite("redi --port with Redis's clients")
struct ServerEndToEndTests {
    /// redi serving headless on a free port; its log goes to standard error.
    final class Server {
        let process: RediProcess
        let port: Int

        init(_ flags: [String] = [], in directory: String, shellPrefix: String? = nil) throws {
            process = try RediProcess(["--no-tui", "--port", "0"] + flags, in: directory, shellPrefix: shellPrefix)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(10) {
                if let match = process.errorOutput.firstMatch(of: /address=[0-9.]+:(\d+)/), let port = Int(match.1) {
                    self.port = port
                    return
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            process.signal(SIGKILL)
            throw TestFailure("redi did not start serving: \(process.errorOutput)")
        }

        deinit {
            process.signal(SIGTERM)
            process.wait()
        }
    }

    static func redisCli(_ arguments: [String], input: String = "") throws -> ProcessResult {
        let cli = try tool("redis-cli", from: "redis-tools")
        return try runProcess(cli, arguments, input: Array(input.utf8))
    }

    /// The same session through redis-cli, against redi and against
    /// redis-server 7.0: the typed output must match line for line.
    @Test func redisCliShowsWhatItShowsForRedis() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let redis = try RedisServer(directory: directory)
        let session = """
            PING
            PING "hello world"
            ECHO "a\\x00b"
            SET name Alice
            GET name
            GET missing
            EXPIRE name 100
            TTL name
            PERSIST name
            PTTL name
            SET counter 10
            INCRBY counter 5
            DECR counter
            INCR name
            APPEND name " Smith"
            GETRANGE name 0 4
            SETRANGE name 6 "J"
            STRLEN name
            MSET a 1 b 2 c 3
            MGET a b missing c
            EXISTS a b missing
            DEL a b missing
            TYPE c
            TYPE missing
            RENAME c d
            RENAME missing e
            GETSET d 4
            GETDEL d
            SETNX name Bob
            SET name Bob XX GET
            SET fresh 1 NX PX 100000
            KEYS name
            DBSIZE
            NOSUCHCOMMAND a b
            GET
            SET a b EX 0
            SET a b EX notanumber
            FLUSHALL
            DBSIZE
            """
        let fromRedi = try Self.redisCli(["-p", "\(redi.port)", "--no-raw"], input: session)
        let fromRedis = try Self.redisCli(["-s", redis.socket, "--no-raw"], input: session)
        #expect(fromRedis.status == 0 && fromRedi.status == 0)
        let rediLines = fromRedi.text.split(separator: "\n", omittingEmptySubsequences: false)
        let redisLines = fromRedis.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rediLines.count == redisLines.count)
        for (index, (ours, theirs)) in zip(rediLines, redisLines).enumerated() {
            #expect(ours == theirs, "line \(index + 1)")
        }
        #expect(fromRedi.text.contains("(error) ERR unknown command 'NOSUCHCOMMAND'"))
    }

    /// redis-cli 7 in a terminal asks COMMAND DOCS for its hints and HELP.
    @Test func redisCliInATerminalHintsFromCommandDocs() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let cli = try tool("redis-cli", from: "redis-tools")
        let terminal = try TmuxTerminal("\(cli) -p \(redi.port)")
        #expect(terminal.waitFor { $0.first?.hasPrefix("127.0.0.1:\(redi.port)>") == true })
        try terminal.type("SET ")
        #expect(terminal.waitFor { $0.first?.contains("SET key value [NX|XX] [GET] [EX seconds|PX milliseconds") == true },
                "the hint comes from redi's command table: \(terminal.screen.first ?? "")")
        try terminal.type("C-u")
        try terminal.type("HELP LCS", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("summary: Find longest common substring") } })
        try terminal.type("SELECT 3", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("127.0.0.1:\(redi.port)[3]>") } })
    }

    @Test func aPortInUseIsAClearErrorAndStatusOne() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let second = try runProcess(rediPath, ["--no-tui", "--no-snapshot", "--port", "\(redi.port)"], directory: directory)
        #expect(second.status == 1)
        #expect(second.error == "redi: cannot listen on 127.0.0.1:\(redi.port): Address already in use\n", "\(second.error)")
    }

    @Test func aNonLoopbackAddressWithoutAPasswordIsWarnedAbout() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot", "--bind", "0.0.0.0"], in: directory)
        #expect(redi.process.errorOutput.contains("listening on 0.0.0.0 with no password"))
        let withPassword = try Server(["--no-snapshot", "--bind", "0.0.0.0", "--requirepass", "pw"], in: directory)
        #expect(!withPassword.process.errorOutput.contains("no password"))
    }

    @Test func aPythonRedisClientWorks() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot", "--requirepass", "pw"], in: directory)
        let python = try tool("python3", from: "python3")
        let check = try runProcess(python, ["-c", "import redis"])
        try #require(check.status == 0, "the Python client is needed: pip install redis")
        let script = """
            import redis
            r = redis.Redis(port=\(redi.port), password="pw", decode_responses=True)
            print(r.ping())
            print(r.set("name", "Alice"), r.get("name"), r.get("missing"))
            print(r.expire("name", 10), r.ttl("name"))
            pipe = r.pipeline(transaction=False)
            for i in range(100):
                pipe.incr("counter")
            print(pipe.execute()[-1])
            print(sorted(r.keys("*")))
            try:
                r.incr("name")
            except redis.ResponseError as error:
                print("error:", error)
            try:
                redis.Redis(port=\(redi.port), password="wrong").ping()
            except redis.AuthenticationError as error:
                print("auth:", error)
            resp3 = redis.Redis(port=\(redi.port), password="pw", protocol=3, decode_responses=True)
            print(resp3.get("missing"), resp3.config_get("maxclients"))
            """
        let result = try runProcess(python, ["-c", script])
        #expect(result.status == 0, "\(result.text)")
        #expect(result.text == """
            True
            True Alice None
            True 10
            100
            ['counter', 'name']
            error: value is not an integer or out of range
            auth: invalid username-password pair or user is disabled.
            None {'maxclients': '10000'}

            """)
    }

    /// A client that pipelines 2 GB of replies and reads none: redi stops
    /// serving it once 1 MB waits, so its memory stays flat, and others are
    /// served meanwhile.
    @Test func aSlowReaderCannotMakeRediHoardReplies() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let writer = try RESPClient(port: redi.port)
        #expect(try writer.send(["SET", "big", Bytes([UInt8](repeating: 120, count: 100_000))]) == .status("OK"))
        let before = try residentBytes(of: redi.process.pid)
        // Another process writes the requests and never reads; its writes
        // block once redi stops reading.
        let python = try tool("python3", from: "python3")
        let slow = try ChildProcess(python, ["-c", """
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(redi.port)))
            s.sendall(b"*2\\r\\n$3\\r\\nGET\\r\\n$3\\r\\nbig\\r\\n" * 20000)
            time.sleep(60)
            """], quiet: true)
        defer {
            kill(slow.pid, SIGKILL)
            _ = slow.wait()
        }
        Thread.sleep(forTimeInterval: 2)
        let started = ContinuousClock.now
        #expect(try writer.send(["PING"]) == .status("PONG"))
        #expect(ContinuousClock.now - started < .milliseconds(500), "others are served meanwhile")
        let growth = try residentBytes(of: redi.process.pid) - before
        #expect(growth < 64 << 20, "resident memory grew by \(growth >> 20) MB for 2 GB of unread replies")
    }

    /// Clients that pipeline a lot, read nothing and reset the connection:
    /// NIO may then read their unread input inside a failing write. redi
    /// must neither crash nor run their commands twice.
    @Test func clientsResettingMidPipelineLeaveRediServing() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let writer = try RESPClient(port: redi.port)
        #expect(try writer.send(["SET", "big", Bytes([UInt8](repeating: 120, count: 100_000))]) == .status("OK"))
        let python = try tool("python3", from: "python3")
        for _ in 0..<5 {
            let reset = try runProcess(python, ["-c", """
                import socket, struct, time
                s = socket.create_connection(("127.0.0.1", \(redi.port)))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.setblocking(False)
                data = b"*2\\r\\n$3\\r\\nGET\\r\\n$3\\r\\nbig\\r\\n" * 30000
                try:
                    s.send(data)
                except BlockingIOError:
                    pass
                time.sleep(0.2)
                s.close()
                """])
            #expect(reset.status == 0)
        }
        #expect(try writer.send(["PING"]) == .status("PONG"), "redi is still serving")
        #expect(redi.process.child.isRunning)
    }

    /// Past the open file limit accept fails (EMFILE) while the listening
    /// socket stays readable: redi stops accepting for a moment instead of
    /// spinning on it, serves the clients it has, and accepts again once
    /// descriptors are free.
    @Test func outOfDescriptorsRediWaitsInsteadOfSpinning() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory, shellPrefix: "ulimit -n 48;")
        let first = try RESPClient(port: redi.port)
        #expect(try first.send(["PING"]) == .status("PONG"))
        // The kernel completes more connections than redi has descriptors for.
        var flood: [RESPClient] = []
        for _ in 0..<80 { flood.append(try RESPClient(port: redi.port)) }
        #expect(try first.send(["PING"]) == .status("PONG"), "the connected client is still served")
        let before = try cpuSeconds(of: redi.process.pid)
        Thread.sleep(forTimeInterval: 1)
        let spent = try cpuSeconds(of: redi.process.pid) - before
        #expect(spent < 0.3, "redi used \(spent) s of CPU in a second in which it could not accept")
        flood.removeAll()
        let later = try RESPClient(port: redi.port)
        #expect(try later.send(["PING"]) == .status("PONG"), "a client is accepted once descriptors are free")
        #expect(try first.send(["PING"]) == .status("PONG"))
    }

    /// User and system CPU time a process has used.
    func cpuSeconds(of pid: pid_t) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        return Double((Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func residentBytes(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return (Int(line.split(separator: " ")[1]) ?? 0) * 1024
    }

    @Test func redisBenchmarkRunsWithoutErrors() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try Server(["--no-snapshot"], in: directory)
        let benchmark = try #require(which("redis-benchmark"), "redis-benchmark is needed (apt-get install redis-tools)")
        let result = try runProcess(benchmark, ["-p", "\(redi.port)", "-t", "ping,set,get,incr,mset", "-n", "5000", "-q"])
        #expect(result.status == 0)
        for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"] {
            #expect(result.text.contains("\(test): "), "\(test) ran: \(result.text)")
        }
        #expect(!result.text.contains("ERR") && !result.text.lowercased().contains("error"), "\(result.text)")
        let count = try Self.redisCli(["-p", "\(redi.port)", "GET", "counter:__rand_int__"])
        #expect(count.text == "5000\n", "every INCR counted")
    }
}
