import StoreEngine

/// The dialogs over the key table: a key's whole value, a delete to confirm,
/// a line to type (filter, TTL). Each clips to its area at any size; a key
/// too long for a dialog is cut, never the dialog's instructions.
enum Dialogs {
    static let boxStyle = Style(attributes: [.reverse])
    static let errorStyle = Style(foreground: .red, attributes: [.reverse])

    /// Draws the dialog; returns where the cursor goes, if it takes text.
    static func draw(_ dialog: Dialog, info: KeyInfo?, now: Int64, into buffer: inout Buffer, area: Rect) -> (x: Int, y: Int)? {
        guard !area.isEmpty else { return nil }
        switch dialog {
        case .detail(let view):
            return drawDetail(view, info: info, now: now, into: &buffer, area: area)
        case .confirmDelete(let key):
            let answer = " y deletes, any other key keeps it "
            let width = min(max(TextWidth.of(answer), TextWidth.of(" Delete \"\(key.displayText)\"? ")), area.width)
            let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + max(area.height / 2 - 2, 0), width: width, height: min(4, area.height))
            buffer.fill(box, style: boxStyle)
            buffer.write(fitting(" Delete \"", key, "\"? ", width: width), x: box.x, y: box.y + 1, style: boxStyle, limit: width)
            buffer.write(answer, x: box.x, y: box.y + 2, style: boxStyle, limit: width)
            return nil
        case .prompt(let prompt):
            let purpose = prompt.purpose
            let width = min(max(TextWidth.of(purpose.title(fitting: .max)) + 4, TextWidth.of(purpose.hint) + 4, 50), area.width)
            let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + max(area.height / 2 - 2, 0), width: width, height: min(5, area.height))
            buffer.fill(box, style: boxStyle)
            buffer.write(" " + purpose.title(fitting: width - 2), x: box.x, y: box.y + 1, style: boxStyle, limit: width)
            if let error = prompt.error {
                buffer.write(" " + error, x: box.x, y: box.y + 3, style: errorStyle, limit: width)
            } else {
                buffer.write(" " + purpose.hint, x: box.x, y: box.y + 3, style: boxStyle, limit: width)
            }
            let input = Rect(x: box.x + 1, y: box.y + 2, width: width - 2, height: box.height > 2 ? 1 : 0)
            guard !input.isEmpty else { return nil }
            buffer.fill(input, style: .plain)
            let line = prompt.line
            // Keep the cursor in view on long lines.
            let skip = max(line.cursor - (input.width - 1), 0)
            buffer.write(String(line.characters[skip...]), x: input.x, y: input.y, limit: input.width)
            let cursor = input.x + TextWidth.of(String(line.characters[skip..<line.cursor]))
            return (min(cursor, input.maxX - 1), input.y)
        }
    }

    /// `before`, the key and `after` in `width` columns: the key is cut
    /// (ending in `…`) so that the rest fits whole when it can.
    static func fitting(_ before: String, _ key: Bytes, _ after: String, width: Int) -> String {
        let room = width - TextWidth.of(before) - TextWidth.of(after)
        return before + TextWidth.truncate(key.displayText, to: max(room, 1)) + after
    }

    /// The detail view: a title, the value (a string's lines, or a page of
    /// a collection's rows under column names), and a help line that
    /// becomes the filter's line while one is typed.
    private static func drawDetail(_ view: DetailView, info: KeyInfo?, now: Int64, into buffer: inout Buffer, area: Rect) -> (x: Int, y: Int)? {
        buffer.fill(area, style: .plain)
        let ttl = TTLText.format(milliseconds: info?.deadline.map { $0 - now })
        var about = view.gone ? "gone" : "\(info?.typeName ?? "…") · \(Self.amount(info)) · TTL \(ttl)"
        if let page = view.page, view.isCollection, page.matching > 0 {
            let last = min(view.scroll + max(area.height - 3, 1), page.matching)
            about += " · rows \(view.scroll + 1)–\(last) of \(page.matching)"
        }
        if let filter = view.filter { about += " · filter \(filter.displayText)" }
        if let summary = view.page?.summary { about += " · \(summary)" }
        if let location = view.page?.location { about += " · on \(location)" }
        buffer.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1), style: boxStyle)
        // The key keeps a third of a narrow title; what is said of it is cut first.
        let keyRoom = max(area.width - TextWidth.of(about) - 5, min(TextWidth.of(view.key.displayText), area.width / 3))
        let title = " " + TextWidth.truncate(view.key.displayText, to: max(keyRoom, 1)) + " · " + about
        buffer.write(TextWidth.truncate(title, to: area.width), x: area.x, y: area.y, style: boxStyle, limit: area.width)
        let body = Rect(x: area.x + 1, y: area.y + 1, width: max(area.width - 2, 0), height: max(area.height - 2, 0))
        if !body.isEmpty {
            if let page = view.page, view.isCollection {
                drawRows(of: page, from: view.scroll, selected: view.selected, into: &buffer, area: body)
            } else {
                let text = view.lines ?? ["loading…"]
                for (index, line) in visibleRows(of: text, width: body.width, from: view.scroll, count: body.height).enumerated() {
                    buffer.write(line, x: body.x, y: body.y + index, limit: body.width)
                }
            }
        }
        guard area.height > 1 else { return nil }
        let footer = Rect(x: area.x, y: area.maxY - 1, width: area.width, height: 1)
        if let message = view.message {
            buffer.fill(footer, style: errorStyle)
            buffer.write(" " + message, x: footer.x, y: footer.y, style: errorStyle, limit: footer.width)
            return nil
        }
        if let input = view.input {
            return drawInput(input, of: view, into: &buffer, area: footer)
        }
        let help = view.gone ? " the key is gone · Enter, q or Esc close "
            : view.page?.typeName == "list"
            ? " ↑/↓ PgUp/PgDn g/G move · / filter · a push at the tail · i at the head · e change · d remove · Enter, q or Esc close "
            : view.isCollection ? " ↑/↓ PgUp/PgDn g/G move · / filter · a add · e change · d remove · Enter, q or Esc close "
            : " ↑/↓ PgUp/PgDn scroll · Enter, q or Esc close "
        buffer.write(help, x: area.x, y: area.maxY - 1, style: Screen.dim, limit: area.width)
        return nil
    }

    /// The detail view's last row while it asks for something: the
    /// question, then the line typed; returns where the cursor goes.
    private static func drawInput(_ input: DetailInput, of view: DetailView, into buffer: inout Buffer, area: Rect) -> (x: Int, y: Int)? {
        let type = view.page?.typeName
        let label: String
        switch input {
        case .filter: label = " filter (a glob; Enter applies, Esc leaves it): "
        case .add(_, let atFront):
            label = switch type {
            case "hash": " add field value [field value ...]: "
            case "zset": " add score member [score member ...]: "
            case "list": atFront ? " push at the head (LPUSH) element [element ...]: " : " push at the tail (RPUSH) element [element ...]: "
            default: " add member [member ...]: "
            }
        case .change(let element, _) where type == "list":
            label = " new value at index \(element.displayText): "
        case .change(let element, _):
            label = fitting(type == "zset" ? " new score of \"" : " new value of \"", element, "\": ", width: area.width / 2)
        case .remove(let element) where type == "list":
            let value = view.page.flatMap { page in page.rows.first { $0[0] == element }?[1] } ?? Bytes()
            label = fitting(" remove element \(element.displayText) \"", value, "\"? y removes it, any other key keeps it ", width: area.width)
        case .remove(let element):
            let noun = type == "hash" ? "field" : "member"
            label = fitting(" remove \(noun) \"", element, "\"? y removes it, any other key keeps it ", width: area.width)
        }
        buffer.fill(area, style: boxStyle)
        buffer.write(label, x: area.x, y: area.y, style: boxStyle, limit: area.width)
        guard let editor = input.editor else { return nil }
        let start = area.x + min(TextWidth.of(label), area.width)
        let room = area.maxX - start
        guard room > 0 else { return nil }
        let skip = max(editor.cursor - (room - 1), 0)
        buffer.write(String(editor.characters[skip...]), x: start, y: area.y, style: boxStyle, limit: room)
        return (min(start + TextWidth.of(String(editor.characters[skip..<editor.cursor])), area.maxX - 1), area.y)
    }

    /// A collection's rows from row `first`, under its column names: a
    /// list's indexes and elements, a hash's fields and values, a set's
    /// members, a sorted set's rank, member and score. Each cell on one line, escaped, cut to its column.
    private static func drawRows(of page: DetailPage, from first: Int, selected: Int, into buffer: inout Buffer, area: Rect) {
        let names: [String] = switch page.typeName {
        case "list": ["INDEX", "ELEMENT"]
        case "hash": ["FIELD", "VALUE"]
        case "zset": ["RANK", "MEMBER", "SCORE"]
        case "stream": ["ID", "FIELDS"]
        default: ["MEMBER"]
        }
        let shown = Array(page.rows.dropFirst(max(first - page.offset, 0)).prefix(max(area.height - 1, 0)))
        guard first >= page.offset || page.rows.isEmpty else { return }
        // A cell shows at most a line: a long value is cut before it is escaped.
        let cells = shown.map { row in
            row.map { cell in
                cell.count <= 1024 ? cell.displayText : cell.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[0..<1024])) }.displayText
            }
        }
        // Widths: the narrow columns (a rank, a score) as wide as their
        // widest cell; a hash's field up to a third; the last column the rest.
        var widths = names.map(TextWidth.of)
        for row in cells {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], TextWidth.of(cell)) }
        }
        switch page.typeName {
        case "list":
            // The index as wide as the widest shown; the element the rest.
            widths[1] = max(area.width - widths[0] - 2, 0)
        case "hash", "stream":
            widths[0] = min(widths[0], max(area.width / 3, 1))
            widths[1] = max(area.width - widths[0] - 2, 0)
        case "zset":
            // The member as wide as the widest shown, so that its score stays beside it.
            widths[2] = min(widths[2], max(area.width / 4, 1))
            widths[1] = min(widths[1], max(area.width - widths[0] - widths[2] - 4, 0))
        default:
            widths[0] = area.width
        }
        func write(_ row: [String], at y: Int, style: Style) {
            var x = area.x
            for (column, cell) in row.enumerated() where column < widths.count {
                let width = min(widths[column], area.maxX - x)
                guard width > 0 else { return }
                // A rank and a score line up on the right.
                let rightAligned = (page.typeName == "zset" && column != 1) || (page.typeName == "list" && column == 0)
                let text = TextWidth.truncate(cell, to: width)
                let pad = rightAligned ? max(width - TextWidth.of(text), 0) : 0
                buffer.write(text, x: x + pad, y: y, style: style, limit: width - pad)
                x += widths[column] + 2
            }
        }
        write(names, at: area.y, style: Screen.dim)
        if page.matching == 0 {
            buffer.write(page.total == 0 ? "(empty)" : "(no row matches the filter)", x: area.x, y: area.y + 1, style: Screen.dim, limit: area.width)
            return
        }
        for (index, row) in cells.enumerated() where area.y + 1 + index < area.maxY {
            let isSelected = first + index == selected
            if isSelected { buffer.fill(Rect(x: area.x, y: area.y + 1 + index, width: area.width, height: 1), style: boxStyle) }
            write(row, at: area.y + 1 + index, style: isSelected ? boxStyle : .plain)
        }
    }

    /// How much a key holds, in its type's words: bytes, fields, members.
    static func amount(_ info: KeyInfo?) -> String {
        guard let info else { return "…" }
        let noun = switch info.typeName {
        case "hash": info.length == 1 ? "field" : "fields"
        case "set", "zset": info.length == 1 ? "member" : "members"
        case "list": info.length == 1 ? "element" : "elements"
        case "stream": info.length == 1 ? "entry" : "entries"
        default: "bytes"
        }
        return "\(info.length) \(noun)"
    }

    /// `count` rows of `lines` wrapped to `width` columns, from wrapped row
    /// `first` (the last rows when `first` is past the end). Wraps only as
    /// far as it shows, so a long value costs what is on the screen.
    static func visibleRows(of lines: [String], width: Int, from first: Int, count: Int) -> [String] {
        guard width > 0, count > 0 else { return [] }
        var shown: [String] = []
        // The last `count` rows before `first`, in a ring, for when `first` is past the end.
        var before: [String] = []
        var row = 0
        for line in lines {
            let done = forEachRow(of: line, width: width) { piece in
                if row >= first {
                    shown.append(piece)
                } else if before.count < count {
                    before.append(piece)
                } else {
                    before[row % count] = piece
                }
                row += 1
                return shown.count < count
            }
            if done { break }
        }
        if !shown.isEmpty || before.count < count { return shown.isEmpty ? before : shown }
        let start = row % count
        return Array(before[start...] + before[..<start])
    }

    /// Calls `body` with each row of `line` cut to `width` columns (wide
    /// characters kept whole) until it returns `false`.
    /// - Returns: whether `body` stopped it.
    @discardableResult
    static func forEachRow(of line: String, width: Int, _ body: (String) -> Bool) -> Bool {
        var current = "", used = 0
        for character in line {
            let columns = TextWidth.of(character)
            if used + columns > width, used > 0 {
                if !body(current) { return true }
                current = ""
                used = 0
            }
            current.append(character)
            used += columns
        }
        return !body(current)
    }

    /// Bytes as lines for reading: JSON re-indented (its text otherwise
    /// unchanged), anything else escaped on one line.
    static func lines(of value: Bytes) -> [String] {
        if value.count <= maximumJSONBytes, let first = value.array.first(where: { $0 != 32 && $0 != 10 && $0 != 9 && $0 != 13 }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let lines = JSONText.reindent(value.array) {
            return lines.map { Bytes($0).displayText(escapingBackslash: false) }
        }
        return [value.displayText]
    }

    /// Larger values are shown as they are, not re-indented.
    static let maximumJSONBytes = 16 << 20
}
