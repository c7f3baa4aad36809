import StoreEngine

/// What the loop must do after an update.
public enum Effect: Sendable, Equatable {
    case none
    /// Run a command line on the store and log its reply.
    case execute([Bytes])
    /// Save and leave.
    case quit
}

extension AppState {
    /// Rows a page moves.
    static let pageSize = 10
    /// How long a changed row flashes, in milliseconds.
    static let flashMilliseconds: Int64 = 600

    /// Handles a key press.
    public mutating func handle(_ key: Key, now: Int64) -> Effect {
        if let action = KeyBinding.action(for: key, focus: focus) {
            return perform(action)
        }
        guard focus == .bar else { return .none }
        switch key {
        case .character(let character): editor.insert(character)
        case .left, .control("b"): editor.moveLeft()
        case .right, .control("f"): editor.moveRight()
        case .home, .control("a"): editor.moveHome()
        case .end, .control("e"): editor.moveEnd()
        case .backspace, .control("h"): editor.deleteBackward()
        case .delete: editor.deleteForward()
        case .control("k"): editor.killToEnd()
        case .control("u"): editor.killToStart()
        case .control("w"): editor.deleteWordBackward()
        case .alt("b"): editor.moveWordLeft()
        case .alt("f"): editor.moveWordRight()
        case .control("d"):
            if editor.isEmpty { return .quit }
            editor.deleteForward()
        case .enter: return submit(now: now)
        default: break
        }
        return .none
    }

    private mutating func perform(_ action: Action) -> Effect {
        switch action {
        case .quit: return .quit
        case .toggleFocus: focus = focus == .bar ? .table : .bar
        case .toggleHelp: showHelp.toggle()
        case .selectUp: selected -= 1
        case .selectDown: selected += 1
        case .pageUp: selected -= AppState.pageSize
        case .pageDown: selected += AppState.pageSize
        case .selectFirst: selected = 0
        case .selectLast: selected = table.count - 1
        case .sortByKey: table.setSortOrder(.key)
        case .sortByTTL: table.setSortOrder(.ttl)
        case .sortBySize: table.setSortOrder(.size)
        }
        return .none
    }

    /// Enter in the bar: log the command and hand it to the store.
    private mutating func submit(now: Int64) -> Effect {
        let line = editor.text
        editor = LineEditor()
        guard !line.allSatisfy(\.isWhitespace) else { return .none }
        appendLog(">> " + line, kind: .command, at: now)
        guard let words = InlineCommand.split(Array(line.utf8)) else {
            appendLog("(error) ERR Protocol error: unbalanced quotes in request", kind: .error, at: now)
            return .none
        }
        if let name = words.first, name.equalsIgnoringCase("EXIT") || name.equalsIgnoringCase("QUIT") {
            return .quit
        }
        return .execute(words)
    }

    /// Logs a command's reply as redis-cli prints it.
    public mutating func record(_ reply: Reply, now: Int64) {
        for line in reply.typedLines {
            appendLog(line, kind: reply.isError ? .error : .reply, at: now)
        }
    }

    /// Applies the store's changes to the table; changed rows flash, expiries are logged.
    public mutating func apply(_ changes: [KeyChange], now: Int64) {
        table.apply(changes)
        var expired: [Bytes] = []
        for change in changes {
            switch change {
            case .updated(let info): flashes[info.key] = now + AppState.flashMilliseconds
            case .removed(let key, .expired): expired.append(key)
            case .removed(let key, _): flashes[key] = nil
            case .flushed:
                flashes.removeAll()
                appendLog("all keys flushed", kind: .event, at: now)
            }
        }
        if expired.count == 1 {
            appendLog("key \"\(expired[0].displayText)\" expired", kind: .event, at: now)
        } else if expired.count > 1 {
            appendLog("\(expired.count) keys expired", kind: .event, at: now)
        }
        if flashes.count > 10_000 { flashes.removeAll() }
    }

    /// Logs a snapshot event and updates the status line.
    public mutating func apply(_ event: EngineEvent, now: Int64) {
        switch event {
        case .snapshotSaved(let report):
            status.lastSave = now / 1000
            status.unsaved = 0
            appendLog("snapshot saved: \(report.keys) keys to \(report.path) in \(report.duration.formattedMilliseconds)", kind: .event, at: now)
        case .snapshotFailed(_, let message):
            appendLog("snapshot failed: \(message)", kind: .error, at: now)
        case .snapshotLoaded(let report):
            appendLog("loaded \(report.keys) keys from \(report.path) in \(report.duration.formattedMilliseconds)"
                + (report.skippedExpired > 0 ? ", \(report.skippedExpired) expired keys left out" : ""), kind: .event, at: now)
        case .key, .flushed:
            break
        }
    }
}

extension Duration {
    var formattedMilliseconds: String {
        let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        return milliseconds < 10 ? "\((milliseconds * 10).rounded() / 10) ms" : "\(Int(milliseconds.rounded())) ms"
    }
}
