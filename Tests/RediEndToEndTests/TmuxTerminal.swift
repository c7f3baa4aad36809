import Foundation
import StoreEngineTestSupport
import Testing

/// A tmux session running one command, typed at with send-keys and read with capture-pane.
final class TmuxTerminal {
    let name = "redi-test-\(UUID().uuidString.prefix(8))"
    let tmux: String

    init(_ command: String, width: Int = 120, height: Int = 35) throws {
        tmux = try tool("tmux", from: "tmux")
        // The tmux server it starts keeps inherited pipes open: give it none.
        // A server exiting as its last session closes refuses a new one for
        // a moment: try again.
        for attempt in 1...5 {
            let status = try ChildProcess(tmux, ["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", command], quiet: true).wait()
            if status == 0 { break }
            if attempt == 5 { throw TestFailure("tmux new-session failed") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    func type(_ keys: String...) throws {
        try type(keys)
    }

    /// Sends tmux key names (`Enter`, `C-c`, `F1`) or text.
    func type(_ keys: [String]) throws {
        try runProcess(tmux, ["send-keys", "-t", name] + keys)
    }

    /// The screen's lines; capture-pane drops trailing spaces.
    var screen: [String] {
        let capture = try? runProcess(tmux, ["capture-pane", "-p", "-t", name])
        return (capture?.text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    var styledScreen: String {
        (try? runProcess(tmux, ["capture-pane", "-p", "-e", "-t", name]))?.text ?? ""
    }

    /// Waits until the screen shows `text` somewhere.
    func waitFor(_ predicate: ([String]) -> Bool, timeout: Duration = .seconds(30)) -> Bool {
        let start = ContinuousClock.now
        // Looked at once more after the timeout: on a loaded machine this
        // loop may resume only after it.
        while true {
            if predicate(screen) { return true }
            if ContinuousClock.now - start >= timeout { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Resizes the window (the program gets SIGWINCH).
    func resize(width: Int, height: Int) throws {
        try runProcess(tmux, ["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// A tmux format's value for the pane (`#{mouse_any_flag}`: whether
    /// the program asked for mouse reports).
    func format(_ format: String) -> String {
        ((try? runProcess(tmux, ["display-message", "-p", "-t", name, format]))?.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var isRunning: Bool {
        (try? runProcess(tmux, ["has-session", "-t", name]).status) == 0
    }

    deinit {
        _ = try? runProcess(tmux, ["kill-session", "-t", name])
    }
}

extension String {
    /// A screen line without the pane borders around it and the blanks
    /// inside them: what a pane shows on that row.
    var inPane: String {
        trimmingCharacters(in: CharacterSet(charactersIn: "│ "))
    }
}
