import Foundation
import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// `redi connect`: the UI over a real redis-server 7.0 (and over redi
/// --port), in tmux, with the server changed behind its back by redis-cli.
@Suite("redi connect to a real server", .serialized)
struct RemoteModeTests {
    /// redis-server on a free TCP port, with `settings`.
    static func redis(_ settings: [String] = ["--notify-keyspace-events", "KA"], port: Int? = nil) throws -> (RedisServer, Int) {
        let port = try port ?? freePort()
        let server = try RedisServer(directory: try makeTemporaryDirectory("redis"), port: port, settings: settings)
        return (server, port)
    }

    /// Esc, and a wait until the table has the focus: keys typed at once
    /// after Esc would read as Alt with them.
    func focusTable(_ terminal: TmuxTerminal) throws {
        try terminal.type("Escape")
        #expect(terminal.waitFor { $0.contains { $0.contains("Esc or Tab: command bar") } })
    }

    func connect(_ arguments: String, environment: String = "") throws -> TmuxTerminal {
        let terminal = try TmuxTerminal("\(environment) \(rediPath) connect \(arguments); echo exit=$?; sleep 60")
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the first frame appears: \(terminal.screen)")
        return terminal
    }

    /// Rows from SCAN, then changes made by redis-cli within moments, a
    /// key counting down and leaving at its deadline, a typed command run
    /// on the server, and each detail view read from it.
    @Test func theTableFollowsTheServer() throws {
        let (redis, port) = try Self.redis()
        var lines = (1...300).map { "SET key:\($0) value\($0)" }
        lines += ["HSET user:1 name Ada lang Swift", "RPUSH queue a b c", "SADD tags x y", "ZADD board 1 one 2 two", "XADD events * kind start"]
        lines += (1...2500).map { "XADD events * n \($0)" } + ["XGROUP CREATE events workers $"]
        try redis.cli([], input: Array((lines.joined(separator: "\n") + "\n").utf8))
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.first?.contains("305 keys") == true && $0.first?.contains("live") == true }, "\(terminal.screen.first ?? "")")
        #expect(terminal.screen.contains { $0.hasPrefix("│board") && $0.contains("zset") })
        // The server's clients, from the INFO the dashboard reads: redi's reader, session and subscriber.
        #expect(terminal.waitFor { $0.first?.contains(", 3 clients") == true }, "\(terminal.screen.first ?? "")")

        try redis.cli("SET", "aaa", "fresh")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│aaa") && $0.contains("fresh") } }, "a key set by redis-cli appears")
        try redis.cli("SET", "aab", "soon", "PX", "1500")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│aab") && $0.range(of: #"\b1\.\ds\b"#, options: .regularExpression) != nil } })
        #expect(terminal.waitFor({ !$0.contains { $0.hasPrefix("│aab") } }, timeout: .seconds(5)), "it leaves at its deadline")
        try redis.cli("DEL", "aaa")
        #expect(terminal.waitFor { !$0.contains { $0.hasPrefix("│aaa") } })

        try terminal.type("SET 0typed here", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│0typed") } })
        #expect(try redis.cli("GET", "0typed").text == "here\n", "the typed command ran on the server")
        try terminal.type("HGETALL user:1", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("\"Ada\"") } }, "replies are shown typed")
        // Hints and completion come from the server's COMMAND DOCS: GEOADD is Redis's, not in redi's table.
        try terminal.type("GEOADD ")
        #expect(terminal.waitFor { $0.contains { $0.contains(">> GEOADD") && $0.contains("longitude latitude member") } })
        try terminal.type("C-u", "geosea", "Tab")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix(">> geosearch") } })
        try terminal.type("C-u")
        // F2 follows the server's MONITOR: another client's command shows in the log.
        try terminal.type("F2")
        #expect(terminal.waitFor { $0.first?.contains("following") == true })
        try redis.cli("SET", "watched", "by monitor")
        #expect(terminal.waitFor { $0.contains { $0.contains("\"SET\" \"watched\" \"by monitor\"") } }, "\(terminal.screen.suffix(6))")
        try terminal.type("F2")
        #expect(terminal.waitFor { $0.first?.contains("following") == false })

        // The detail views: the hash's fields, a list's, a set's and a sorted set's rows, the stream's entries.
        try focusTable(terminal)
        try terminal.type("/", "user:*", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("filter user:*") == true })
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("FIELD") } && $0.contains { $0.contains("lang") && $0.contains("Swift") } })
        // The list, the set and the sorted set, each read from the server in its own way.
        for (key, header, row) in [("queue", "INDEX", ["2", "c"]), ("tags", "MEMBER", ["y"]), ("board", "RANK", ["1", "two", "2"])] {
            try terminal.type("Enter", "/", "C-u", key, "Enter")
            #expect(terminal.waitFor { $0.first?.contains("filter \(key)") == true })
            try terminal.type("Enter")
            #expect(terminal.waitFor { screen in
                screen.contains { $0.contains(header) } && screen.contains { line in line.inPane.split(separator: " ").map(String.init) == row }
            }, "\(key): \(terminal.screen)")
        }
        try terminal.type("Enter", "/", "C-u", "events", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("filter events") == true })
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("ID") && $0.contains("FIELDS") } && $0.contains { $0.contains("kind=start") } })
        #expect(terminal.screen.contains { $0.contains("events · stream") && $0.contains("· 1 consumer group") }, "XINFO STREAM")
        // The last page of a long stream, read backwards from its end, shown in order.
        try terminal.type("G")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("n=2500") } }, "\(terminal.screen)")
        let entries = terminal.screen.filter { $0.contains(" n=") }.compactMap { Int($0.inPane.split(separator: "=").last ?? "") }
        #expect(entries.count > 3 && entries == Array((2501 - entries.count)...2500), "\(entries)")
        try terminal.type("g")
        #expect(terminal.waitFor { $0.contains { $0.contains("kind=start") } })
        try terminal.type("d")
        #expect(terminal.waitFor { $0.contains { $0.contains("read-only") } }, "a stream cannot be changed from the view")
        try terminal.type("Enter", "q")
        #expect(terminal.waitFor { $0.contains("exit=0") })
    }

    /// A server without notifications: redi asks once; yes turns them on,
    /// --no-config never asks and leaves the server as it was.
    @Test func notificationsAreTurnedOnOnlyWhenTheUserSaysSo() throws {
        let (redis, port) = try Self.redis([])
        let asked = try TmuxTerminal("\(rediPath) connect redis://127.0.0.1:\(port); echo exit=$?; sleep 60")
        #expect(asked.waitFor { $0.joined().contains("Turn them on") })
        try asked.type("y", "Enter")
        #expect(asked.waitFor { $0.first?.contains("live") == true })
        #expect(try redis.cli("CONFIG", "GET", "notify-keyspace-events").text.contains("AK"))
        try asked.type("C-c")
        #expect(asked.waitFor { $0.contains("exit=0") })

        try redis.cli("CONFIG", "SET", "notify-keyspace-events", "")
        try redis.cli("SET", "shown", "before")
        let untouched = try connect("--no-config redis://127.0.0.1:\(port)")
        #expect(untouched.waitFor { $0.first?.contains("not live") == true })
        #expect(try redis.cli("CONFIG", "GET", "notify-keyspace-events").text == "notify-keyspace-events\n\n")
        // Not live: the rows on screen are read again each second.
        #expect(untouched.waitFor { $0.contains { $0.hasPrefix("│shown") && $0.contains("before") } })
        try redis.cli("SET", "shown", "after", "EX", "100")
        #expect(untouched.waitFor { $0.contains { $0.hasPrefix("│shown") && $0.contains("after") && $0.contains("1m") } })
        try redis.cli("DEL", "shown")
        #expect(untouched.waitFor { !$0.contains { $0.hasPrefix("│shown") } })
    }

    /// --read-only: a typed write, a table delete and a script are refused
    /// before they reach the server; reads go on.
    @Test func readOnlyRefusesEveryWrite() throws {
        let (redis, port) = try Self.redis()
        try redis.cli("SET", "precious", "1")
        let terminal = try connect("--read-only redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.first?.contains("read-only") == true && $0.contains { $0.hasPrefix("│precious") } })
        try terminal.type("SET other 2", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("read-only (--read-only): SET not sent") } })
        try terminal.type("EVAL \"return redis.call('del', 'precious')\" 0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("EVAL not sent") } })
        try terminal.type("CONFIG SET maxmemory 1", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("CONFIG not sent") } })
        try terminal.type("GET precious", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix(" \"1\"") } })
        try focusTable(terminal)
        try terminal.type("d")
        #expect(terminal.waitFor { $0.joined().contains("Delete") || $0.joined().contains("delete") })
        try terminal.type("y")
        #expect(terminal.waitFor { $0.contains { $0.contains("DEL not sent") } })
        #expect(try redis.cli("EXISTS", "precious").text == "1\n")
        #expect(try redis.cli("EXISTS", "other").text == "0\n")
        #expect(try redis.cli("CONFIG", "GET", "maxmemory").text == "maxmemory\n0\n")
    }

    /// Passwords from the URL, REDISCLI_AUTH and an ACL user; a wrong one,
    /// a refused port, an unknown host, a server that never answers and a
    /// bad URL each end redi with one line and status 1.
    @Test func loginsAndEveryWayToFail() throws {
        let (redis, port) = try Self.redis()
        try redis.cli("CONFIG", "SET", "requirepass", "s3cret")
        try redis.cli("-a", "s3cret", "--no-auth-warning", "ACL", "SETUSER", "alice", "on", ">wonderland", "~*", "&*", "+@all")
        try redis.cli("-a", "s3cret", "--no-auth-warning", "SET", "secret", "kept")
        func fails(_ arguments: [String], environment: [String: String] = [:], _ expected: String) throws {
            let started = ContinuousClock.now
            let command = environment.map { "\($0.key)=\($0.value)" } + [rediPath, "connect"] + arguments.map { "'\($0)'" }
            let result = try runProcess("/bin/sh", ["-c", command.joined(separator: " ") + " </dev/null"])
            #expect(result.status == 1, "\(arguments): \(result.error)")
            let lines = result.error.split(separator: "\n")
            #expect(lines.count == 1 && result.error.contains(expected), "\(arguments): \(result.error)")
            #expect(!result.error.contains("s3cret") && !result.error.contains("wonderland") && !result.error.contains("wrong"), "no password in a message")
            #expect(ContinuousClock.now - started < .seconds(4))
        }
        try fails(["redis://127.0.0.1:\(port)"], "NOAUTH")
        try fails(["redis://:wrong@127.0.0.1:\(port)"], "refused the credentials")
        try fails(["redis://alice:wrong@127.0.0.1:\(port)"], "refused the credentials")
        try fails(["redis://127.0.0.1:\(port)"], environment: ["REDISCLI_AUTH": "wrong"], "refused the credentials")
        try fails(["redis://127.0.0.1:\(try freePort())"], "connection refused")
        try fails(["redis://no-such-host.invalid:6379"], "unknown host")
        try fails(["http://127.0.0.1"], "not a Redis URL")
        // redi's own store's flags mean nothing here: said, not ignored.
        try fails(["--port", "7000", "--no-snapshot", "redis://127.0.0.1:\(port)"], "--no-snapshot, --port are for redi's own store, not for redi connect")
        // Listens, never answers.
        let silent = try LoopbackListener()
        try fails(["--connect-timeout", "1", "redis://127.0.0.1:\(silent.port)"], "did not answer in time")
        // A fraction of a second is waited in full (it was once cut to whole seconds: no wait at all).
        let waited = ContinuousClock.now
        try fails(["--connect-timeout", "0.5", "redis://127.0.0.1:\(silent.port)"], "did not answer in time")
        #expect(ContinuousClock.now - waited >= .milliseconds(450))

        // --askpass: typed at a prompt that does not echo it.
        let asking = try TmuxTerminal("\(rediPath) connect --askpass redis://127.0.0.1:\(port); echo exit=$?; sleep 60")
        #expect(asking.waitFor { $0.joined().contains("Password for 127.0.0.1:\(port):") })
        try asking.type("s3cret")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!asking.screen.joined().contains("s3cret"), "the password is not echoed")
        try asking.type("Enter")
        #expect(asking.waitFor { $0.contains { $0.hasPrefix("│secret") } })
        try asking.type("C-c")
        #expect(asking.waitFor { $0.contains("exit=0") })

        for (url, environment) in [("redis://:s3cret@127.0.0.1:\(port)", ""), ("redis://alice:wonderland@127.0.0.1:\(port)", ""),
                                   ("redis://127.0.0.1:\(port)", "REDISCLI_AUTH=s3cret")] {
            let terminal = try connect(url, environment: environment)
            #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│secret") } }, "\(url) \(environment)")
            try terminal.type("C-c")
            #expect(terminal.waitFor { $0.contains("exit=0") })
        }
    }

    /// The server killed mid-session: the status line says so, redi
    /// retries, and when a server is back on the port the table shows its keys.
    @Test func aServerThatGoesAwayAndComesBack() throws {
        var (redis, port) = try Self.redis()
        try redis.cli("SET", "before", "1")
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│before") } })
        redis.stop()
        #expect(terminal.waitFor { $0.first?.contains("disconnected") == true }, "\(terminal.screen.first ?? "")")
        try terminal.type("GET before", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("not connected to 127.0.0.1:\(port)") } })
        (redis, port) = try Self.redis(port: port)
        try redis.cli("SET", "after", "2")
        #expect(terminal.waitFor({ $0.contains { $0.hasPrefix("│after") } && $0.first?.contains("live") == true }, timeout: .seconds(15)))
        #expect(!terminal.screen.contains { $0.hasPrefix("│before") }, "the table is the new server's")
        try redis.cli("SET", "later", "3")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│later") } }, "and follows it live")
        // The subscriber alone cut off (CLIENT KILL): redi connects again rather than go quietly stale.
        try redis.cli("CLIENT", "KILL", "TYPE", "pubsub")
        try redis.cli("SET", "after-kill", "4")
        #expect(terminal.waitFor({ $0.contains { $0.hasPrefix("│after-kill") } }, timeout: .seconds(15)), "live again")
        #expect(terminal.isRunning)
    }

    /// redi's own server, as any other: rows, live changes, typed commands.
    @Test func rediItselfOnAPort() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let server = try RediProcess(["--no-tui", "--no-snapshot", "--port", "\(port)"], in: directory)
        defer {
            server.signal(SIGTERM)
            _ = server.wait()
        }
        let cli = try tool("redis-cli", from: "redis-tools")
        let start = ContinuousClock.now
        while (try? runProcess(cli, ["-p", "\(port)", "PING"]).text) != "PONG\n", ContinuousClock.now - start < .seconds(10) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try runProcess(cli, ["-p", "\(port)", "CONFIG", "SET", "notify-keyspace-events", "KA"])
        try runProcess(cli, ["-p", "\(port)", "RPUSH", "jobs", "a", "b"])
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│jobs") && $0.contains("list") } && $0.first?.contains("live") == true })
        try runProcess(cli, ["-p", "\(port)", "SET", "from-cli", "v"])
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│from-cli") } })
        try terminal.type("LPOP jobs", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix(" \"a\"") } })
        #expect(try runProcess(cli, ["-p", "\(port)", "LLEN", "jobs"]).text == "1\n")
    }

    /// The terminal closed (SIGHUP) while the server is away: redi ends
    /// anyway, though what it was sending can never be answered.
    @Test func closingTheTerminalWhileTheServerIsAwayEndsRedi() throws {
        let (redis, port) = try Self.redis()
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.first?.contains("live") == true })
        redis.stop()
        #expect(terminal.waitFor { $0.first?.contains("disconnected") == true })
        let pattern = "redi connect redis://127.0.0.1:\(port)"
        #expect(try runProcess("/usr/bin/pgrep", ["-f", pattern]).status == 0)
        try runProcess(terminal.tmux, ["kill-session", "-t", terminal.name])
        let start = ContinuousClock.now
        while (try runProcess("/usr/bin/pgrep", ["-f", pattern]).status) == 0, ContinuousClock.now - start < .seconds(10) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try runProcess("/usr/bin/pgrep", ["-f", pattern]).status != 0, "redi is gone")
    }

    /// A certificate authority, a server certificate for `localhost` only
    /// and a client certificate, made with openssl in `directory`.
    static func makeCertificates(in directory: String) throws {
        let openssl = try tool("openssl", from: "openssl")
        func run(_ arguments: [String]) throws {
            let result = try runProcess(openssl, arguments, directory: directory)
            if result.status != 0 { throw TestFailure("openssl \(arguments.joined(separator: " ")): \(result.error)") }
        }
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=redi test CA"])
        try "subjectAltName=DNS:localhost\n".write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        for name in ["server", "client"] {
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=localhost"])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).crt", "-days", "2"]
                + (name == "server" ? ["-extfile", "server.ext"] : []))
        }
    }

    /// rediss:// against redis-server with TLS: the authority given, the
    /// host name checked, --insecure, a client certificate; and the ways
    /// it fails, each one line and status 1.
    @Test func tlsWithCertificatesTheTestMakes() throws {
        let directory = try makeTemporaryDirectory("tls")
        try Self.makeCertificates(in: directory)
        let tlsPort = try freePort(), checkedPort = try freePort()
        let files = ["--tls-cert-file", "\(directory)/server.crt", "--tls-key-file", "\(directory)/server.key",
                     "--tls-ca-cert-file", "\(directory)/ca.crt", "--notify-keyspace-events", "KA"]
        let (redis, _) = try Self.redis(files + ["--tls-port", "\(tlsPort)", "--tls-auth-clients", "no"])
        let (checking, _) = try Self.redis(files + ["--tls-port", "\(checkedPort)", "--tls-auth-clients", "yes"])
        try redis.cli("SET", "over-tls", "yes")
        try checking.cli("SET", "client-checked", "yes")
        let ca = "\(directory)/ca.crt"
        let terminal = try connect("--cacert \(ca) rediss://localhost:\(tlsPort)")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│over-tls") } && $0.first?.contains("live") == true })
        try redis.cli("SET", "after", "1")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│after") } }, "notifications over TLS")
        let insecure = try connect("--insecure rediss://127.0.0.1:\(tlsPort)")
        #expect(insecure.waitFor { $0.contains { $0.hasPrefix("│over-tls") } })
        let withCertificate = try connect("--cacert \(ca) --cert \(directory)/client.crt --key \(directory)/client.key rediss://localhost:\(checkedPort)")
        #expect(withCertificate.waitFor { $0.contains { $0.hasPrefix("│client-checked") } })

        func fails(_ arguments: String, _ expected: String) throws {
            let result = try runProcess("/bin/sh", ["-c", "\(rediPath) connect \(arguments) </dev/null"])
            #expect(result.status == 1 && result.error.split(separator: "\n").count == 1 && result.error.contains(expected), "\(arguments): \(result.error)")
        }
        try fails("rediss://localhost:\(tlsPort)", "certificate is not trusted")
        try fails("--cacert \(ca) rediss://127.0.0.1:\(tlsPort)", "does not name this host")
        try fails("redis://127.0.0.1:\(tlsPort)", "a TLS port?")
        try fails("--cacert \(ca) rediss://localhost:\(checkedPort)", "wants a client certificate")
        try fails("--cacert \(directory)/none.crt rediss://localhost:\(tlsPort)", "cannot read \(directory)/none.crt")
        try fails("--cacert \(directory)/ca.key rediss://localhost:\(tlsPort)", "holds no PEM certificate")
        try fails("--cacert \(ca) redis://localhost:\(tlsPort)", "use rediss:// or --tls")
    }

    /// A filter set while a large keyspace (100,000 keys) is still loading asks the server
    /// for the matching keys (SCAN MATCH): only they are loaded; clearing
    /// the filter loads everything again, and the key tree counts it as it comes.
    @Test func aFilterWhileLoadingIsPushedToTheServer() throws {
        let (redis, port) = try Self.redis()
        try redis.cli("DEBUG", "POPULATE", "100000")
        try redis.cli("SET", "special:one", "1")
        try redis.cli("SET", "special:two", "2")
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.first?.contains("keys loading") == true }, "\(terminal.screen.first ?? "")")
        try focusTable(terminal)
        try terminal.type("/", "special:*", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("db 0: 2 keys") == true && $0.first?.contains("loading") == false },
                "\(terminal.screen.first ?? "")")
        #expect(terminal.screen.contains { $0.hasPrefix("│special:one") } && terminal.screen.contains { $0.hasPrefix("│special:two") })
        try terminal.type("/", "C-u", "Enter")
        // The tree while all load again: a folder counts what is loaded, marked so, until the scan ends.
        try terminal.type("v")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│▸ key:") && $0.contains("+ keys ") } }, "\(terminal.screen.prefix(4))")
        #expect(terminal.waitFor({ $0.first?.contains("db 0: 100002 keys") == true }, timeout: .seconds(60)), "\(terminal.screen.first ?? "")")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│▸ key:") && $0.contains(" 100000 keys ") } }, "\(terminal.screen.prefix(4))")
        #expect(terminal.screen.contains { $0.hasPrefix("│▸ special:") && $0.contains(" 2 keys ") })
    }

    /// A three-node Redis Cluster: every master scanned, the status line
    /// counting nodes and keys, changes on any node followed, a typed
    /// command sent to its key's master (whichever node redi started from),
    /// a MOVED followed after a slot moves, an ASK while one migrates, and
    /// the detail view naming the node.
    @Test func aClusterOfThreeNodes() throws {
        let cluster = try RedisCluster(directory: try makeTemporaryDirectory("cluster"), settings: ["--notify-keyspace-events", "KA"])
        for index in 0..<60 { try cluster.cli("SET", "key:\(index)", "value \(index)") }
        let counts = try cluster.nodes.map { Int(try $0.cli("DBSIZE").text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
        #expect(counts.allSatisfy { $0 > 0 }, "spread over the nodes: \(counts)")
        let terminal = try connect("redis://127.0.0.1:\(cluster.ports[1])")
        #expect(terminal.waitFor { $0.first?.contains("db 0: 60 keys") == true && $0.first?.contains("cluster of 3 nodes, live") == true },
                "\(terminal.screen.first ?? "")")
        // key:{a} and key:{b} hash to different slots, so to different nodes among three.
        for key in ["0aa{a}", "0bb{b}", "0cc{c}"] { try cluster.cli("SET", key, "from-cli") }
        #expect(terminal.waitFor { screen in ["0aa{a}", "0bb{b}", "0cc{c}"].allSatisfy { key in screen.contains { $0.hasPrefix("│" + key) } } })
        for key in ["0dd{a}", "0ee{b}", "0ff{c}"] { try terminal.type("SET \(key) typed", "Enter") }
        #expect(terminal.waitFor { screen in ["0dd{a}", "0ee{b}", "0ff{c}"].allSatisfy { key in screen.contains { $0.hasPrefix("│" + key) } } })
        for key in ["0dd{a}", "0ee{b}", "0ff{c}"] { #expect(try cluster.cli("GET", key).text == "typed\n") }
        #expect(!terminal.screen.contains { $0.contains("MOVED") })

        // Move a key's slot to another node behind redi's back (or leave it
        // migrating, its keys moved: the old node answers ASK); returns the slot and the node's index.
        func moveSlot(of key: String, finish: Bool = true) throws -> (slot: Int, target: Int) {
            let slot = Int(try cluster.cli("CLUSTER", "KEYSLOT", key).text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let owner = try cluster.nodes.firstIndex { Int(try $0.cli("CLUSTER", "COUNTKEYSINSLOT", "\(slot)").text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0 }!
            let target = (owner + 1) % 3
            let targetID = try cluster.nodes[target].cli("CLUSTER", "MYID").text.trimmingCharacters(in: .whitespacesAndNewlines)
            let ownerID = try cluster.nodes[owner].cli("CLUSTER", "MYID").text.trimmingCharacters(in: .whitespacesAndNewlines)
            try cluster.nodes[target].cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", ownerID)
            try cluster.nodes[owner].cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID)
            let keys = try cluster.nodes[owner].cli("CLUSTER", "GETKEYSINSLOT", "\(slot)", "100").text.split(separator: "\n").map(String.init)
            try cluster.nodes[owner].cli(["MIGRATE", "127.0.0.1", "\(cluster.ports[target])", "", "0", "5000", "KEYS"] + keys)
            if !finish { return (slot, target) }
            for node in cluster.nodes { try node.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) }
            return (slot, target)
        }
        // A typed command on a moved key follows MOVED.
        let (slot, target) = try moveSlot(of: "0dd{a}")
        try terminal.type("APPEND 0dd{a} -moved", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("(integer) 11") } }, "APPEND answered after MOVED: \(terminal.screen.suffix(8))")
        let moved = try cluster.nodes[target].cli("GET", "0dd{a}").text
        #expect(moved == "typed-moved\n", "on the target: \(moved)")
        // A change redis-cli makes to a moved key: its row is read from the new node, not dropped.
        let other = try moveSlot(of: "0ee{b}")
        try cluster.nodes[other.target].cli("SET", "0ee{b}", "changed-there")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│0ee{b}") && $0.contains("changed-there") } }, "\(terminal.screen.prefix(8))")
        // A slot caught migrating: the old node answers ASK, redi asks the new one (ASKING first).
        let migrating = try moveSlot(of: "0ff{c}", finish: false)
        try terminal.type("APPEND 0ff{c} -ask", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("(integer) 9") } }, "APPEND answered after ASK: \(terminal.screen.suffix(8))")
        #expect(!terminal.screen.contains { $0.contains("ASK") && $0.contains("(error)") })
        let targetID = try cluster.nodes[migrating.target].cli("CLUSTER", "MYID").text.trimmingCharacters(in: .whitespacesAndNewlines)
        for node in cluster.nodes { try node.cli("CLUSTER", "SETSLOT", "\(migrating.slot)", "NODE", targetID) }
        #expect(try cluster.nodes[migrating.target].cli("GET", "0ff{c}").text == "typed-ask\n", "APPEND ran on the new node")

        try focusTable(terminal)
        // A cluster has database 0 only: the next one shows empty, and back again shows the keys.
        try terminal.type("]")
        #expect(terminal.waitFor { $0.first?.contains("db 1: 0 keys") == true }, "\(terminal.screen.first ?? "")")
        try terminal.type("[")
        #expect(terminal.waitFor { $0.first?.contains("db 0: 66 keys") == true }, "\(terminal.screen.first ?? "")")
        try terminal.type("/", "0dd*", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("filter 0dd*") == true })
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("on 127.0.0.1:\(cluster.ports[target]), slot \(slot)") } }, "\(terminal.screen.prefix(3))")
    }

    /// Keys and values as bytes: binary, emoji, a newline in a key, a 20 KB
    /// key, a 5 MB value, a hash of 50,000 fields, each shown escaped and
    /// cut to its column, followed live and opened in the detail view.
    @Test func anyBytesAsKeysAndValues() throws {
        let (redis, port) = try Self.redis()
        defer { withExtendedLifetime(redis) {} }
        let client = try RESPClient(port: port)
        let binary = Bytes([0x30, 0x00, 0xFF, 0x41])
        let long = Bytes(Array(repeating: UInt8(ascii: "k"), count: 20_000))
        _ = try client.send(["SET", binary, Bytes([0x00, 0x01, 0xFE])])
        _ = try client.send(["SET", "1🔑 key", "värde ✓"])
        _ = try client.send(["SET", "2line\nbreak", "x"])
        _ = try client.send(["SET", long, Bytes(Array(repeating: UInt8(ascii: "v"), count: 5_000_000))])
        for start in stride(from: 0, to: 50_000, by: 5_000) {
            _ = try client.send(["HSET", "3big"] + (start..<start + 5_000).flatMap { [Bytes("field:\($0)"), Bytes("\($0)")] })
        }
        let terminal = try connect("redis://127.0.0.1:\(port)")
        #expect(terminal.waitFor { $0.first?.contains("5 keys") == true }, "\(terminal.screen.first ?? "")")
        let screen = terminal.screen
        #expect(screen.contains { $0.hasPrefix("│0\\x00\\xffA") && $0.contains("\\x00\\x01\\xfe") }, "\(screen.prefix(8))")
        #expect(screen.contains { $0.hasPrefix("│1🔑 key") && $0.contains("värde ✓") })
        #expect(screen.contains { $0.hasPrefix("│2line\\nbreak") })
        #expect(screen.contains { $0.hasPrefix("│3big") && $0.contains("hash") && $0.contains("50000") })
        #expect(screen.contains { $0.hasPrefix("│kkkk") && $0.contains("…") && $0.contains("5000000") }, "a long key is cut, its length shown")
        #expect(screen.allSatisfy { TextWidth.of($0) <= 120 }, "no row wider than the terminal")
        _ = try client.send(["APPEND", binary, Bytes([0x02])])
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│0\\x00\\xffA") && $0.contains("\\x00\\x01\\xfe\\x02") } })
        // The hash's detail view pages through HSCAN.
        try focusTable(terminal)
        try terminal.type("/", "3big", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("filter 3big") == true })
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("3big · hash · 50000 fields") } })
        try terminal.type("End")
        #expect(terminal.waitFor { $0.contains { $0.contains("of 50000") } && $0.contains { $0.contains("field:") } }, "\(terminal.screen.prefix(3))")
    }

    /// `redi connect` from a pipe: the line mode over the server, replies raw,
    /// QUIT before the end of input, --read-only refusals, and `--tui` without
    /// a terminal saying what to do instead.
    @Test func commandsFromAPipe() throws {
        let (redis, port) = try Self.redis()
        let url = "redis://127.0.0.1:\(port)"
        let result = try runProcess(rediPath, ["connect", url], input: Array("SET a 1\nINCR a\nGET a\nRPUSH l x y\nLRANGE l 0 -1\nHGETALL none\nQUIT\nSET after 1\n".utf8))
        #expect(result.status == 0, "\(result.error)")
        #expect(result.text == "OK\n2\n2\n2\nx\ny\n(empty array)\n")
        #expect(try redis.cli("EXISTS", "after").text == "0\n")
        let refused = try runProcess(rediPath, ["connect", "--read-only", url], input: Array("SET b 2\nGET a\n".utf8))
        #expect(refused.text == "(error) ERR redi is read-only (--read-only): SET not sent\n2\n")
        let ui = try runProcess(rediPath, ["connect", "--tui", url], input: [])
        #expect(ui.status == 2 && ui.error.contains("run redi connect --no-tui for the line prompt"), "\(ui.error)")
    }
}
