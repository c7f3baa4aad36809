import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The full-screen UI in a real terminal (tmux), typed at as a person would.
@Suite("redi --tui in a terminal", .serialized)
struct TerminalUITests {
    func start(in directory: String, _ flags: String = "") throws -> TmuxTerminal {
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --tui \(flags); echo exit=$?; sleep 60")
        // Wait for the first frame before typing, or the tty echoes the keys.
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the first frame appears")
        return terminal
    }

    @Test func aVolatileKeyCountsDownAndLeavesWithALogLine() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("SET temp soon PX 2500", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│temp") && $0.contains("soon") } })
        let row = terminal.screen.first { $0.hasPrefix("│temp") } ?? ""
        #expect(row.range(of: #"\b[12]\.\ds\b"#, options: .regularExpression) != nil, "TTL in tenths: \(row)")
        #expect(terminal.waitFor({ $0.contains { $0.inPane.hasSuffix("key \"temp\" expired") } }, timeout: .seconds(5)))
        #expect(!terminal.screen.contains { $0.hasPrefix("│temp ") }, "the row is gone")
        #expect(terminal.screen.contains { $0.inPane.hasSuffix(">> SET temp soon PX 2500") })
        #expect(terminal.screen.contains { $0.inPane.hasSuffix(" OK") })
    }

    @Test func helpOverlayAndResizeToTinyAndBack() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("F1")
        #expect(terminal.waitFor { $0.contains { $0.contains("Keys (F1 or ? closes)") } })
        #expect(terminal.screen.contains { $0.contains("then TTL (soonest first)") }, "generated from the bindings")
        try terminal.type("F1")
        #expect(terminal.waitFor { !$0.contains { $0.contains("Keys (F1 or ? closes)") } })
        try terminal.resize(width: 30, height: 8)
        #expect(terminal.waitFor { $0.contains { $0.contains("terminal too small") } })
        try terminal.resize(width: 120, height: 35)
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the layout returns")
    }

    /// With --appendonly the status line names the file's policy and size,
    /// and a key typed in the UI is in the file when redi is killed.
    @Test func theAppendOnlyFileShowsInTheStatusLine() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--appendonly --appendfsync always")
        try terminal.type("SET durable yes", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│durable") } })
        #expect(terminal.waitFor { $0.first?.contains("AOF always") == true }, "\(terminal.screen.first ?? "")")
        try runProcess("/usr/bin/pkill", ["-9", "-f", "redi --tui --appendonly"])
        let check = try runRedi(["--appendonly"], input: "GET durable\n", in: directory)
        #expect(check.text == "yes\n", "\(check.error)")
    }

    @Test(arguments: ["C-c", "C-d", "EXIT"])
    func quittingSavesAndRestoresTheTerminal(_ keys: String) throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("SET kept yes", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│kept") } })
        #expect(terminal.waitFor { $0.first?.contains("redi.rdb saved") == true && $0.first?.contains(", 1 unsaved") == true })
        if keys == "EXIT" { try terminal.type("EXIT", "Enter") } else { try terminal.type(keys) }
        #expect(terminal.waitFor { $0.contains("exit=0") })
        #expect(!terminal.screen.contains { $0.hasPrefix(" redi │") }, "the UI's screen is gone")
        let check = try runRedi([], input: "GET kept\n", in: directory)
        #expect(check.text == "yes\n")
    }

    @Test func sigtermRestoresTheTerminalAndSaves() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--snapshot signalled.rdb")
        try terminal.type("SET signalled 1", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│signalled") } })
        try runProcess("/usr/bin/pkill", ["-TERM", "-f", "^\(rediPath) --tui --snapshot signalled.rdb"])
        #expect(terminal.waitFor { $0.contains("exit=0") })
        let check = try runRedi(["--snapshot", "signalled.rdb"], input: "GET signalled\n", in: directory)
        #expect(check.text == "1\n")
    }

    @Test func closingTheTerminalWindowSavesAndEnds() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--snapshot window.rdb")
        try terminal.type("SET closed window", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│closed") } })
        try runProcess(terminal.tmux, ["kill-session", "-t", terminal.name])
        var running = true
        for _ in 0..<100 where running {
            Thread.sleep(forTimeInterval: 0.05)
            running = (try? runProcess("/usr/bin/pgrep", ["-f", "^\(rediPath) --tui --snapshot window.rdb"]).status) == 0
        }
        #expect(!running, "redi ends when its terminal goes away, instead of spinning")
        let check = try runRedi(["--snapshot", "window.rdb"], input: "GET closed\n", in: directory)
        #expect(check.text == "window\n")
    }

    @Test func anUnknownTerminalIsRefusedCleanly() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal(
            "cd \(directory) && TERM=no-such-terminal \(rediPath) --tui > out.txt 2> err.txt; echo exit=$?; sleep 60")
        #expect(terminal.waitFor { $0.contains("exit=2") })
        let output = try String(contentsOfFile: "\(directory)/out.txt", encoding: .utf8)
        let errors = try String(contentsOfFile: "\(directory)/err.txt", encoding: .utf8)
        #expect(output.isEmpty, "no escape codes written")
        #expect(errors.contains("--no-tui"))
    }

    /// Each terminal type the UI supports, and how an error reply's red reaches it.
    enum Colours: Sendable { case many, eight, none }

    @Test(arguments: [
        ("xterm-256color", "", Colours.many), ("tmux-256color", "", .many), ("xterm", "", .eight),
        ("screen", "", .eight), ("linux", "", .eight), ("vt100", "", .none), ("xterm-256color", "NO_COLOR=1", .none),
    ])
    func worksUnderEachTerminalTypeWithItsColours(term: String, environment: String, colours: Colours) throws {
        let directory = try makeTemporaryDirectory()
        // swift test sets NO_COLOR for what it runs: each case sets its own.
        let terminal = try TmuxTerminal("cd \(directory) && env -u NO_COLOR TERM=\(term) \(environment) \(rediPath) --tui; echo exit=$?; sleep 60")
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the first frame appears")
        try terminal.type("SET shown here", "Enter")
        try terminal.type("NOSUCH", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("(error) ERR unknown command 'NOSUCH'") } }, "\(term)")
        #expect(terminal.screen.contains { $0.hasPrefix("│shown") && $0.contains("here") }, "\(term): the row")
        let styled = terminal.styledScreen
        let eightColourRed = styled.range(of: #"\x1b\[([0-9]+;)*31m"#, options: .regularExpression) != nil
        switch colours {
        case .many: #expect(styled.contains("38;5;167") && !eightColourRed, "\(term): 256-colour red")
        case .eight: #expect(eightColourRed && !styled.contains("38;5;"), "\(term): standard red")
        case .none: #expect(styled.range(of: #"\x1b\[([0-9]+;)*(3[0-7]|38;5;[0-9]+)m"#, options: .regularExpression) == nil, "\(term) \(environment): no colour")
        }
        try terminal.type("C-c")
        #expect(terminal.waitFor { $0.contains("exit=0") }, "\(term): quits")
        #expect(!terminal.screen.contains { $0.hasPrefix(" redi │") }, "\(term): the UI's screen is gone")
    }

    @Test func keyMashingNeverCrashes() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("DEBUG POPULATE 200", "Enter")
        var generator = SeededGenerator(state: 225414)
        let keys = ["Up", "Down", "Left", "Right", "PgUp", "PgDn", "Home", "End", "Tab", "Escape", "BSpace", "DC",
                    "C-a", "C-e", "C-k", "C-u", "C-w", "M-b", "M-f", "j", "k", "g", "G", "n", "t", "s", "?", "F1",
                    "x", "\"", "'", "\\", " ", "日", "Enter"]
        for _ in 0..<40 {
            let batch = (0..<50).map { _ in keys.randomElement(using: &generator)! }
            try terminal.type(batch)
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(terminal.isRunning)
        #expect(!terminal.screen.contains { $0.hasPrefix("exit=") && $0 != "exit=0" }, "no crash")
    }
    @Test func historyIsKeptAcrossRunsAndTabCompletes() throws {
        let directory = try makeTemporaryDirectory()
        let history = "\(directory)/history"
        let command = "cd \(directory) && REDI_HISTFILE=\(history) \(rediPath) --tui; echo exit=$?; sleep 60"
        let first = try TmuxTerminal(command)
        #expect(first.waitFor { $0.first?.hasPrefix(" redi │") == true })
        try first.type("SET user:42 Alice", "Enter")
        #expect(first.waitFor { $0.contains { $0.hasPrefix("│user:42") } })
        try first.type("C-c")
        #expect(first.waitFor { $0.contains("exit=0") })

        let second = try TmuxTerminal(command)
        #expect(second.waitFor { $0.first?.hasPrefix(" redi │") == true })
        try second.type("Up")
        #expect(second.waitFor { $0.last { !$0.isEmpty } == ">> SET user:42 Alice" }, "the last run's command is back")
        try second.type("C-u", "GET us", "Tab")
        #expect(second.waitFor { $0.last { !$0.isEmpty } == ">> GET user:42" }, "the key name completes")
        try second.type("Enter")
        #expect(second.waitFor { $0.contains { $0.inPane.hasSuffix("\"Alice\"") } })
        try second.type("C-c")
        #expect(second.waitFor { $0.contains("exit=0") })
    }
    /// Sends keys one at a time, as a person types (ESC then a key at once would read as Alt).
    func press(_ terminal: TmuxTerminal, _ keys: String...) throws {
        for key in keys {
            try terminal.type(key)
            Thread.sleep(forTimeInterval: 0.15)
        }
    }

    @Test func databasesAreShownAndSwitched() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        #expect(terminal.screen.first?.contains("db 0: 0 keys") == true)
        try terminal.type("SET in0 zero", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│in0") } })
        try terminal.type("SELECT 2", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("db 2: 0 keys") == true }, "SELECT switches the table")
        #expect(!terminal.screen.contains { $0.hasPrefix("│in0") })
        try terminal.type("SET in2 two", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│in2") } })
        // In the table, ] and [ step through the databases.
        try press(terminal, "Escape", "]")
        #expect(terminal.waitFor { $0.first?.contains("db 3: 0 keys") == true })
        try press(terminal, "[", "[", "[")
        #expect(terminal.waitFor { $0.first?.contains("db 0: 1 key,") == true })
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│in0") } })
        // Typed commands follow the database shown.
        try press(terminal, "Tab")
        try terminal.type("GET in0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("\"zero\"") } })
    }

    @Test func clientsChangesAppearLiveAndTheLogCanFollowThem() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        #expect(terminal.screen.first?.contains("127.0.0.1:\(port), 0 clients") == true)
        let client = try RESPClient(port: port)
        #expect(terminal.waitFor { $0.first?.contains("127.0.0.1:\(port), 1 client") == true }, "the status line counts clients")
        #expect(try client.send(["SET", "fromclient", "hello", "PX", "60000"]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│fromclient") && $0.contains("hello") } }, "a client's key appears")
        try terminal.type("F2")
        #expect(terminal.waitFor { $0.first?.contains("following") == true })
        #expect(try client.send(["GET", "fromclient"]) == .bulk("hello"))
        #expect(terminal.waitFor { $0.contains { $0.contains("\"GET\" \"fromclient\"") } }, "the log follows client commands")
        try terminal.type("F2")
        #expect(terminal.waitFor { $0.first?.contains("following") == false })
        #expect(try client.send(["DEL", "fromclient"]) == .integer(1))
        #expect(terminal.waitFor { !$0.contains { $0.hasPrefix("│fromclient") } }, "a client's delete removes the row")
        #expect(!terminal.screen.contains { $0.contains("\"DEL\"") }, "no longer following")
    }

    /// Beside `--port`, the UI's session runs the server's commands through
    /// the same processor: INFO, CONFIG, CLIENT, PUBLISH answer as they do
    /// to redis-cli; those that need a connection say so.
    /// A blocking command typed in the bar waits while the UI goes on
    /// drawing (a client's push shows in the table): the reply is logged
    /// when a client serves it; Esc gives up a wait, and the UI stays.
    @Test func aBlockingCommandWaitsWithoutFreezingTheUI() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        try terminal.type("BLPOP jobs 0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("waiting for a reply: Esc cancels") } })
        #expect(try client.send(["SET", "drawn", "while-waiting"]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.contains("drawn") && $0.contains("while-waiting") } }, "the table follows changes")
        #expect(try client.send(["RPUSH", "jobs", "first-job"]) == .integer(1))
        #expect(terminal.waitFor { lines in
            lines.contains { $0.contains("1) \"jobs\"") } && lines.contains { $0.contains("2) \"first-job\"") }
                && !lines.contains { $0.contains("Esc cancels") }
        })
        try terminal.type("BRPOP nothing 0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("waiting for a reply: Esc cancels") } })
        try terminal.type("Escape")
        #expect(terminal.waitFor { lines in
            lines.contains { $0.contains("(the wait is cancelled)") } && lines.contains { $0.contains("(nil)") }
                && !lines.contains { $0.contains("Esc cancels") }
        })
        try terminal.type("PING", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("PONG") } }, "the bar goes on")
    }

    /// A script typed in the bar that runs past `busy-reply-threshold`: the
    /// status line says so, clients get BUSY, Esc kills it (it has not
    /// written) and the kill's error is logged under the EVAL; the UI goes on.
    @Test func aLongScriptInTheBarIsShownAndKilledWithEsc() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        #expect(try client.send(["CONFIG", "SET", "busy-reply-threshold", "100"]) == .status("OK"))
        try terminal.type("EVAL \"while true do end\" 0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("script running: Esc kills it") } })
        #expect(try client.send(["GET", "x"]) == .error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."))
        try terminal.type("Escape")
        #expect(terminal.waitFor { lines in
            lines.contains { $0.contains("Script killed by user with SCRIPT KILL") } && !lines.contains { $0.contains("Esc kills it") }
        })
        #expect(try client.send(["PING"]) == .status("PONG"))
        try terminal.type("EVAL \"return redis.call('ping')\" 0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("PONG") } }, "the bar goes on")
    }

    /// A transaction typed in the bar: the prompt says `(TX)` while it
    /// queues, the table shows nothing of it before EXEC and all of it after.
    @Test func aTransactionInTheBar() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot")
        try terminal.type("MULTI", "Enter")
        #expect(terminal.waitFor { $0.last { $0.hasPrefix("(TX)>>") || $0.hasPrefix(">>") }?.hasPrefix("(TX)>>") == true })
        try terminal.type("SET first 1", "Enter")
        try terminal.type("RPUSH second x", "Enter")
        #expect(terminal.waitFor { $0.filter { $0.contains("QUEUED") }.count == 2 })
        #expect(!terminal.screen.contains { $0.hasPrefix("│first") }, "nothing before EXEC")
        try terminal.type("EXEC", "Enter")
        #expect(terminal.waitFor { lines in
            lines.contains { $0.hasPrefix("│first") } && lines.contains { $0.hasPrefix("│second") }
                && lines.last { $0.hasPrefix("(TX)>>") || $0.hasPrefix(">>") }?.hasPrefix(">>") == true
        })
        #expect(terminal.screen.contains { $0.contains("1) OK") } && terminal.screen.contains { $0.contains("2) (integer) 1") })
    }

    /// Quitting while a typed command waits, another queued behind it
    /// (Ctrl-C at once, before it is seen waiting), ends redi, saving,
    /// instead of waiting with them.
    @Test func quittingWhileACommandWaitsEndsRedi() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("SET kept 1", "Enter")
        try terminal.type("BLPOP nothing 0", "Enter", "BLPOP queued 0", "Enter", "C-c")
        #expect(terminal.waitFor { $0.contains("exit=0") })
        #expect(FileManager.default.fileExists(atPath: "\(directory)/redi.rdb"))
    }

    @Test func theBarBesideTheServerRunsTheServersCommands() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        #expect(try client.send(["SUBSCRIBE", "news"]) == .array([.bulk("subscribe"), .bulk("news"), .integer(1)]))
        try terminal.type("SET a 1", "Enter")
        try terminal.type("INFO keyspace", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("db0:keys=1,expires=0") } }, "INFO answers in the UI")
        try terminal.type("PUBLISH news hello", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("(integer) 1") } }, "a client is subscribed")
        #expect(try client.readReply() == .array([.bulk("message"), .bulk("news"), .bulk("hello")]))
        try terminal.type("CONFIG GET maxclients", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("\"10000\"") } })
        try terminal.type("SUBSCRIBE news", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("SUBSCRIBE works on a connection: use redis-cli -p \(port)") } })
        try terminal.type("CLIENT LIST", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("\"id=") && $0.contains("addr=127.0.0.1:") } }, "the connected client is listed")
    }

    /// The detail view of a hash and a sorted set: rows under column names,
    /// paged, filtered, changed in place by a client, closed with a message
    /// when the key goes.
    @Test func collectionDetailViewsPageFilterAndFollowChanges() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        let fields: [Bytes] = (0..<3000).flatMap { [Bytes("field:\($0)"), Bytes("value \($0)")] }
        #expect(try client.send(["HSET", "big"] + fields) == .integer(3000))
        #expect(try client.send(["ZADD", "board", "3", "alice", "1", "bob", "2", "carol"]) == .integer(3))
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│board") } && $0.contains { $0.hasPrefix("│big") } })
        try press(terminal, "Escape", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("FIELD") && $0.contains("VALUE") } }, "the hash as a field/value table")
        #expect(terminal.screen.contains { $0.contains("big · hash · 3000 fields") && $0.contains("of 3000") })
        try press(terminal, "G")
        #expect(terminal.waitFor { $0.contains { $0.contains("–3000 of 3000") } && $0.contains { $0.contains("field:") } }, "G: the last rows")
        try press(terminal, "g", "/")
        try terminal.type("field:299*", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("filter field:299*") && $0.contains("of 11") } }, "299 and 2990-2999")
        #expect(try client.send(["HSET", "big", "field:2990", "changed by a client"]) == .integer(0))
        #expect(terminal.waitFor { $0.contains { $0.contains("field:2990") && $0.contains("changed by a client") } }, "in place")
        #expect(try client.send(["DEL", "big"]) == .integer(1))
        #expect(terminal.waitFor { $0.contains { $0.contains("the key is gone") } })
        try press(terminal, "q", "Home")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│board") } })
        try press(terminal, "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("RANK") && $0.contains("MEMBER") && $0.contains("SCORE") } })
        let rows = terminal.screen.filter { $0.contains("alice") || $0.contains("bob") || $0.contains("carol") }
        #expect(rows.count == 3 && rows[0].contains("bob") && rows[2].contains("alice"), "by score: \(rows)")
        #expect(rows[0].inPane.hasPrefix("0") && rows[0].inPane.hasSuffix("1"), "rank, member, score")
        // Edited from the view: a member added, a score changed, a member removed.
        try press(terminal, "a")
        try terminal.type("0.5 dave", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("dave") && $0.inPane.hasSuffix("0.5") } }, "added, first by score")
        #expect(try client.send(["ZSCORE", "board", "dave"]) == .bulk("0.5"))
        try press(terminal, "G", "e", "C-u")
        try terminal.type("10", "Enter")
        #expect(terminal.waitFor { _ in (try? client.send(["ZSCORE", "board", "alice"])) == .bulk("10") })
        try press(terminal, "g", "d", "y")
        #expect(terminal.waitFor { !$0.contains { $0.contains("dave") } }, "removed after y")
        #expect(try client.send(["ZCARD", "board"]) == .integer(3))
    }

    /// A list of 100,000 in the detail view: index and element, paged to
    /// its end, a client's push shown live, and edited from the view (a
    /// push at either end, a change, a removal by index that asks first).
    @Test func aListDetailViewPagesFollowsAndEdits() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        for start in stride(from: 0, to: 100_000, by: 10_000) {
            _ = try client.send(["RPUSH", "queue"] + (start..<start + 10_000).map { Bytes("job \($0)") })
        }
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│queue") && $0.contains("list") && $0.contains("[job 0, job 1") } })
        try press(terminal, "Escape", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("INDEX") && $0.contains("ELEMENT") } }, "the list as an index/element table")
        #expect(terminal.screen.contains { $0.contains("queue · list · 100000 elements") })
        try press(terminal, "G")
        #expect(terminal.waitFor { $0.contains { $0.contains("99999") && $0.contains("job 99999") } }, "G: the last element")
        #expect(try client.send(["RPUSH", "queue", "pushed by a client"]) == .integer(100_001))
        #expect(terminal.waitFor { $0.contains { $0.contains("100001 elements") } }, "live")
        try press(terminal, "G")
        #expect(terminal.waitFor { $0.contains { $0.contains("100000") && $0.contains("pushed by a client") } })
        try press(terminal, "g", "i")
        try terminal.type("'at the head'", "Enter")
        // The line typed ends with the same words while it is typed: wait for the store, then the row.
        #expect(terminal.waitFor { _ in (try? client.send(["LINDEX", "queue", "0"])) == .bulk("at the head") })
        #expect(terminal.waitFor { $0.contains { $0.contains("0  at the head") } })
        try press(terminal, "a")
        try terminal.type("tail", "Enter")
        #expect(terminal.waitFor { _ in (try? client.send(["LINDEX", "queue", "-1"])) == .bulk("tail") })
        try press(terminal, "j", "e", "C-u")
        try terminal.type("changed", "Enter")
        #expect(terminal.waitFor { _ in (try? client.send(["LINDEX", "queue", "1"])) == .bulk("changed") })
        try press(terminal, "d")
        #expect(terminal.waitFor { $0.contains { $0.contains("remove element 1 \"changed\"?") } })
        try press(terminal, "y")
        #expect(terminal.waitFor { _ in (try? client.send(["LINDEX", "queue", "1"])) == .bulk("job 1") }, "the element at index 1 went")
        #expect(try client.send(["LLEN", "queue"]) == .integer(100_002))
        #expect(try client.send(["LINDEX", "queue", "0"]) == .bulk("at the head"))
    }

    @Test func detailDeleteTTLAndFilterFromTheTable() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --tui; echo exit=$?; sleep 60")
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true })
        try terminal.type("SET doc '{\"b\":[1,2],\"a\":\"x\"}'", "Enter")
        try terminal.type("MSET user:1 a user:2 b other c", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│user:2") } })

        try press(terminal, "Escape", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("doc · string · 19 bytes") } }, "Enter opens the detail")
        #expect(terminal.screen.contains { $0.inPane == "1," }, "JSON is pretty-printed")
        try press(terminal, "q", "j", "t")
        #expect(terminal.waitFor { $0.contains { $0.contains("TTL of \"other\" in seconds") } })
        try press(terminal, "9", "0", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│other") && ($0.contains("1m30s") || $0.contains("1m29s")) } }, "the TTL changed")
        try press(terminal, "d")
        #expect(terminal.waitFor { $0.contains { $0.contains("Delete \"other\"?") } })
        try press(terminal, "y")
        #expect(terminal.waitFor { !$0.contains { $0.hasPrefix("│other") } }, "deleted")
        try press(terminal, "/")
        try terminal.type("user*", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("filter user*") == true })
        #expect(!terminal.screen.contains { $0.hasPrefix("│doc") }, "filtered out")
        try press(terminal, "q")
        #expect(terminal.waitFor { $0.contains("exit=0") })
    }

    /// `v` shows the keys as a tree split at `--delimiter`: folders with
    /// their key counts, followed live as clients change and keys expire;
    /// Enter and → open a folder, ← closes it; d on a folder says why not.
    @Test func theKeyTreeGroupsByTheDelimiterAndFollowsChanges() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port) --delimiter /")
        let client = try RESPClient(port: port)
        #expect(try client.send(["MSET", "app/users/1", "a", "app/users/2", "b", "app/cfg", "c", "top", "d"]) == .status("OK"))
        #expect(terminal.waitFor { $0.first?.contains("4 keys") == true })
        try press(terminal, "Escape", "v")
        #expect(terminal.waitFor { $0.first?.contains("tree by /") == true })
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│▸ app/") && $0.contains("3 keys ") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│  top ") })
        try press(terminal, "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│▾ app/") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│    cfg ") })
        #expect(terminal.screen.contains { $0.hasPrefix("│  ▸ users/") && $0.contains("2 keys ") })
        // Live: a key added deep inside, one that expires.
        #expect(try client.send(["SET", "app/users/3", "e"]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│  ▸ users/") && $0.contains("3 keys ") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│▾ app/") && $0.contains("4 keys ") })
        #expect(try client.send(["SET", "app/tmp", "f", "PX", "400"]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│    tmp ") } })
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("key \"app/tmp\" expired") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│▾ app/") && $0.contains("4 keys ") })
        // → opens users/ (the third row), d on it refuses, ← from its key closes it again.
        try press(terminal, "j", "j", "Right")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│  ▾ users/") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│      3 ") })
        try press(terminal, "d")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix("d deletes a key, not a folder: open it (Enter) and choose a key") } })
        try press(terminal, "j", "Left")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│  ▸ users/") } })
        // Enter on a key opens its value, as in the table.
        try press(terminal, "k", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains("app/cfg · string") } })
        try press(terminal, "Escape", "v")
        #expect(terminal.waitFor { $0.first?.contains("sort: key") == true })
        #expect(terminal.screen.contains { $0.hasPrefix("│app/users/1 ") })
    }

    /// `e` shows the expiry timeline beside the log: keys by how soon they
    /// expire, counted live as they are set and as they expire; Enter on a
    /// bucket shows only its keys.
    @Test func theExpiryTimelineCountsWhatIsAboutToExpire() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot")
        try terminal.type("MSET plain 1 soon 2 later 3", "Enter")
        try terminal.type("PEXPIRE soon 1500", "Enter")
        try terminal.type("EXPIRE later 300", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("3 keys, 2 volatile") == true })
        try press(terminal, "Escape", "e")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("┌ expiring") } })
        #expect(terminal.screen.contains { $0.hasPrefix("│10s        1 ") } && terminal.screen.contains { $0.hasPrefix("│10m        1 ") })
        #expect(terminal.screen.contains { $0.hasPrefix("│1h         0") })
        #expect(terminal.waitFor({ $0.contains { $0.hasPrefix("│10s        0") } }, timeout: .seconds(5)), "the expired key leaves its bucket")
        // The timeline has the keys: down to 10m, Enter shows its key alone.
        try press(terminal, "j", "j", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("expiring in 1m–10m") == true })
        #expect(terminal.screen.contains { $0.hasPrefix("│later ") } && !terminal.screen.contains { $0.hasPrefix("│plain ") })
        try press(terminal, "/", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("│plain ") } })
        try press(terminal, "e")
        #expect(terminal.waitFor { !$0.contains { $0.hasPrefix("┌ expiring") } })
    }
}

/// The design pass in a real terminal: the dashboard, the mouse as xterm
/// reports it (SGR), the themes, and the detail view across the wide
/// terminal's threshold.
@Suite("redi --tui's panes, dashboard and mouse in a terminal", .serialized)
struct TerminalPaneTests {
    func start(in directory: String, _ flags: String = "", width: Int = 120, height: Int = 35, environment: String = "") throws -> TmuxTerminal {
        let terminal = try TmuxTerminal("cd \(directory) && \(environment) \(rediPath) --tui \(flags); echo exit=$?; sleep 60", width: width, height: height)
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the first frame appears")
        return terminal
    }

    /// A mouse report as the terminal sends it: SGR, 1-based column and row, press then release.
    func click(_ terminal: TmuxTerminal, x: Int, y: Int, button: Int = 0) throws {
        try terminal.type("-l", "\u{1B}[<\(button);\(x + 1);\(y + 1)M\u{1B}[<\(button);\(x + 1);\(y + 1)m")
    }

    @Test func theMouseSelectsOpensSortsAndScrolls() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot")
        #expect(terminal.format("#{mouse_any_flag}") == "1", "redi asked for the mouse")
        try terminal.type("DEBUG POPULATE 50", "Enter")
        try terminal.type("SET big 0123456789", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("51 keys") == true })
        // Row 3 is the first key's (the status line, the pane's border, the column names).
        try click(terminal, x: 10, y: 5)
        try click(terminal, x: 10, y: 5)
        #expect(terminal.waitFor { $0.contains { $0.contains("┌ value ─") } }, "a double-click opens the row's value: \(terminal.screen)")
        #expect(terminal.screen.contains { $0.contains("key:1 · string") }, "the third key in key order: big, key:0, key:1")
        try terminal.type("Escape")
        #expect(terminal.waitFor { !$0.contains { $0.contains("┌ value ─") } })
        // A click on SIZE's name sorts by it: the largest value first.
        let header = terminal.screen[2]
        let size = Array(header).firstIndex(of: "S")!
        try click(terminal, x: size + 1, y: 2)
        #expect(terminal.waitFor { $0.first?.contains("sort: size") == true }, "\(terminal.screen[0])")
        #expect(terminal.waitFor { $0[3].hasPrefix("│big ") }, "\(terminal.screen[3])")
        // The wheel over the log scrolls it back.
        for _ in 0..<3 { try terminal.type("-l", "\u{1B}[<64;40;30M") }
        #expect(terminal.waitFor { $0.contains { $0.contains("scrolled back") } } || terminal.screen.filter { $0.contains(">>") }.count < 2)
        try terminal.type("C-c")
        #expect(terminal.waitFor { $0.contains("exit=0") })
        #expect(terminal.format("#{mouse_any_flag}") == "0", "the terminal has its mouse back")
    }

    @Test func withNoMouseAReportChangesNothing() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot --no-mouse")
        #expect(terminal.format("#{mouse_any_flag}") == "0")
        try terminal.type("MSET a 1 b 22", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("2 keys") == true })
        let header = terminal.screen[2]
        try click(terminal, x: Array(header).firstIndex(of: "S")! + 1, y: 2)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(terminal.screen[0].contains("sort: key"), "a report that comes anyway is ignored")
    }

    @Test func theDashboardChartsTheStore() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot")
        try terminal.type("F3")
        #expect(terminal.waitFor { $0[1].hasPrefix("┌ commands/s ─") })
        for series in ["keys", "volatile keys", "memory", "expired/s", "clients"] {
            #expect(terminal.screen.contains { $0.contains("┌ \(series) ─") }, "\(series)")
        }
        try terminal.type("DEBUG POPULATE 1234", "Enter")
        #expect(terminal.waitFor { $0[1].contains("┌ keys ─") && $0[1].contains(" 1234 ─┐") }, "the keys' chart follows: \(terminal.screen[1])")
        #expect(terminal.screen.contains { $0.contains("█") }, "a bar")
        try terminal.type("F3")
        #expect(terminal.waitFor { $0[1].hasPrefix("┌ keys ─") && $0[2].contains("KEY ▲") })
    }

    /// The theme's colours reach the terminal: the focused pane's border
    /// in 256-colour cyan, a dark one on a light background.
    @Test(arguments: [("--theme light", "", "38;5;30m"), ("--theme dark", "COLORFGBG='0;15'", "38;5;73m"), ("", "COLORFGBG='0;15'", "38;5;30m"), ("", "", "38;5;73m")])
    func themesColourThePanes(flags: String, environment: String, cyan: String) throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot \(flags)", environment: "env -u NO_COLOR TERM=xterm-256color \(environment)")
        try terminal.type("Escape")
        #expect(terminal.waitFor { _ in terminal.styledScreen.contains(cyan) }, "\(flags) \(environment)")
    }

    @Test func anUnknownThemeIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        let result = try runProcess(rediPath, ["--theme", "sepia", "--no-tui"], directory: directory)
        #expect(result.status != 0 && result.error.contains("sepia"), "\(result.error)")
    }

    /// Across 140 columns the detail view moves beside the table and back over it.
    @Test func theDetailViewFollowsTheWidthAcrossTheThreshold() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "--no-snapshot", width: 150, height: 35)
        try terminal.type("RPUSH queue a b c", "Enter")
        #expect(terminal.waitFor { $0.first?.contains("1 key") == true })
        try terminal.type("Escape")
        Thread.sleep(forTimeInterval: 0.2)
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0[1].hasPrefix("┌ keys ─") && $0[1].contains("┐┌ value ─") }, "beside: \(terminal.screen[1])")
        try terminal.resize(width: 100, height: 35)
        #expect(terminal.waitFor { $0[1].hasPrefix("┌ value ─") && !$0.contains { $0.contains("┌ keys ─") } }, "over the table: \(terminal.screen[1])")
        try terminal.resize(width: 30, height: 8)
        #expect(terminal.waitFor { $0.contains { $0.contains("terminal too small") } })
        try terminal.resize(width: 160, height: 40)
        #expect(terminal.waitFor { $0[1].hasPrefix("┌ keys ─") && $0[1].contains("┐┌ value ─") && $0.contains { $0.contains("INDEX") } })
    }
}
