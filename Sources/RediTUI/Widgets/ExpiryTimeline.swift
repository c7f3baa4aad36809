/// The expiry timeline (`e`): how many keys expire within the next ten
/// seconds, minute, ten minutes, hour, day, and later, each with a bar;
/// Enter on a bucket shows only its keys.
public enum ExpiryTimeline {
    /// Each bucket's label and how far ahead it reaches (the last: beyond).
    public static let buckets: [(label: String, milliseconds: Int64)] = [
        ("10s", 10_000), ("1m", 60_000), ("10m", 600_000), ("1h", 3_600_000), ("1d", 86_400_000), ("later", .max),
    ]

    /// The columns inside its pane.
    public static let width = 28

    /// Draws a row per bucket (as many as fit) inside the pane: the label,
    /// the count, and a bar as long as the count is of the largest one.
    /// `selected` is shown reversed, `chosen` (the table's filter) marked.
    static func draw(_ counts: [Int], selected: Int? = nil, chosen: Int? = nil, into buffer: inout Buffer, area: Rect) {
        guard area.height > 0, area.width > 0 else { return }
        let largest = max(counts.max() ?? 0, 1)
        for (index, (bucket, count)) in zip(buckets, counts).enumerated() where index < area.height {
            let marked = (bucket.label + (index == chosen ? "•" : "")).prefix(6)
            let label = String(marked) + String(repeating: " ", count: 6 - marked.count)
            let number = shortCount(count)
            let text = label + String(repeating: " ", count: max(6 - number.count, 0)) + number + " "
            let style = index == selected ? Style(attributes: [.reverse]) : Style.plain
            let x = buffer.write(text, x: area.x, y: area.y + index, style: style, limit: area.width)
            let room = area.maxX - x
            buffer.write(bar(count, of: largest, width: room), x: x, y: area.y + index, style: Style(foreground: index == 0 ? .red : .yellow), limit: room)
        }
    }

    /// A count in five characters at most: 12345, 123k, 12M.
    static func shortCount(_ count: Int) -> String {
        if count < 100_000 { return String(count) }
        if count < 10_000_000 { return "\(count / 1000)k" }
        return "\(count / 1_000_000)M"
    }

    /// A bar of `width` columns at most, in eighths of a column; a count
    /// above zero shows at least a sliver.
    static func bar(_ count: Int, of largest: Int, width: Int) -> String {
        guard count > 0, width > 0 else { return "" }
        let eighths = max(count * width * 8 / max(largest, 1), 1)
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        return String(repeating: "█", count: eighths / 8) + partial
    }
}
