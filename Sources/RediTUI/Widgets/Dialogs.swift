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
            drawDetail(view, info: info, now: now, into: &buffer, area: area)
            return nil
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

    private static func drawDetail(_ view: DetailView, info: KeyInfo?, now: Int64, into buffer: inout Buffer, area: Rect) {
        buffer.fill(area, style: .plain)
        let ttl = TTLText.format(milliseconds: info?.deadline.map { $0 - now })
        let about = view.gone ? "gone" : "\(info?.typeName ?? "…") · \(Self.amount(info)) · TTL \(ttl)"
        buffer.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1), style: boxStyle)
        // The key keeps a third of a narrow title; what is said of it is cut first.
        let keyRoom = max(area.width - TextWidth.of(about) - 5, min(TextWidth.of(view.key.displayText), area.width / 3))
        let title = " " + TextWidth.truncate(view.key.displayText, to: max(keyRoom, 1)) + " · " + about
        buffer.write(TextWidth.truncate(title, to: area.width), x: area.x, y: area.y, style: boxStyle, limit: area.width)
        let rows = area.height - 2
        if rows > 0 {
            let text = view.lines ?? ["loading…"]
            for (index, line) in visibleRows(of: text, width: area.width - 2, from: view.scroll, count: rows).enumerated() {
                buffer.write(line, x: area.x + 1, y: area.y + 1 + index, limit: area.width - 2)
            }
        }
        if area.height > 1 {
            let help = view.gone ? " the key is gone · Enter, q or Esc close " : " ↑/↓ PgUp/PgDn scroll · Enter, q or Esc close "
            buffer.write(help, x: area.x, y: area.maxY - 1, style: Screen.dim, limit: area.width)
        }
    }

    /// How much a key holds, in its type's words: bytes, fields, members.
    static func amount(_ info: KeyInfo?) -> String {
        guard let info else { return "…" }
        let noun = switch info.typeName {
        case "hash": info.length == 1 ? "field" : "fields"
        case "set", "zset": info.length == 1 ? "member" : "members"
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

    /// A value as lines for reading: a hash a field a line (`field: value`,
    /// escaped); a string as `lines(of:)` shows bytes.
    static func lines(of value: Value) -> [String] {
        switch value {
        case .hash(let hash):
            var lines: [String] = []
            hash.forEach { field, value in lines.append(field.displayText + ": " + value.displayText) }
            return lines
        case .set(let set):
            return set.members.map(\.displayText)
        case .sortedSet(let sortedSet):
            return sortedSet.entries.map { $0.member.displayText + " " + Score.format($0.score).displayText }
        default:
            return lines(of: value.string ?? Bytes())
        }
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
