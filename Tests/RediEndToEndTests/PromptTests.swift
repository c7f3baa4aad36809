import Foundation
import StoreEngineTestSupport
import Testing

/// redi in a real terminal (tmux), as a person types at it.
@Suite("redi at the >> prompt in a terminal", .serialized)
struct PromptTests {
    /// A tmux session running one command, typed at with send-keys and read with capture-pane.
    final class Terminal {
        let name = "redi-test-\(UUID().uuidString.prefix(8))"
        let tmux: String

        init(_ command: String, width: Int = 120, height: Int = 35) throws {
            tmux = try #require(which("tmux"), "tmux is needed (apt-get install tmux)")
            // The tmux server it starts keeps inherited pipes open: give it none.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tmux)
            process.arguments = ["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", command]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw TestFailure("tmux new-session failed") }
        }

        func type(_ keys: String...) throws {
            try runProcess(tmux, ["send-keys", "-t", name] + keys)
        }

        /// The screen's lines; capture-pane drops trailing spaces.
        var screen: [String] {
            let capture = try? runProcess(tmux, ["capture-pane", "-p", "-t", name])
            return (capture?.text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }

        /// Waits until the screen shows `text` somewhere.
        func waitFor(_ predicate: ([String]) -> Bool, timeout: Duration = .seconds(10)) -> Bool {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < timeout {
                if predicate(screen) { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        }

        var isRunning: Bool {
            (try? runProcess(tmux, ["has-session", "-t", name]).status) == 0
        }

        deinit {
            _ = try? runProcess(tmux, ["kill-session", "-t", name])
        }
    }

    @Test func theExampleSessionLooksExactlyAsDocumented() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try Terminal("cd \(directory) && \(rediPath) --no-tui; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" }, "the prompt appears before typing")
        for line in ["SET name Alice", "GET name", "EXPIRE name 10"] {
            let prompts = terminal.screen.filter { $0.hasPrefix(">> ") }.count
            try terminal.type(line, "Enter")
            #expect(terminal.waitFor { $0.filter { $0.hasPrefix(">> ") }.count == prompts + 1 })
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

    @Test func redisInATerminalWithoutFlagsAlsoPrompts() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try Terminal("cd \(directory) && \(rediPath) --no-snapshot; echo exit=$?; sleep 30")
        #expect(terminal.waitFor { $0.first == ">>" })
        try terminal.type("PING", "Enter")
        #expect(terminal.waitFor { $0.prefix(3) == [">> PING", "PONG", ">>"] }, "capture-pane drops the prompt's trailing space")
        try terminal.type("C-d")
        #expect(terminal.waitFor { $0.contains("exit=0") }, "Ctrl-D at the prompt leaves")
    }

    @Test func ctrlCAtThePromptSavesAndLeaves() throws {
        let directory = try makeTemporaryDirectory()
        let terminal = try Terminal("cd \(directory) && \(rediPath) --no-tui; echo exit=$?; sleep 30")
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
