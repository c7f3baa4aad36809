import Foundation
import StoreEngineTestSupport
import Testing

/// redi in a real terminal (tmux), as a person types at it.
@Suite("redi at the >> prompt in a terminal", .serialized)
struct PromptTests {
    @Test func theExampleSessionLooksExactlyAsDocumented() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-tui; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" }, "the prompt appears before typing")
        for line in ["SET name Alice", "GET name", "EXPIRE name 10"] {
            let prompts = terminal.screen.filter { $0.hasPrefix(">> ") }.count
            try terminal.type(line, "Enter")
            // The line is echoed at once; wait for its reply and the next
            // prompt (">>": capture-pane drops the trailing space) before typing on.
            #expect(terminal.waitFor { screen in
                screen.filter { $0.hasPrefix(">> ") }.count == prompts + 1 && screen.last(where: { !$0.isEmpty }) == ">>"
            })
        }
        try terminal.type("EXIT", "Enter")
        #expect(terminal.waitFor { $0.contains("exit=0") })
        #expect(Array(terminal.screen.prefix(8)) == [
            ">> SET name Alice",
            "OK",
            ">> GET name",
            "Alice",
            ">> EXPIRE name 10",
            "1",
            ">> EXIT",
            "exit=0",
        ])
        #expect(FileManager.default.fileExists(atPath: "\(directory)/redi.rdb"))
    }

    @Test func rediInATerminalOpensTheUIUnlessToldNotTo() throws {
        let directory = try makeTemporaryDirectory()
        let ui = try TmuxTerminal("cd \(directory) && \(rediPath) --no-snapshot; echo exit=$?; sleep 30")
        #expect(ui.waitFor { $0.first?.hasPrefix(" redi │") == true }, "the UI by default")
        try ui.type("C-c")
        #expect(ui.waitFor { $0.contains("exit=0") })
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-snapshot --no-tui; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("PING", "Enter")
        #expect(terminal.waitFor { $0.prefix(3) == [">> PING", "PONG", ">>"] }, "capture-pane drops the prompt's trailing space")
        try terminal.type("C-d")
        #expect(terminal.waitFor { $0.contains("exit=0") }, "Ctrl-D at the prompt leaves")
    }

    @Test func withoutATerminalTypeTheUIFallsBackToThePrompt() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && TERM=no-such-terminal \(rediPath) --no-snapshot; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("PING", "Enter")
        #expect(terminal.waitFor { $0.contains("PONG") })
    }

    @Test func thePromptShowsTheSelectedDatabase() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-tui --no-snapshot; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("SELECT 4", "Enter")
        #expect(terminal.waitFor { $0.prefix(3) == [">> SELECT 4", "OK", "[4]>>"] })
        try terminal.type("SELECT 0", "Enter")
        #expect(terminal.waitFor { $0.prefix(5).last == ">>" })
    }

    /// As redis-cli: `(TX)` while MULTI queues, after the database, gone after EXEC.
    @Test func thePromptShowsATransactionBeingQueued() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-tui --no-snapshot; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("SELECT 2", "Enter")
        try terminal.type("MULTI", "Enter")
        #expect(terminal.waitFor { $0.contains("[2](TX)>>") })
        try terminal.type("SET a 1", "Enter")
        #expect(terminal.waitFor { $0.contains("QUEUED") })
        try terminal.type("EXEC", "Enter")
        #expect(terminal.waitFor { lines in
            lines.firstIndex(of: "[2](TX)>> EXEC").map { Array(lines[$0...].prefix(3)) } == ["[2](TX)>> EXEC", "OK", "[2]>>"]
        })
    }

    /// Ctrl-C while a blocking command waits gives up the wait, as Esc does
    /// in the UI; the prompt goes on, and a second Ctrl-C at it leaves.
    @Test func ctrlCGivesUpAWaitAtThePrompt() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-tui --no-snapshot; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("BLPOP nothing 0", "Enter")
        #expect(terminal.waitFor { $0.contains(">> BLPOP nothing 0") })
        try terminal.type("C-c")
        #expect(terminal.waitFor { lines in
            lines.firstIndex(of: ">> BLPOP nothing 0").map { Array(lines[$0...].prefix(4)) } == [">> BLPOP nothing 0", "^C", "(nil)", ">>"]
        }, "the wait ends with a null reply, and the prompt is back")
        try terminal.type("PING", "Enter")
        #expect(terminal.waitFor { $0.contains("PONG") })
        try terminal.type("C-c")
        #expect(terminal.waitFor { $0.contains("exit=0") })
    }

    @Test func ctrlCAtThePromptSavesAndLeaves() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try TmuxTerminal("cd \(directory) && \(rediPath) --no-tui; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("SET kept 1", "Enter")
        #expect(terminal.waitFor { $0.contains("OK") })
        try terminal.type("C-c")
        #expect(terminal.waitFor { $0.contains { $0.hasPrefix("exit=") } })
        #expect(terminal.screen.prefix(4) == [">> SET kept 1", "OK", ">> ^C", "exit=0"])
        let check = try runRedi([], input: "GET kept\n", in: directory)
        #expect(check.text == "1\n")
    }
}
