import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The UI where a demanding user pushes it: terminals whose TERM does not
/// match the keys they send, terminals that cannot address the cursor, long
/// keys, emoji, quick presses, slow commands, values changed while shown.
@Suite("redi --tui at its edges", .serialized)
struct TerminalEdgeTests {
    func start(in directory: String, term: String? = nil, _ flags: String = "--no-snapshot", width: Int = 120, height: Int = 35) throws -> TmuxTerminal {
        let export = term.map { "export TERM=\($0); " } ?? ""
        let terminal = try TmuxTerminal("\(export)cd \(directory) && \(rediPath) --tui \(flags); echo exit=$?; sleep 60", width: width, height: height)
        #expect(terminal.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the first frame appears")
        return terminal
    }

    /// Sends raw bytes, as a terminal of another kind would.
    func send(_ terminal: TmuxTerminal, bytes: [UInt8]) throws {
        try terminal.type(["-H"] + bytes.map { String($0, radix: 16) })
    }

    func bar(_ terminal: TmuxTerminal) -> String {
        terminal.screen.last { $0.hasPrefix(">>") } ?? ""
    }

    /// Esc, and a wait until the table has the keys: keys typed at once
    /// after ESC would read as Alt with them.
    func focusTable(_ terminal: TmuxTerminal) throws {
        try terminal.type("Escape")
        #expect(terminal.waitFor { $0.contains { $0.contains("Esc or Tab: command bar") } })
    }

    /// tmux sends `\e[1~` for Home while TERM says xterm, whose terminfo
    /// names `\eOH`: both, and every other spelling, must move the cursor.
    @Test(arguments: ["xterm-256color", "vt100", "linux"])
    func editingKeysWorkWhateverTERMSays(_ term: String) throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, term: term)
        try terminal.type("SET b 1")
        for (sequence, expected) in [
            ([0x1B, 0x5B, 0x31, 0x7E], ">> XSET b 1"), ([0x1B, 0x5B, 0x34, 0x7E], ">> XSET b 1X"),
            ([0x1B, 0x4F, 0x48], ">> XXSET b 1X"), ([0x1B, 0x5B, 0x46], ">> XXSET b 1XX"),
            ([0x1B, 0x5B, 0x37, 0x7E], ">> XXXSET b 1XX"), ([0x1B, 0x5B, 0x38, 0x7E], ">> XXXSET b 1XXX"),
            ([0x1B, 0x5B, 0x48], ">> XXXXSET b 1XXX"),
        ] as [([UInt8], String)] {
            try send(terminal, bytes: sequence)
            try terminal.type("X")
            #expect(terminal.waitFor { _ in bar(terminal).hasPrefix(expected) }, "\(sequence): \(bar(terminal))")
        }
        // Delete (\e[3~) at the start removes the X there; unknown sequences (a
        // paste start, a mouse report) type nothing.
        try send(terminal, bytes: [0x1B, 0x5B, 0x31, 0x7E, 0x1B, 0x5B, 0x33, 0x7E])
        try send(terminal, bytes: Array("\u{1B}[200~\u{1B}[<0;3;4M".utf8))
        try terminal.type("Z")
        #expect(terminal.waitFor { _ in bar(terminal).hasPrefix(">> ZXXXSET b 1XXX") }, "\(terminal.screen)")
        #expect(!bar(terminal).contains("~") && !bar(terminal).contains("<0"))
        // F1 as the Linux console and as VT100 send it.
        for f1 in [[0x1B, 0x5B, 0x5B, 0x41], [0x1B, 0x4F, 0x50]] as [[UInt8]] {
            try send(terminal, bytes: f1)
            #expect(terminal.waitFor { $0.contains { $0.contains("Keys (F1 or ? closes)") } }, "\(f1)")
            try send(terminal, bytes: f1)
            #expect(terminal.waitFor { !$0.contains { $0.contains("Keys (F1 or ? closes)") } })
        }
        try terminal.type("C-c")
        // Without an alternate screen (vt100, linux) the last frame stays above the shell's line.
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("exit=0") } }, "\(terminal.screen)")
    }

    /// A terminal without cursor addressing gets the prompt; with --tui, the
    /// reason and status 2.
    @Test func aDumbTerminalGetsThePrompt() throws {
        let directory = try makeTemporaryDirectory()
        let prompt = try TmuxTerminal("export TERM=dumb; cd \(directory) && \(rediPath) --no-snapshot; echo exit=$?; sleep 60")
        #expect(prompt.waitFor { $0.contains { $0.hasPrefix(">>") } }, "\(prompt.screen)")
        try prompt.type("PING", "Enter")
        #expect(prompt.waitFor { $0.contains("PONG") })
        #expect(!prompt.screen.contains { $0.hasPrefix(" redi │") })
        let forced = try TmuxTerminal("export TERM=dumb; cd \(directory) && \(rediPath) --tui --no-snapshot; echo exit=$?; sleep 60")
        #expect(forced.waitFor { $0.contains("exit=2") })
        #expect(forced.screen.contains { $0.contains("the terminal type 'dumb' cannot move the cursor") })
    }

    /// The crash of the issue: the value view of a key wider than its title,
    /// then Ctrl-C from inside it saves and restores the terminal.
    @Test(arguments: [(120, 35, String(repeating: "k", count: 100)), (40, 10, "user:session:12345")])
    func theValueViewOfALongKeyAndCtrlCFromIt(_ width: Int, _ height: Int, _ key: String) throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory, "", width: width, height: height)
        try terminal.type("SET \(key) v", "Enter")
        try terminal.type("SET a b PXAT 9223372036854775806", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix(String(key.prefix(8))) } })
        try focusTable(terminal)
        try terminal.type("G", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix(key.prefix(4)) && $0.contains("… · string · 1 bytes") } }, "\(terminal.screen)")
        try terminal.type("Escape")
        #expect(terminal.waitFor { !$0.contains { $0.contains("· string · 1 bytes") } })
        try terminal.type("g", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix("a · string") } })
        try terminal.type("C-c")
        #expect(terminal.waitFor { $0.contains("exit=0") }, "Ctrl-C quits from the value view")
        let check = try runRedi([], input: "GET \(key)\nGET a\n", in: directory)
        #expect(check.text == "v\nb\n", "saved on the way out")
    }

    @Test func everyPartOfAnEmojiValueIsShown() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("SET fam \"👨‍👩‍👧‍👦 family 🇺🇸 flag é\" ", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix("fam") && $0.contains("👨👩👧👦 family 🇺🇸 flag é") } }, "\(terminal.screen.prefix(4))")
        try focusTable(terminal)
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains(" 👨👩👧👦 family 🇺🇸 flag é") } })
    }

    @Test func quickDatabasePressesAllCount() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try focusTable(terminal)
        try terminal.type("]", "]", "]", "]")
        #expect(terminal.waitFor { $0.first?.contains("db 4:") == true }, "\(terminal.screen.first ?? "")")
        try terminal.type("[", "[", "[", "[", "[")
        #expect(terminal.waitFor { $0.first?.contains("db 15:") == true }, "\(terminal.screen.first ?? "")")
    }

    @Test func eachReplyStaysWithItsCommand() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try start(in: directory)
        try terminal.type("DEBUG SLEEP 1", "Enter", "PING", "Enter", "ECHO after", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasSuffix(" \"after\"") } })
        let log = terminal.screen.compactMap { line -> String? in
            guard let match = line.inPane.firstMatch(of: /^\d\d:\d\d:\d\d (.*)$/) else { return nil }
            return String(match.1)
        }
        #expect(Array(log.suffix(6)) == [">> DEBUG SLEEP 1", "OK", ">> PING", "PONG", ">> ECHO after", "\"after\""], "\(log)")
    }

    /// Hashes and sets in the table (type, preview) and in the value view
    /// (a field or a member a line), which follows a client's changes.
    @Test func hashesAndSetsAreShownByType() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        #expect(try client.send(["HSET", "user", "name", "Alice", "age", "30"]) == .integer(2))
        #expect(try client.send(["SADD", "tags", "7", "3"]) == .integer(2))
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix("user") && $0.contains("hash") && $0.inPane.hasSuffix("{name: Alice, age: 30}") } })
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix("tags") && $0.contains("set") && $0.inPane.hasSuffix("{3, 7}") } })
        try focusTable(terminal)
        try terminal.type("j", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains(" user · hash · 2 fields") } })
        func row(_ field: String, _ value: String) -> ([String]) -> Bool {
            { lines in lines.contains { $0.inPane.hasPrefix("\(field) ") && $0.inPane.hasSuffix(" \(value)") } }
        }
        #expect(terminal.waitFor(row("name", "Alice")) && terminal.waitFor(row("age", "30")), "a field and its value a row")
        #expect(terminal.screen.contains { $0.inPane.hasPrefix("FIELD") && $0.contains("VALUE") })
        #expect(try client.send(["HSET", "user", "city", "Paris"]) == .integer(1))
        #expect(terminal.waitFor { row("city", "Paris")($0) && $0.contains { $0.contains("3 fields") } }, "the view follows")
        try terminal.type("Escape")
        #expect(terminal.waitFor { !$0.contains { $0.contains("· hash ·") } })
        try terminal.type("k", "Enter")
        #expect(terminal.waitFor { $0.contains { $0.contains(" tags · set · 2 members") } })
        #expect(terminal.waitFor { $0.contains { $0.inPane == "3" } && $0.contains { $0.inPane == "7" } && $0.contains { $0.inPane == "MEMBER" } })
    }

    /// The value view shows the value's own text and follows a client's changes.
    @Test func theValueViewFollowsAClientsChanges() throws {
        let directory = try makeTemporaryDirectory()
        let port = try freePort()
        let terminal = try start(in: directory, "--no-snapshot --port \(port)")
        let client = try RESPClient(port: port)
        #expect(try client.send(["SET", "doc", #"{"b":1,"a":1,"a":2,"x":1.0}"#]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.inPane.hasPrefix("doc") } })
        try focusTable(terminal)
        try terminal.type("Enter")
        #expect(terminal.waitFor { $0.contains { $0.inPane == #""x": 1.0"# } })
        #expect(terminal.screen.filter { $0.contains(#""a": "#) }.count == 2, "duplicate keys kept")
        #expect(try client.send(["SET", "doc", #"{"changed":true}"#]) == .status("OK"))
        #expect(terminal.waitFor { $0.contains { $0.inPane == #""changed": true"# } }, "the body follows")
        #expect(try client.send(["DEL", "doc"]) == .integer(1))
        #expect(terminal.waitFor { $0.contains { $0.contains("the key is gone") } })
    }
}
