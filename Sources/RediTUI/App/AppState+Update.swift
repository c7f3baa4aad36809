import StoreEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the loop must do after an update.
public enum Effect: Sendable, Equatable {
    case none
    /// Run a command line on the store; its reply goes after the command's
    /// log lines (`AppState.record(_:of:now:)`).
    case execute([Bytes], command: Int)
    /// Fetch a page of a key's value for the detail dialog (again, when it changed).
    case fetchDetail(DetailRequest)
    /// Show another database: load its keys.
    case loadDatabase(Int)
    /// Start or stop following the clients' commands in the log.
    case follow(Bool)
    /// Give up waiting for a blocking command (BLPOP...): it answers as if its time ran out.
    case cancelWait
    /// Several of these, in order (a transaction's commands).
    indirect case sequence([Effect])
    /// Save and leave.
    case quit
}

extension AppState {
    /// Rows a page moves.
    static let pageSize = 10
    /// How long a command waits for its reply before the status line says
    /// so and Esc gives up the wait (a reply that comes at once leaves Esc
    /// to move the focus).
    static let waitShownMilliseconds: Int64 = 500

    /// The commands that run a script: one that runs long says so, and Esc or Ctrl-C kills it.
    static let scriptCommands: Set<String> = ["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]

    /// Whether the command waited for is a script.
    public var isWaitingForScript: Bool { waitingCommands.first?.isScript ?? false }

    /// Whether a command has waited long enough to say so.
    public func isSeenWaiting(now: Int64) -> Bool {
        waitingSince.map { now - $0 >= AppState.waitShownMilliseconds } ?? false
    }

    /// How long a changed row flashes, in milliseconds.
    static let flashMilliseconds: Int64 = 600

    /// Handles a key press.
    public mutating func handle(_ key: Key, now: Int64) -> Effect {
        // Once a command is seen waiting (BLPOP...), Esc or Ctrl-C gives up the wait first.
        if isSeenWaiting(now: now), key == .escape || key == .control("c") {
            appendLog(isWaitingForScript ? "(SCRIPT KILL: a script that wrote cannot be killed)" : "(the wait is cancelled)", kind: .event, at: now)
            return .cancelWait
        }
        if case .mouse(let event) = key { return handleMouse(event, now: now) }
        if dialog != nil { return handleDialog(key, now: now) }
        // Esc closes the help and leaves the focus where it was.
        if showHelp, key == .escape {
            showHelp = false
            return .none
        }
        if search != nil, focus == .bar, let effect = handleSearch(key, now: now) { return effect }
        if timelineSelection != nil, focus == .table, handleTimeline(key, now: now) { return .none }
        if let action = KeyBinding.action(for: key, focus: focus) {
            return perform(action, now: now)
        }
        guard focus == .bar else { return .none }
        completions = []
        switch key {
        case .character(let character): editor.insert(character)
        case .up: if let line = history.previous(current: editor.text) { editor.replace(with: line) }
        case .down: if let line = history.next() { editor.replace(with: line) }
        case .pageUp: logScroll = min(logScroll + AppState.pageSize, max(log.count - 1, 0))
        case .pageDown: logScroll = max(logScroll - AppState.pageSize, 0)
        case .control("r"): search = ReverseSearch()
        case .tab: complete()
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

    mutating func perform(_ action: Action, now: Int64) -> Effect {
        switch action {
        case .quit: return .quit
        case .toggleFocus: focus = focus == .bar ? .table : .bar
        case .focusBar: focus = .bar
        case .toggleHelp: showHelp.toggle()
        case .selectUp: selected -= 1
        case .selectDown: selected += 1
        case .pageUp: selected -= AppState.pageSize
        case .pageDown: selected += AppState.pageSize
        case .selectFirst: selected = 0
        case .selectLast: selected = table.count - 1
        case .filter:
            dialog = .prompt(PromptDialog(.filter, line: LineEditor(table.filter?.pattern.displayText ?? "")))
        case .openDetail:
            if let folder = selectedFolder {
                table.toggleFolder(folder.name)
                break
            }
            guard let key = selectedKey else { break }
            let view = DetailView(key: key)
            dialog = .detail(view)
            return .fetchDetail(view.request)
        case .deleteKey:
            if let key = selectedKey { dialog = .confirmDelete(key) }
            if selectedFolder != nil { appendLog("d deletes a key, not a folder: open it (Enter) and choose a key", kind: .error, at: now) }
        case .changeTTL:
            if let key = selectedKey { dialog = .prompt(PromptDialog(.ttl(key))) }
            if selectedFolder != nil { appendLog("t sets a key's TTL, not a folder's: open it (Enter) and choose a key", kind: .error, at: now) }
        case .toggleTree:
            toggleTree()
        case .toggleTimeline:
            showTimeline.toggle()
            timelineSelection = showTimeline ? timelineFilter ?? 0 : nil
        case .toggleDashboard:
            showDashboard.toggle()
        case .openFolder:
            if let folder = selectedFolder, !table.tree!.expanded.contains(folder.name) { table.toggleFolder(folder.name) }
        case .closeFolder:
            closeFolder()
        case .cycleSortOrder where table.tree != nil:
            appendLog("the tree is in key order: v shows the table, which s sorts", kind: .error, at: now)
        case .cycleSortOrder:
            let orders = SortOrder.allCases
            table.setSortOrder(orders[(orders.firstIndex(of: table.sortOrder)! + 1) % orders.count])
        case .toggleFollow:
            guard status.serverAddress != nil else {
                appendLog("no clients to follow: start redi with --port", kind: .error, at: now)
                return .none
            }
            following.toggle()
            return .follow(following)
        case .previousDatabase, .nextDatabase:
            let step = action == .nextDatabase ? 1 : Engine.databaseCount - 1
            let chosen = ((requestedDatabase ?? database) + step) % Engine.databaseCount
            requestedDatabase = chosen
            return .loadDatabase(chosen)
        }
        return .none
    }

    /// Keys while the timeline has them: ↑/↓ choose a bucket, Enter shows
    /// only its keys (soonest first; Enter on it again shows all), Esc
    /// gives the keys back to the table. Other keys act on the table.
    private mutating func handleTimeline(_ key: Key, now: Int64) -> Bool {
        guard let bucket = timelineSelection else { return false }
        let last = ExpiryTimeline.buckets.count - 1
        switch key {
        case .up, .character("k"): timelineSelection = max(bucket - 1, 0)
        case .down, .character("j"): timelineSelection = min(bucket + 1, last)
        case .escape: timelineSelection = nil
        case .enter:
            timelineSelection = nil
            choose(bucket: bucket, now: now)
        default:
            timelineSelection = nil
            return false
        }
        return true
    }

    /// Shows only the keys of a timeline's bucket, soonest first; the
    /// bucket shown already: every key again.
    mutating func choose(bucket: Int, now: Int64) {
        selected = 0
        offset = 0
        if timelineFilter == bucket {
            timelineFilter = nil
            table.setDeadlineWindow(nil)
            return
        }
        let edges = ExpiryTimeline.buckets.map(\.milliseconds)
        let lower = bucket == 0 ? Int64.min : now + edges[bucket - 1]
        let upper = bucket == edges.count - 1 ? Int64.max : now + edges[bucket]
        timelineFilter = bucket
        table.setDeadlineWindow(lower..<upper)
        if table.tree == nil { table.setSortOrder(.ttl) }
    }

    /// The key of the selected row.
    public var selectedKey: Bytes? {
        table.shownRows(from: selected, limit: 1).first?.key
    }

    /// The folder of the selected row, in the tree.
    public var selectedFolder: TreeRow? {
        guard case .folder(let row)? = table.shownRows(from: selected, limit: 1).first else { return nil }
        return row
    }

    /// Between the table and the tree, keeping the selected key in view:
    /// in the tree the row of its outermost folder, or its own; in the
    /// table the key itself, or a folder's first key.
    private mutating func toggleTree() {
        let current = table.shownRows(from: selected, limit: 1).first
        table.showTree(delimiter: table.tree == nil ? delimiter : nil)
        switch current {
        case .key(let info, _)? where table.tree != nil:
            // Its own row, or its outermost folder's (the tree opens closed).
            selected = table.index(of: info.key) ?? table.tree!.folderRows.first { info.key.hasPrefix($0.row.name) }?.index ?? 0
        case .key(let info, _)?:
            selected = table.index(of: info.key) ?? 0
        case .folder(let row)?:
            selected = table.firstKey(withPrefix: row.name).flatMap { table.index(of: $0) } ?? 0
        case nil:
            selected = 0
        }
    }

    /// Closes the selected open folder, or else the folder around the
    /// selected row, and selects that folder.
    private mutating func closeFolder() {
        guard let tree = table.tree else { return }
        if let folder = selectedFolder, tree.expanded.contains(folder.name) {
            table.collapseFolder(folder.name)
            return
        }
        guard let parent = tree.parentRow(of: selected), case .folder(let row)? = table.shownRows(from: parent, limit: 1).first else { return }
        table.collapseFolder(row.name)
        selected = parent
    }

    /// Keys while a dialog is open: Esc closes it, Ctrl-C quits from it
    /// as from anywhere.
    private mutating func handleDialog(_ key: Key, now: Int64) -> Effect {
        guard let open = dialog else { return .none }
        if key == .control("c") { return .quit }
        // Esc while a detail view's line is typed leaves the line, not the view.
        if case .detail(var view) = open, let input = view.input {
            return handleDetailInput(key, input, in: &view, now: now)
        }
        if key == .escape {
            dialog = nil
            return .none
        }
        switch open {
        case .detail(var view):
            view.message = nil
            if view.isCollection {
                return handleCollectionDetail(key, in: &view)
            }
            switch key {
            case .up, .character("k"): view.scroll = max(view.scroll - 1, 0)
            case .down, .character("j"): view.scroll += 1
            case .pageUp: view.scroll = max(view.scroll - AppState.pageSize, 0)
            case .pageDown: view.scroll += AppState.pageSize
            case .home, .character("g"): view.scroll = 0
            case .enter, .character("q"):
                dialog = nil
                return .none
            default: break
            }
            dialog = .detail(view)
        case .confirmDelete(let name):
            dialog = nil
            if key == .character("y") || key == .character("Y") {
                return run(["DEL", name], echo: "DEL \(name.displayText)", now: now)
            }
        case .prompt(var prompt):
            if key == .enter { return finish(prompt, now: now) }
            _ = prompt.line.edit(key)
            prompt.error = nil
            dialog = .prompt(prompt)
        }
        return .none
    }

    /// Enter in a dialog's line: apply it and close, or say in the dialog
    /// what is wrong and keep it open.
    private mutating func finish(_ prompt: PromptDialog, now: Int64) -> Effect {
        let text = prompt.line.text
        switch prompt.purpose {
        case .filter:
            dialog = nil
            table.setFilter(text.isEmpty ? nil : GlobPattern(Bytes(text)))
            // An empty filter shows every key: a timeline bucket's too.
            if text.isEmpty, timelineFilter != nil {
                timelineFilter = nil
                table.setDeadlineWindow(nil)
            }
            selected = 0
            offset = 0
            // A remote table not loaded whole (or loaded for an earlier
            // filter) asks the server for the matching keys (SCAN MATCH).
            if let remote = status.remote, remote.loading || serverMatch != nil {
                serverMatch = text.isEmpty ? nil : Bytes(text)
                return .loadDatabase(database)
            }
            return .none
        case .ttl(let key):
            let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if trimmed == "-1" || trimmed.lowercased() == "persist" {
                dialog = nil
                return run(["PERSIST", key], echo: "PERSIST \(key.displayText)", now: now)
            }
            guard let seconds = Int64(trimmed), seconds >= 0 else {
                var shown = prompt
                shown.error = "whole seconds ≥ 0, or -1 or persist"
                dialog = .prompt(shown)
                return .none
            }
            dialog = nil
            return run(["EXPIRE", key, Bytes(String(seconds))], echo: "EXPIRE \(key.displayText) \(seconds)", now: now)
        }
    }

    /// Logs `>> echo` and hands `words` to the store; the reply goes right
    /// after the echo.
    private mutating func run(_ words: [Bytes], echo: String, now: Int64) -> Effect {
        lastCommand += 1
        let isScript = AppState.scriptCommands.contains(words[0].description.lowercased())
        if isScript || CommandTable.spec(named: words[0])?.redisFlags?.contains("blocking") == true {
            waitingCommands.append((lastCommand, now, isScript))
        }
        appendLog(">> " + echo, kind: .command, at: now, command: lastCommand)
        return .execute(words, command: lastCommand)
    }

    /// Keys in a list's, a hash's, a set's or a sorted set's rows: move
    /// the selection, filter, add (push), change or remove an element.
    private mutating func handleCollectionDetail(_ key: Key, in view: inout DetailView) -> Effect {
        var closes = false
        defer { dialog = closes ? nil : .detail(view) }
        let last = max((view.page?.matching ?? 1) - 1, 0)
        let type = view.page?.typeName
        switch key {
        case .up, .character("k"): view.select(view.selected - 1)
        case .down, .character("j"): view.select(view.selected + 1)
        case .pageUp: view.select(view.selected - AppState.pageSize)
        case .pageDown: view.select(view.selected + AppState.pageSize)
        case .home, .character("g"): view.select(0)
        case .end, .character("G"): view.select(last)
        case .character("/") where type == "stream", .character("a") where type == "stream", .character("e") where type == "stream",
             .character("d") where type == "stream", .delete where type == "stream":
            view.message = "a stream is shown read-only"
        case .character("/"): view.input = .filter(LineEditor(view.filter?.displayText ?? ""))
        case .character("a"): view.input = .add(LineEditor())
        case .character("i") where type == "list": view.input = .add(LineEditor(), atFront: true)
        case .character("e"):
            guard let element = view.selectedElement, let row = view.page?.rows[view.selected - view.page!.offset] else { break }
            if type == "set" {
                view.message = "a member is not changed: add the new one (a), then remove this one (d)"
            } else {
                // As the bar reads it back: a value with spaces, quotes or bytes that are not printable comes quoted.
                view.input = .change(element: element, LineEditor(Completion.typable(row[type == "zset" ? 2 : 1])))
            }
        case .character("d"), .delete:
            if let element = view.selectedElement { view.input = .remove(element: element) }
        case .enter, .character("q"):
            closes = true
            return .none
        default: break
        }
        if view.needsPage { return .fetchDetail(view.request) }
        return .none
    }

    /// Keys while the detail view's last row asks for something: Enter
    /// applies a typed line (a filter, an addition, a change), `y` confirms
    /// a removal; Esc leaves it.
    private mutating func handleDetailInput(_ key: Key, _ input: DetailInput, in view: inout DetailView, now: Int64) -> Effect {
        defer { dialog = .detail(view) }
        if case .remove(let element) = input {
            view.input = nil
            guard key == .character("y") || key == .character("Y") else { return .none }
            if view.page?.typeName == "list" { return removeListElement(at: element, in: &view, now: now) }
            let command: Bytes = switch view.page?.typeName {
            case "hash": "HDEL"
            case "zset": "ZREM"
            default: "SREM"
            }
            return change([command, view.key, element], in: &view, now: now)
        }
        guard var editor = input.editor else { return .none }
        switch key {
        case .escape:
            view.input = nil
            return .none
        case .enter:
            view.input = nil
            let text = editor.text
            switch input {
            case .filter:
                view.filter = text.isEmpty ? nil : Bytes(text)
                view.scroll = 0
                view.selected = 0
                return .fetchDetail(view.request)
            case .add:
                guard let words = InlineCommand.split(Array(text.utf8)), !words.isEmpty else {
                    view.message = "nothing added: unbalanced quotes, or nothing typed"
                    return .none
                }
                let command: Bytes = switch view.page?.typeName {
                case "hash": "HSET"
                case "zset": "ZADD"
                case "list": if case .add(_, atFront: true) = input { "LPUSH" } else { "RPUSH" }
                default: "SADD"
                }
                return change([command, view.key] + words, in: &view, now: now)
            case .change(let element, _):
                let typed = InlineCommand.split(Array(text.utf8)).flatMap { $0.count == 1 ? $0[0] : nil } ?? Bytes(text)
                switch view.page?.typeName {
                case "zset": return change(["ZADD", view.key, typed, element], in: &view, now: now)
                case "list": return change(["LSET", view.key, element, typed], in: &view, now: now)
                default: return change(["HSET", view.key, element, typed], in: &view, now: now)
                }
            case .remove:
                return .none
            }
        default:
            _ = editor.edit(key)
            view.input = switch input {
            case .filter: .filter(editor)
            case .add(_, let atFront): .add(editor, atFront: atFront)
            case .change(let element, _): .change(element: element, editor)
            case .remove: input
            }
        }
        return .none
    }

    /// Runs a change the detail view asked for, logged as typed; an error
    /// in its reply shows in the view (`record`).
    /// Removes a list's element by its index, which Redis has no command
    /// for: in one transaction, the element becomes a marker no value
    /// holds, then the marker is removed.
    private mutating func removeListElement(at index: Bytes, in view: inout DetailView, now: Int64) -> Effect {
        let marker = Bytes("redi:removed:\(UInt64.random(in: 0...UInt64.max))")
        var effects = [run(["MULTI"], echo: "MULTI", now: now)]
        effects.append(run(["LSET", view.key, index, marker], echo: "LSET \(Completion.typable(view.key)) \(index) \(marker)", now: now))
        effects.append(run(["LREM", view.key, "1", marker], echo: "LREM \(Completion.typable(view.key)) 1 \(marker)", now: now))
        effects.append(change(["EXEC"], in: &view, now: now))
        return .sequence(effects)
    }

    private mutating func change(_ words: [Bytes], in view: inout DetailView, now: Int64) -> Effect {
        let effect = run(words, echo: words.map(Completion.typable).joined(separator: " "), now: now)
        view.awaiting = lastCommand
        return effect
    }

    /// Shows a fetched page in the detail dialog, if it is still open on
    /// what was asked; `nil`: the key is gone.
    /// - Returns: a fetch of the rows shown, when the page that came does
    ///   not hold them (it was asked for before a scroll, or the value
    ///   shrank under the selection).
    @discardableResult
    public mutating func showDetail(_ page: DetailPage?, for request: DetailRequest) -> Effect {
        guard case .detail(var view)? = dialog, view.key == request.key, view.filter == request.filter else { return .none }
        defer { dialog = .detail(view) }
        guard let page else {
            view.gone = true
            return .none
        }
        view.page = page
        if page.typeName == "string" { view.lines = Dialogs.lines(of: page.rows.first?.first ?? Bytes()) }
        view.gone = false
        guard view.isCollection else { return .none }
        view.select(view.selected)
        return view.needsPage ? .fetchDetail(view.request) : .none
    }

    /// Tab: complete the word before the cursor; show the choices when several remain.
    private mutating func complete() {
        guard editor.cursor == editor.characters.count else { return }
        let text = editor.text
        let completed = Completion.complete(text, keys: table.rows.keys, catalog: catalog)
        if completed != text {
            editor.replace(with: completed)
        } else {
            completions = Completion.candidates(for: text, keys: table.rows.keys, catalog: catalog)
        }
    }

    /// Keys while Ctrl-R searches the history: typing narrows, Ctrl-R goes
    /// further back, Enter runs the match, Esc or Ctrl-G gives up; other keys
    /// take the match into the bar and act as usual.
    private mutating func handleSearch(_ key: Key, now: Int64) -> Effect? {
        guard var current = search else { return nil }
        switch key {
        case .character(let character):
            current.query.append(character)
            current.match = history.search(current.query)
        case .backspace:
            if !current.query.isEmpty { current.query.removeLast() }
            current.match = history.search(current.query)
        case .control("r"):
            if let match = current.match { current.match = history.search(current.query, before: match.index) ?? match }
        case .escape, .control("g"):
            search = nil
            return Effect.none
        case .enter:
            search = nil
            if let match = current.match { editor.replace(with: match.line) }
            return submit(now: now)
        default:
            search = nil
            if let match = current.match { editor.replace(with: match.line) }
            return nil
        }
        search = current
        return Effect.none
    }

    /// Enter in the bar: log the command and hand it to the store.
    private mutating func submit(now: Int64) -> Effect {
        let line = editor.text
        editor = LineEditor()
        completions = []
        guard !line.allSatisfy(\.isWhitespace) else { return .none }
        history.add(line)
        guard let words = InlineCommand.split(Array(line.utf8)) else {
            appendLog(">> " + line, kind: .command, at: now)
            appendLog("(error) ERR Protocol error: unbalanced quotes in request", kind: .error, at: now)
            return .none
        }
        if CommandTable.leavesFrontEnd(words) { return .quit }
        return run(words, echo: line, now: now)
    }

    /// Logs a command's reply as redis-cli prints it, right after the
    /// command's own lines: replies stay with their commands even when
    /// commands typed meanwhile were logged first.
    public mutating func record(_ reply: Reply, of command: Int, now: Int64) {
        waitingCommands.removeAll { $0.command == command }
        if case .detail(var view)? = dialog, view.awaiting == command {
            view.awaiting = nil
            if case .error(let text) = reply { view.message = text }
            dialog = .detail(view)
        }
        let kind: LogLine.Kind = reply.isError ? .error : .reply
        appendReply(reply.typedLines.map { LogLine(time: now, text: $0, kind: kind, command: command) }, to: command)
    }

    /// Applies the store's changes to the shown database's table; changed
    /// rows flash, expiries are logged. A SWAPDB of the shown database asks
    /// for its keys again.
    public mutating func apply(_ changes: [KeyChange], now: Int64) -> Effect {
        let shown = changes.filter { $0.database == database }
        table.apply(shown)
        var expired: [Bytes] = []
        // The detail view's key changed: fetch its value again, or say it is gone.
        var detailChanged = false
        let detailView: DetailView? = if case .detail(let view)? = dialog { view } else { nil }
        let detailKey = detailView?.key
        for change in shown {
            switch change {
            case .updated(let info, _):
                flashes[info.key] = now + AppState.flashMilliseconds
                if info.key == detailKey { detailChanged = true }
            case .removed(let key, let reason, _):
                if reason == .expired { expired.append(key) } else { flashes[key] = nil }
                if key == detailKey { detailChanged = true }
            case .flushed:
                flashes.removeAll()
                appendLog("all keys of db \(database) flushed", kind: .event, at: now)
                if detailKey != nil { detailChanged = true }
            case .swapped, .reloaded:
                break
            }
        }
        defer {
            if expired.count == 1 {
                appendLog("key \"\(expired[0].displayText)\" expired", kind: .event, at: now)
            } else if expired.count > 1 {
                appendLog("\(expired.count) keys expired", kind: .event, at: now)
            }
            if flashes.count > 10_000 { flashes.removeAll() }
        }
        for case .swapped(let first, let second) in changes where first == database || second == database {
            appendLog("db \(first) and db \(second) swapped", kind: .event, at: now)
            return .loadDatabase(database)
        }
        if changes.contains(.reloaded(database: database)) {
            appendLog("reloading db \(database)", kind: .event, at: now)
            return .loadDatabase(database)
        }
        if detailChanged, let detailView { return .fetchDetail(detailView.request) }
        return .none
    }

    /// Shows `database`'s keys, as just read from the store.
    public mutating func show(database: Int, keys: [KeyInfo], now: Int64) {
        if database != self.database {
            appendLog("showing db \(database): \(keys.count) keys", kind: .event, at: now)
        }
        self.database = database
        if requestedDatabase == database { requestedDatabase = nil }
        table.load(keys)
        flashes.removeAll()
        selected = 0
        offset = 0
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
        case .key, .flushed, .swapped:
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
