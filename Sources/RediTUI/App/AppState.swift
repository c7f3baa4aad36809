import StoreEngine

/// Where key presses go.
public enum Focus: Sendable, Equatable {
    /// The command bar: keys edit the command.
    case bar
    /// The key table: keys move the selection.
    case table
}

/// One line of the log pane.
public struct LogLine: Sendable, Equatable {
    public enum Kind: Sendable { case command, reply, event, error, client }
    /// Unix milliseconds.
    public var time: Int64
    public var text: String
    public var kind: Kind
    /// The typed command this line echoes or answers: its reply goes
    /// right after it, however late it comes.
    public var command: Int?
}

/// What the status line shows of the store.
public struct StoreStatus: Sendable, Equatable {
    public var snapshotPath: String?
    /// Unix seconds of the last save, or of the start.
    public var lastSave: Int64 = 0
    /// Changes not yet saved.
    public var unsaved = 0
    /// The append-only file, while it is on.
    public var appendOnly: AppendOnlyStatus?
    /// Where the network server listens, when there is one.
    public var serverAddress: String?
    /// Connected clients.
    public var clients = 0
    /// The remote server the UI shows (`redi connect`).
    public var remote: RemoteStatus?

    public init(snapshotPath: String?) {
        self.snapshotPath = snapshotPath
    }
}

/// Everything the screen shows; changed only by `update` (Bubble Tea's model).
public struct AppState {
    /// The database the table shows and typed commands run in.
    public var database = 0
    /// The database `[` or `]` asked for last, until its keys arrive: the
    /// next press moves on from it, so quick presses are not lost.
    public var requestedDatabase: Int?
    public var table = KeyTableModel()
    /// The commands the bar hints and completes (a remote server's own).
    public var catalog = CommandCatalog.local
    /// The glob a remote table's keys were loaded for (SCAN MATCH): the
    /// filter set while it was still loading.
    public var serverMatch: Bytes?
    /// What splits keys into the tree's folders (`v`).
    public var delimiter: Bytes = ":"
    /// The selected row, an index into the table's current order.
    public var selected = 0
    /// The first row shown.
    public var offset = 0
    public private(set) var log: [LogLine] = []
    public var editor = LineEditor()
    public var history = CommandHistory()
    /// Ctrl-R's search, while it is on.
    public var search: ReverseSearch?
    /// The choices Tab found, shown until the next key.
    public var completions: [String] = []
    public var focus = Focus.bar
    public var showHelp = false
    /// Whether the expiry timeline is shown beside the log (`e`).
    public var showTimeline = false
    /// The timeline's selected bucket while it takes the keys (↑/↓, Enter).
    public var timelineSelection: Int?
    /// The bucket whose keys alone the table shows, if one was chosen.
    public var timelineFilter: Int?
    /// Whether the dashboard's charts take the table's place (F3).
    public var showDashboard = false
    /// The store's counters of the last five minutes, for the dashboard.
    public var vitals = VitalsHistory()
    /// Whether mouse reports are acted on (`--no-mouse` turns them off).
    public var mouse = true
    /// The screen's size at the last frame: where a mouse report lands.
    public var screenSize = (width: 80, height: 24)
    /// The last click (Unix ms, row): a second on the same row soon after opens it.
    var lastClick: (time: Int64, row: Int)?
    /// A dialog over the table, if one is open.
    public var dialog: Dialog?
    /// Lines of the log scrolled back from the newest.
    public var logScroll = 0
    public var status: StoreStatus
    /// Rows changed by a command, and until when (Unix ms) they flash.
    public var flashes: [Bytes: Int64] = [:]
    /// Whether the log follows the clients' commands (F2).
    public var following = false
    /// Whether the UI's session is in MULTI: the bar's prompt says `(TX)`.
    public var inTransaction = false
    /// Blocking commands (BLPOP...: Redis's `blocking` flag) handed to the
    /// store whose replies have not come, by number, with when they were sent.
    public var waitingCommands: [(command: Int, since: Int64, isScript: Bool)] = []
    /// Since when (Unix ms) the oldest of them waits: the status line says
    /// so, and Esc or Ctrl-C give up its wait.
    public var waitingSince: Int64? { waitingCommands.first?.since }
    /// The number of the last command handed to the store.
    public var lastCommand = 0

    /// Lines the log keeps; older ones are dropped.
    public static let logLimit = 1000

    public init(status: StoreStatus) {
        self.status = status
    }

    /// The row the open dialog is about.
    var dialogInfo: KeyInfo? {
        switch dialog {
        case .detail(let view)?: return table.rows[view.key]
        case .confirmDelete(let key)?: return table.rows[key]
        case .prompt(let prompt)?:
            if case .ttl(let key) = prompt.purpose { return table.rows[key] }
            return nil
        case nil: return nil
        }
    }

    public mutating func appendLog(_ text: String, kind: LogLine.Kind, at time: Int64, command: Int? = nil) {
        log.append(LogLine(time: time, text: text, kind: kind, command: command))
        trimLog()
    }

    /// Puts a typed command's reply lines right after the lines already
    /// logged for that command (its echo, and nothing else comes between).
    public mutating func appendReply(_ lines: [LogLine], to command: Int) {
        guard let index = log.lastIndex(where: { $0.command == command }) else {
            log.append(contentsOf: lines)
            trimLog()
            return
        }
        log.insert(contentsOf: lines, at: index + 1)
        trimLog()
    }

    private mutating func trimLog() {
        if log.count > AppState.logLimit { log.removeFirst(log.count - AppState.logLimit) }
    }

    /// Fits the state to the screen's size before a frame: the table's
    /// selection and the detail view's in view, and the size kept for the mouse.
    public mutating func fit(width: Int, height: Int) {
        screenSize = (width, height)
        let layout = Layout(self, width: width, height: height)
        clampSelection(visibleRows: layout.tableRows)
        fitDetail(rows: layout.detailRows)
    }

    /// Tells the detail view how many rows it shows, so that its selection
    /// stays in view.
    public mutating func fitDetail(rows: Int) {
        guard case .detail(var view)? = dialog, view.rowsShown != rows else { return }
        view.rowsShown = max(rows, 1)
        view.select(view.selected)
        dialog = .detail(view)
    }

    /// When the screen must be drawn again though nothing new came: a
    /// tenth of a second after the last frame while something on it moves
    /// in tenths (a TTL under ten seconds, a flash, a wait about to be
    /// said), else at the clock's next second. Idle, redi draws once a second.
    public func nextFrame(after lastFrame: Int64, rows: Int) -> Int64 {
        let soon = lastFrame + 100
        if waitingSince != nil || flashes.values.contains(where: { $0 > lastFrame }) { return soon }
        var deadlines = table.shownRows(from: offset, limit: rows).compactMap { row -> Int64? in
            if case .key(let info, _) = row { return info.deadline }
            return nil
        }
        if let deadline = dialogInfo?.deadline { deadlines.append(deadline) }
        // TTLs under ten seconds show tenths (9.4s).
        if deadlines.contains(where: { $0 - lastFrame < 10_100 }) { return soon }
        return (lastFrame / 1000 + 1) * 1000
    }

    /// Keeps the selection within the rows and visible in `height` rows.
    public mutating func clampSelection(visibleRows height: Int) {
        selected = min(max(selected, 0), max(table.count - 1, 0))
        if selected < offset { offset = selected }
        if height > 0 && selected >= offset + height { offset = selected - height + 1 }
        offset = min(max(offset, 0), max(table.count - height, 0))
    }
}

/// Ctrl-R's state: what is typed, and the newest history entry holding it.
public struct ReverseSearch: Sendable, Equatable {
    public var query = ""
    public var match: (index: Int, line: String)?

    public static func == (lhs: ReverseSearch, rhs: ReverseSearch) -> Bool {
        lhs.query == rhs.query && lhs.match?.index == rhs.match?.index
    }
}

/// A dialog over the key table; it takes the keys while open.
public enum Dialog: Sendable, Equatable {
    /// The whole value of a key.
    case detail(DetailView)
    /// Delete this key? y or n.
    case confirmDelete(Bytes)
    /// A line to type: a filter glob, or a key's new TTL.
    case prompt(PromptDialog)
}

/// The detail dialog: one key's value, a page at a time, kept up to date
/// while open. A string is read whole, as lines; a hash, a set or a sorted
/// set as rows, fetched `DetailView.pageRows` at a time around the ones
/// shown, and filtered by a glob.
public struct DetailView: Sendable, Equatable {
    public var key: Bytes
    /// The page last fetched; `nil` until it arrives.
    public var page: DetailPage?
    /// A string's text as lines to read.
    public var lines: [String]?
    /// The key was deleted or expired while the view was open.
    public var gone = false
    /// A string: wrapped rows scrolled past; a collection: the first row shown.
    public var scroll = 0
    /// A collection's row the keys act on, among the rows the filter keeps.
    public var selected = 0
    /// Rows the screen shows (set each frame), for keeping `selected` in view.
    public var rowsShown = 10
    /// The glob the rows' fields or members match.
    public var filter: Bytes?
    /// A line typed in the view's last row, or a removal to confirm.
    public var input: DetailInput?
    /// The error the view's last change got, shown until the next key.
    public var message: String?
    /// The number of the view's change whose reply it waits for.
    public var awaiting: Int?

    /// Rows a page holds: more than a terminal shows.
    public static let pageRows = 400

    public init(key: Bytes) {
        self.key = key
    }

    /// Whether the value is shown as rows (a hash, a set, a sorted set).
    public var isCollection: Bool { page.map { $0.typeName != "string" } ?? false }

    /// The page to fetch for what is shown: from a little before the first row.
    public var request: DetailRequest {
        DetailRequest(key: key, offset: isCollection ? max(scroll - DetailView.pageRows / 4, 0) : 0, filter: filter)
    }

    /// The field or member of the selected row, if its page is held.
    public var selectedElement: Bytes? {
        guard isCollection, let page, selected >= page.offset, selected - page.offset < page.rows.count else { return nil }
        let row = page.rows[selected - page.offset]
        // A sorted set's member follows its rank; a list's element is named by its index.
        return page.typeName == "zset" ? row[1] : row[0]
    }

    /// Moves the selection, the first row shown following it, and the last
    /// rows filling the view as the key table's do.
    mutating func select(_ row: Int) {
        let rows = page?.matching ?? 1
        selected = min(max(row, 0), max(rows - 1, 0))
        if selected < scroll { scroll = selected }
        if selected >= scroll + rowsShown { scroll = selected - rowsShown + 1 }
        scroll = min(max(scroll, 0), max(rows - rowsShown, 0))
    }

    /// Whether the rows around `scroll` are not in the page held.
    var needsPage: Bool {
        guard isCollection, let page else { return false }
        let end = page.offset + page.rows.count
        return scroll < page.offset || (scroll + DetailView.pageRows / 4 > end && end < page.matching)
    }
}

/// What the detail view's last row is doing beside the help.
public enum DetailInput: Sendable, Equatable {
    /// `/`: a glob for the fields or members.
    case filter(LineEditor)
    /// `a`: a field and its value, members, or a score and a member to add;
    /// a list's elements to push at its tail (`i`: at its head, `atFront`).
    case add(LineEditor, atFront: Bool = false)
    /// `e`: a new value for a hash's field or a list's element (named by
    /// its index), or a new score for a member.
    case change(element: Bytes, LineEditor)
    /// `d`: the field, member or list index to remove, once `y` confirms.
    case remove(element: Bytes)

    /// The line being typed, if any.
    public var editor: LineEditor? {
        switch self {
        case .filter(let editor), .add(let editor, _), .change(_, let editor): return editor
        case .remove: return nil
        }
    }
}

/// Which page of a key's value the detail view asks for.
public struct DetailRequest: Sendable, Hashable {
    public var key: Bytes
    public var offset: Int
    public var filter: Bytes?

    public init(key: Bytes, offset: Int = 0, filter: Bytes? = nil) {
        self.key = key
        self.offset = offset
        self.filter = filter
    }
}

/// A dialog's line to type, and what was wrong with the last one entered.
public struct PromptDialog: Sendable, Equatable {
    public var purpose: PromptPurpose
    public var line: LineEditor
    public var error: String?

    public init(_ purpose: PromptPurpose, line: LineEditor = LineEditor()) {
        self.purpose = purpose
        self.line = line
    }
}

/// What a dialog's line is for.
public enum PromptPurpose: Sendable, Equatable {
    case filter
    case ttl(Bytes)

    /// The title in at most `width` columns: a long key is cut, not the words around it.
    func title(fitting width: Int) -> String {
        switch self {
        case .filter: return "Filter keys by a glob, as KEYS does:"
        case .ttl(let key): return Dialogs.fitting("TTL of \"", key, "\" in seconds:", width: width)
        }
    }

    /// The line under the text field.
    var hint: String {
        switch self {
        case .filter: return "* ? [a-z] match; empty shows all keys"
        case .ttl: return "-1 or persist removes the TTL"
        }
    }
}
