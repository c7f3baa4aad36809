import Foundation
import StoreEngine

/// The dialogs over the key table: a key's whole value, a delete to confirm,
/// a line to type (filter, TTL).
enum Dialogs {
    static let boxStyle = Style(attributes: [.reverse])

    /// Draws the dialog; returns where the cursor goes, if it takes text.
    static func draw(_ dialog: Dialog, info: KeyInfo?, now: Int64, into buffer: inout Buffer, area: Rect) -> (x: Int, y: Int)? {
        switch dialog {
        case .detail(let key, let value, let scroll):
            let box = area
            buffer.fill(box, style: .plain)
            let ttl = TTLText.format(milliseconds: info?.deadline.map { $0 - now })
            let title = " \(key.displayText) · \(info?.typeName ?? "gone") · \(info?.size ?? value?.count ?? 0) bytes · TTL \(ttl) "
            buffer.write(TextWidth.truncate(title, to: box.width), x: box.x, y: box.y, style: boxStyle)
            buffer.fill(Rect(x: box.x + TextWidth.of(title), y: box.y, width: box.width, height: 1), style: boxStyle)
            let lines = value.map { wrap(pretty($0), width: box.width - 2) } ?? ["loading…"]
            for (index, line) in lines.dropFirst(min(scroll, max(lines.count - 1, 0))).prefix(box.height - 2).enumerated() {
                buffer.write(line, x: box.x + 1, y: box.y + 1 + index)
            }
            buffer.write(" ↑/↓ PgUp/PgDn scroll · Enter, q or Esc close ", x: box.x, y: box.maxY - 1, style: Screen.dim)
            return nil
        case .confirmDelete(let key):
            let text = " Delete \"\(key.displayText)\"? y deletes, any other key keeps it "
            let width = min(TextWidth.of(text), area.width)
            let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + area.height / 2 - 1, width: width, height: 3)
            buffer.fill(box, style: boxStyle)
            buffer.write(text, x: box.x, y: box.y + 1, style: boxStyle, limit: width)
            return nil
        case .prompt(let purpose, let line):
            let width = min(max(TextWidth.of(purpose.title) + 4, 50), area.width)
            let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + area.height / 2 - 2, width: width, height: 4)
            buffer.fill(box, style: boxStyle)
            buffer.write(" " + purpose.title, x: box.x, y: box.y + 1, style: boxStyle, limit: width)
            let input = Rect(x: box.x + 1, y: box.y + 2, width: width - 2, height: 1)
            buffer.fill(input, style: .plain)
            buffer.write(line.text, x: input.x, y: input.y, limit: input.width)
            let cursor = input.x + TextWidth.of(String(line.characters[..<line.cursor]))
            return (min(cursor, input.maxX - 1), input.y)
        }
    }

    /// The value for reading: JSON pretty-printed, anything else escaped.
    static func pretty(_ value: Bytes) -> [String] {
        let data = Data(value.array)
        if let first = value.array.first(where: { $0 != 32 && $0 != 10 && $0 != 9 && $0 != 13 }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
           let object = try? JSONSerialization.jsonObject(with: data),
           let printed = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]),
           let text = String(data: printed, encoding: .utf8) {
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return [value.displayText]
    }

    /// Lines cut to `width` columns, wide characters kept whole.
    static func wrap(_ lines: [String], width: Int) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for line in lines {
            var current = "", used = 0
            for character in line {
                let columns = TextWidth.of(character)
                if used + columns > width {
                    result.append(current)
                    current = ""
                    used = 0
                }
                current.append(character)
                used += columns
            }
            result.append(current)
        }
        return result
    }
}
