import Foundation

/// Commands typed before, newest last, browsed with Up/Down and searched
/// with Ctrl-R; kept across runs in a file (`~/.redi_history`, or
/// `REDI_HISTFILE`), bounded.
public struct CommandHistory: Sendable, Equatable {
    public private(set) var entries: [String] = []
    /// The entry shown while browsing; `nil` when editing a new line.
    private var position: Int?
    /// The line being edited before browsing began.
    private var draft = ""

    /// Entries kept; older ones are dropped.
    public static let limit = 1000

    public init(entries: [String] = []) {
        self.entries = Array(entries.suffix(CommandHistory.limit))
    }

    /// The history file: `REDI_HISTFILE`, else `~/.redi_history`.
    public static var defaultPath: String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["REDI_HISTFILE"], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.redi_history"
    }

    /// Reads a history file; a missing or unreadable one is an empty history.
    public static func load(from path: String) -> CommandHistory {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return CommandHistory() }
        return CommandHistory(entries: text.split(separator: "\n").map(String.init))
    }

    /// Writes the history file (mode 0600: commands may hold secrets).
    public func save(to path: String) {
        let text = entries.joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Records a submitted line (not a repeat of the last one) and ends browsing.
    public mutating func add(_ line: String) {
        position = nil
        guard !line.isEmpty, entries.last != line else { return }
        entries.append(line)
        if entries.count > CommandHistory.limit { entries.removeFirst(entries.count - CommandHistory.limit) }
    }

    /// Up: the entry before the one shown, remembering `current` as the draft.
    public mutating func previous(current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        let index: Int
        if let position {
            index = max(position - 1, 0)
        } else {
            draft = current
            index = entries.count - 1
        }
        position = index
        return entries[index]
    }

    /// Down: the entry after the one shown, then the draft.
    public mutating func next() -> String? {
        guard let position else { return nil }
        if position + 1 < entries.count {
            self.position = position + 1
            return entries[position + 1]
        }
        self.position = nil
        return draft
    }

    /// The newest entry before `index` (all, when `nil`) containing `query`.
    public func search(_ query: String, before index: Int? = nil) -> (index: Int, line: String)? {
        let end = min(index ?? entries.count, entries.count)
        guard !query.isEmpty, end > 0 else { return nil }
        for candidate in stride(from: end - 1, through: 0, by: -1) where entries[candidate].contains(query) {
            return (candidate, entries[candidate])
        }
        return nil
    }
}
