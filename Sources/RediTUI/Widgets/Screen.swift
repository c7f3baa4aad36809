import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws the whole screen from the state: a pure function of the state, the
/// time and the size, so tests compare buffers and the terminal draws diffs.
public enum Screen {
    /// Below this size the screen says so instead of drawing.
    public static let minimumWidth = 40
    public static let minimumHeight = 10

    /// Renders the screen; returns the buffer and where the cursor goes, if shown.
    public static func render(_ state: AppState, now: Int64, width: Int, height: Int) -> (Buffer, cursor: (x: Int, y: Int)?) {
        var buffer = Buffer(area: Rect(x: 0, y: 0, width: width, height: height))
        if width < minimumWidth || height < minimumHeight {
            let lines = ["terminal too small", "\(width)x\(height), need \(minimumWidth)x\(minimumHeight)"]
            for (index, line) in lines.enumerated() {
                let text = TextWidth.truncate(line, to: width)
                buffer.write(text, x: max((width - TextWidth.of(text)) / 2, 0), y: max(height / 2 - 1, 0) + index)
            }
            return (buffer, nil)
        }
        let layout = Layout(state, width: width, height: height)
        drawStatus(state, now: now, into: &buffer, area: layout.status)
        if let keys = layout.keys {
            let focused = state.focus == .table && state.timelineSelection == nil && state.dialog == nil
            let title = state.table.tree.map { "keys by \($0.delimiter.displayText)" } ?? "keys"
            Pane.draw(title, right: "db \(state.database)", focused: focused, bordered: layout.bordered, titleRule: false, into: &buffer, area: keys)
            drawTable(state, now: now, into: &buffer, area: layout.keysInside)
        }
        if let charts = layout.charts {
            Dashboard.draw(state.vitals, bordered: layout.bordered, into: &buffer, area: charts)
        }
        if let area = layout.timeline {
            let inside = Pane.draw("expiring", focused: state.timelineSelection != nil && state.dialog == nil, bordered: layout.bordered,
                                   into: &buffer, area: area)
            ExpiryTimeline.draw(state.table.expiring(now: now), selected: state.timelineSelection, chosen: state.timelineFilter,
                                into: &buffer, area: inside)
        }
        if let area = layout.log { drawLog(state, bordered: layout.bordered, into: &buffer, area: area) }
        var cursor: (x: Int, y: Int)? = drawBar(state, into: &buffer, area: layout.bar)
        if state.focus != .bar || state.showHelp { cursor = nil }
        if let dialog = state.dialog {
            if case .detail = dialog, let area = layout.detail {
                buffer.fill(area)
                let inside = Pane.draw("value", right: layout.detailBeside ? "Esc closes" : nil, focused: true, bordered: layout.bordered,
                                       titleRule: false, into: &buffer, area: area)
                cursor = Dialogs.draw(dialog, info: state.dialogInfo, now: now, into: &buffer, area: inside)
            } else {
                cursor = Dialogs.draw(dialog, info: state.dialogInfo, now: now, into: &buffer, area: layout.body)
            }
        }
        if state.showHelp { drawHelp(into: &buffer, area: layout.body) }
        return (buffer, cursor)
    }

    static let statusStyle = Style(attributes: [.reverse])
    static let headerStyle = Style(attributes: [.bold, .underline])
    static let dim = Style(attributes: [.dim])
    static let border = Style(attributes: [.dim])
    static let focusedBorder = Style(foreground: .cyan, attributes: [.bold])
    static let title = Style(attributes: [.bold])
    static let focusedTitle = Style(foreground: .cyan, attributes: [.bold, .reverse])

    static func clock(_ unixSeconds: Int64) -> String {
        var time = time_t(unixSeconds)
        var parts = tm()
        localtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// The status line: what is shown, then the snapshot, the server and
    /// the clock. When the terminal is too narrow for all, the parts least
    /// needed go first (the clock, then following, the server, the
    /// snapshot), so the key count, sort order and filter stay in view.
    private static func drawStatus(_ state: AppState, now: Int64, into buffer: inout Buffer, area: Rect) {
        buffer.fill(area, style: statusStyle)
        let count = state.table.totalCount
        // (text, how late it is dropped: higher stays longer)
        var keys = "\(count) \(count == 1 ? "key" : "keys")"
        if let remote = state.status.remote, remote.loading {
            // Sort and filter see only what is loaded: say so.
            keys = "\(count) of \(remote.totalKeys) keys loading"
        }
        var parts: [(text: String, keep: Int)] = [
            (" redi", 9),
            ("db \(state.database): \(keys), \(state.table.volatileCount) volatile", 8),
        ]
        if let remote = state.status.remote {
            if let reason = remote.disconnectedReason {
                parts.append(("disconnected: \(reason); reconnecting", 10))
            } else {
                let cluster = remote.clusterNodes.map { "cluster of \($0) \($0 == 1 ? "node" : "nodes"), " } ?? ""
                parts.append((cluster + (remote.live ? "live" : "not live") + (remote.readOnly ? ", read-only" : ""), 6))
            }
        } else if let path = state.status.snapshotPath {
            let unsaved = state.status.unsaved > 0 ? ", \(state.status.unsaved) unsaved" : ""
            parts.append(("\(path) saved \(clock(state.status.lastSave))\(unsaved)", 3))
        } else {
            parts.append(("no snapshot", 3))
        }
        if let file = state.status.appendOnly {
            // A refused write stays in view: writes fail until the disk takes them.
            if let error = file.writeError {
                parts.append(("AOF cannot write: \(error)", 8))
            } else {
                parts.append(("AOF \(file.fsync.rawValue) \(ByteCount.human(Int(file.size)))\(file.rewriting ? ", rewriting" : "")", 4))
            }
        }
        if let address = state.status.serverAddress {
            parts.append(("\(address), \(state.status.clients) \(state.status.clients == 1 ? "client" : "clients")", 2))
        }
        if state.following { parts.append(("following", 1)) }
        // A command that waits (BLPOP...), once it has waited a moment.
        if state.isSeenWaiting(now: now) {
            parts.append((state.isWaitingForScript ? "script running: Esc kills it" : "waiting for a reply: Esc cancels", 10))
        }
        if let filter = state.table.filter { parts.append(("filter \(filter.pattern.displayText)", 7)) }
        if let bucket = state.timelineFilter {
            let buckets = ExpiryTimeline.buckets
            let text = bucket == 0 ? "within \(buckets[0].label)"
                : bucket == buckets.count - 1 ? "after \(buckets[bucket - 1].label)" : "in \(buckets[bucket - 1].label)–\(buckets[bucket].label)"
            parts.append(("expiring \(text)", 7))
        }
        if let tree = state.table.tree {
            parts.append(("tree by \(tree.delimiter.displayText)", 7))
        } else {
            parts.append(("sort: \(state.table.sortOrder.rawValue)", 7))
        }
        var right = clock(now / 1000) + " "
        func width() -> Int { TextWidth.of(parts.map(\.text).joined(separator: " │ ")) + TextWidth.of(right) + 1 }
        if width() > area.width { right = "" }
        while width() > area.width, let drop = parts.indices.filter({ parts[$0].keep < 7 }).min(by: { parts[$0].keep < parts[$1].keep }) {
            parts.remove(at: drop)
        }
        let left = parts.map(\.text).joined(separator: " │ ")
        buffer.write(left, x: area.x, y: area.y, style: statusStyle, limit: area.width - TextWidth.of(right) - 1)
        if !right.isEmpty { buffer.write(right, x: area.maxX - TextWidth.of(right), y: area.y, style: statusStyle) }
    }

    /// Column widths: key, type, TTL, length, size; the value takes the rest.
    static func columns(width: Int) -> (key: Int, type: Int, ttl: Int, length: Int, size: Int, value: Int) {
        let type = 6, ttl = 7, length = 7, size = 9
        let key = max(12, (width - type - ttl - length - size) * 2 / 5)
        return (key, type, ttl, length, size, max(width - key - type - ttl - length - size - 5, 0))
    }

    private static func drawTable(_ state: AppState, now: Int64, into buffer: inout Buffer, area: Rect) {
        let widths = columns(width: area.width)
        func row(_ cells: [String], y: Int, style: Style) {
            var x = area.x
            let columnWidths = [widths.key, widths.type, widths.ttl, widths.length, widths.size, widths.value]
            for (column, (cell, width)) in zip(cells, columnWidths).enumerated() {
                let text = TextWidth.truncate(cell, to: width)
                // TTL, length and size are right-aligned.
                let aligned = (2...4).contains(column)
                    ? String(repeating: " ", count: max(width - TextWidth.of(text), 0)) + text : text
                buffer.write(aligned, x: x, y: y, style: style, limit: width)
                x += width + 1
            }
        }
        buffer.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1), style: headerStyle)
        row(header(state), y: area.y, style: headerStyle)
        let visible = state.table.shownRows(from: state.offset, limit: area.height - 1)
        let highlight = Highlight(typing: state.editor.text)
        if visible.isEmpty {
            let message = state.table.totalCount == 0 ? "no keys yet: type SET name Alice below" : "no key matches the filter"
            buffer.write(message, x: area.x + 1, y: area.y + 1, style: dim)
        }
        // Counts over a remote keyspace still loading are at least what is loaded.
        let loading = state.status.remote?.loading == true
        for (index, shown) in visible.enumerated() {
            let y = area.y + 1 + index
            var style = Style.plain
            let selected = state.offset + index == state.selected
            if selected { style.attributes.insert(state.focus == .table ? .reverse : .underline) }
            switch shown {
            case .folder(let folder):
                style.foreground = .blue
                style.attributes.insert(.bold)
                if selected { buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), style: style) }
                let open = state.table.tree?.expanded.contains(folder.name) == true
                let name = indent(folder, width: widths.key) + (open ? "▾ " : "▸ ") + folder.shownPart.displayText
                let count = folder.count ?? 0
                row([name, "", "", "", "", "\(count)\(loading ? "+" : "") \(count == 1 && !loading ? "key" : "keys")"], y: y, style: style)
            case .key(let info, let place):
                let remaining = info.deadline.map { $0 - now }
                if let remaining, remaining < 1000 {
                    style.foreground = .red
                } else if let remaining, remaining < 10_000 {
                    style.foreground = .yellow
                }
                if let until = state.flashes[info.key], until > now { style.attributes.insert(.bold) }
                if highlight?.matches(info.key) == true {
                    style.foreground = .magenta
                    style.attributes.insert(.bold)
                }
                if selected { buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), style: style) }
                let name = place.map { indent($0, width: widths.key) + "  " + $0.shownPart.displayText } ?? info.key.displayText
                let preview = info.preview.displayText + (info.previewIsCut ? "…" : "")
                row([name, info.typeName, TTLText.format(milliseconds: remaining), String(info.length), String(info.size), preview],
                    y: y, style: style)
            }
        }
    }

    /// The column names, the sort column's marked with its direction: key
    /// order and soonest deadline first go up (▲), largest first down (▼).
    static func header(_ state: AppState) -> [String] {
        var names = ["KEY", "TYPE", "TTL", "LEN", "SIZE", "VALUE"]
        let order = state.table.tree == nil ? state.table.sortOrder : .key
        switch order {
        case .key: names[0] += " ▲"
        case .ttl: names[2] = "▲ TTL"
        case .length: names[3] = "▼ LEN"
        case .size: names[4] = "▼ SIZE"
        }
        return names
    }

    /// The sort order of the column at `x` of a table drawn `width` columns
    /// wide from `x` 0 (a click on its name), if it has one.
    static func sortOrder(atColumn x: Int, width: Int) -> SortOrder? {
        let widths = columns(width: width)
        let edges = [widths.key, widths.type, widths.ttl, widths.length, widths.size].reduce(into: [0]) { $0.append($0.last! + $1 + 1) }
        let orders: [SortOrder?] = [.key, nil, .ttl, .length, .size]
        return edges.indices.dropLast().first { x >= edges[$0] && x < edges[$0 + 1] }.flatMap { orders[$0] }
    }

    /// Two columns for each folder around a tree's row, half the key column at most.
    private static func indent(_ row: TreeRow, width: Int) -> String {
        String(repeating: " ", count: min(2 * row.depth, width / 2))
    }

    private static func drawLog(_ state: AppState, bordered: Bool, into buffer: inout Buffer, area: Rect) {
        guard area.height > 0 else { return }
        let scrolled = state.logScroll > 0 ? "scrolled back \(state.logScroll) (PgDn: newer)" : nil
        let inside = Pane.draw("log", right: scrolled, focused: false, bordered: bordered, into: &buffer, area: area)
        let end = max(state.log.count - state.logScroll, 0)
        for (index, line) in state.log[..<end].suffix(inside.height).enumerated() {
            var style = Style.plain
            switch line.kind {
            case .command: style.attributes = [.bold]
            case .error: style.foreground = .red
            case .event: style.foreground = .cyan
            case .client: style.foreground = .magenta
            case .reply: break
            }
            let y = inside.y + index
            let x = buffer.write(clock(line.time / 1000) + " ", x: inside.x, y: y, style: dim, limit: inside.width)
            buffer.write(line.text, x: x, y: y, style: style, limit: inside.maxX - x)
        }
    }

    /// Draws `>> ` and the text, with a dim hint of the command's syntax.
    /// - Returns: where the cursor goes.
    private static func drawBar(_ state: AppState, into buffer: inout Buffer, area: Rect) -> (x: Int, y: Int) {
        if let search = state.search {
            let text = "(reverse-i-search)`\(search.query)': "
            let end = buffer.write(text, x: area.x, y: area.y, style: dim)
            buffer.write(search.match?.line ?? "", x: end, y: area.y)
            return (min(end, area.maxX - 1), area.y)
        }
        let prompt = state.focus != .bar ? "   " : state.inTransaction ? "(TX)>> " : ">> "
        var x = buffer.write(prompt, x: area.x, y: area.y, style: Style(attributes: [.bold]))
        let start = x
        let characters = state.editor.characters
        // Keep the cursor in view on long lines.
        let room = area.width - start - 1
        let skip = max(state.editor.cursor - room, 0)
        x = buffer.write(String(characters.dropFirst(skip)), x: x, y: area.y)
        if !state.completions.isEmpty {
            buffer.write("  " + state.completions.prefix(12).joined(separator: " "), x: x, y: area.y, style: dim)
        } else if let hint = hint(for: state.editor.text, catalog: state.catalog) {
            buffer.write(" " + hint, x: x, y: area.y, style: dim)
        }
        if state.focus == .table {
            buffer.write("Esc or Tab: command bar   F1 or ?: help", x: start, y: area.y, style: dim)
        }
        let cursorX = start + TextWidth.of(String(characters[skip..<state.editor.cursor]))
        return (min(cursorX, area.maxX - 1), area.y)
    }

    /// The syntax of the command being typed, while only its name is there.
    static func hint(for text: String, catalog: CommandCatalog = .local) -> String? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 1, text.hasSuffix(" "), let syntax = catalog.syntax(of: String(words[0])) else { return nil }
        return syntax.isEmpty ? nil : syntax
    }

    private static func drawHelp(into buffer: inout Buffer, area: Rect) {
        let lines = ["Keys (F1 or ? closes)", ""] + KeyBinding.all.map { binding in
            binding.label + String(repeating: " ", count: max(12 - TextWidth.of(binding.label), 1)) + binding.help
        } + ["", "In the command bar: ←/→ Home/End Ctrl-A/E/K/U/W Alt-B/F edit, Enter runs,",
             "↑/↓ browse the history, Ctrl-R searches it, Tab completes commands, options and keys.",
             "Mouse: the wheel scrolls, a click selects, a double-click opens, a column's name sorts,",
             "a timeline bucket filters. Hold Shift to select text; --no-mouse leaves the mouse to the terminal."]
        let width = min(lines.map { TextWidth.of($0) }.max()! + 4, area.width)
        let height = min(lines.count + 2, area.height)
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        buffer.fill(box, style: statusStyle)
        for (index, line) in lines.prefix(height - 2).enumerated() {
            buffer.write(line, x: box.x + 2, y: box.y + 1 + index, style: statusStyle, limit: width - 4)
        }
    }
}

/// The rows to highlight while a command is typed: the keys it names (by its
/// key positions in the command table) or the pattern KEYS is given.
struct Highlight {
    var keys: Set<Bytes> = []
    var pattern: GlobPattern?

    init?(typing text: String) {
        guard let words = InlineCommand.split(Array(text.utf8)), let name = words.first,
              let spec = CommandTable.spec(named: name) else { return nil }
        if spec.name == "KEYS" || spec.name == "SCAN" {
            if spec.name == "KEYS", words.count > 1 { pattern = GlobPattern(words[1]) }
            if spec.name == "SCAN", let match = words.firstIndex(where: { $0.equalsIgnoringCase("MATCH") }), match + 1 < words.count {
                pattern = GlobPattern(words[match + 1])
            }
        } else if let positions = spec.keys, words.count > positions.first {
            let last = positions.last < 0 ? words.count + positions.last : min(positions.last, words.count - 1)
            if last >= positions.first {
                for index in stride(from: positions.first, through: last, by: positions.step) { keys.insert(words[index]) }
            }
        }
        if keys.isEmpty && pattern == nil { return nil }
    }

    func matches(_ key: Bytes) -> Bool {
        keys.contains(key) || pattern?.matches(key) == true
    }
}
