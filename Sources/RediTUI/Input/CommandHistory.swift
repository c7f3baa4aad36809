#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials

/// Commands typed before, newest last, browsed with Up/Down and searched
/// with Ctrl-R; kept across runs in a file (`~/.redi_history`, or
/// `REDI_HISTFILE`), bounded.
public struct CommandHistory: Sendable, Equatable {
    public private(set) var entries: [String] = []
    /// The entry shown while browsing; `nil` when editing a new line.
    private var position: Int?
    /// The line being edited before browsing began.
    private var draft = ""
    /// Lines of the file that are not UTF-8: never offered, but written
    /// back as they were.
    private var unreadable: [[UInt8]] = []
    /// Whether `save` may write the file: not when it exists but could not
    /// be read, so that nothing that was not loaded is overwritten.
    public private(set) var mayWrite = true

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

    /// Reads a history file, line by line as bytes: a line that is not UTF-8
    /// is skipped (and kept for `save`), not the whole file. A missing file
    /// is an empty history; one that cannot be read is an empty history
    /// that `save` leaves alone.
    public static func load(from path: String) -> CommandHistory {
        guard let data = FileManager.default.contents(atPath: path) else {
            var history = CommandHistory()
            history.mayWrite = !FileManager.default.fileExists(atPath: path)
            return history
        }
        var history = CommandHistory()
        for line in data.split(separator: 10, omittingEmptySubsequences: true) {
            let bytes = Array(line)
            if let text = String(validating: bytes, as: UTF8.self) {
                history.entries.append(text)
            } else {
                history.unreadable.append(bytes)
            }
        }
        history.entries = Array(history.entries.suffix(CommandHistory.limit))
        history.unreadable = Array(history.unreadable.suffix(CommandHistory.limit))
        return history
    }

    /// Writes the history file (mode 0600: commands may hold secrets),
    /// unless it could not be read at start.
    public func save(to path: String) {
        guard mayWrite else { return }
        var bytes: [UInt8] = []
        for line in unreadable { bytes += line + [10] }
        for entry in entries { bytes += Array(entry.utf8) + [10] }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
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
