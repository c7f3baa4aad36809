/// A titled pane: a box of line characters with its title in the top
/// border (a second title on the right), highlighted when it has the keys.
/// Where the terminal is too small for borders, only a rule with the title,
/// or nothing, so the content keeps every row it can.
enum Pane {
    /// The area inside a pane drawn as `draw` would.
    static func inside(_ area: Rect, bordered: Bool, titleRule: Bool = true) -> Rect {
        if bordered, area.width >= 4, area.height >= 3 { return area.inset(by: 1) }
        return titleRule ? Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1) : area
    }

    /// Draws the frame; returns the area left inside it.
    @discardableResult
    static func draw(_ title: String, right: String? = nil, focused: Bool, bordered: Bool, titleRule: Bool = true,
                     into buffer: inout Buffer, area: Rect) -> Rect {
        guard !area.isEmpty else { return area }
        let style = focused ? Screen.focusedBorder : Screen.border
        let titleStyle = focused ? Screen.focusedTitle : Screen.title
        guard bordered, area.width >= 4, area.height >= 3 else {
            guard titleRule else { return area }
            buffer.write(String(repeating: "─", count: area.width), x: area.x, y: area.y, style: style)
            let end = buffer.write(" \(title) ", x: area.x + 1, y: area.y, style: titleStyle, limit: area.width - 1)
            if let right { writeRight(right, after: end, y: area.y, area: area, style: style, into: &buffer) }
            return inside(area, bordered: false)
        }
        let horizontal = String(repeating: "─", count: area.width - 2)
        buffer.write("┌" + horizontal + "┐", x: area.x, y: area.y, style: style)
        buffer.write("└" + horizontal + "┘", x: area.x, y: area.maxY - 1, style: style)
        for y in area.y + 1..<area.maxY - 1 {
            buffer.write("│", x: area.x, y: y, style: style)
            buffer.write("│", x: area.maxX - 1, y: y, style: style)
        }
        let end = buffer.write(" \(title) ", x: area.x + 1, y: area.y, style: titleStyle, limit: area.width - 2)
        if let right { writeRight(right, after: end, y: area.y, area: Rect(x: area.x, y: area.y, width: area.width - 1, height: 1), style: style, into: &buffer) }
        return inside(area, bordered: true)
    }

    /// The right title, ending a column before the area's edge, if it
    /// fits after the left one.
    private static func writeRight(_ text: String, after end: Int, y: Int, area: Rect, style: Style, into buffer: inout Buffer) {
        let shown = " \(text) "
        let x = area.maxX - 1 - TextWidth.of(shown)
        guard x > end else { return }
        buffer.write(shown, x: x, y: y, style: style)
    }
}
