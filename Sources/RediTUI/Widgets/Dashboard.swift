/// The dashboard (F3), in the key table's place: a chart per series of
/// the last five minutes (commands and expired keys a second, keys,
/// volatile keys, memory, clients), each titled with its current value.
enum Dashboard {
    /// Draws as many charts as fit: three across on a wide terminal, two
    /// or one on narrower ones.
    static func draw(_ vitals: VitalsHistory, bordered: Bool, into buffer: inout Buffer, area: Rect) {
        guard !area.isEmpty else { return }
        let series = VitalsHistory.Series.allCases
        let across = area.width >= 120 ? 3 : area.width >= 70 ? 2 : 1
        let down = (series.count + across - 1) / across
        let chartHeight = max(area.height / down, 1)
        for (index, item) in series.enumerated() {
            let column = index % across, row = index / across
            let y = area.y + row * chartHeight
            guard y + min(chartHeight, 2) <= area.maxY else { break }
            let x = area.x + column * area.width / across
            let width = area.x + (column + 1) * area.width / across - x
            let height = row == down - 1 ? area.maxY - y : chartHeight
            drawChart(item, values: vitals.values(item), into: &buffer, bordered: bordered,
                      area: Rect(x: x, y: y, width: width, height: min(height, area.maxY - y)))
        }
    }

    /// One chart: the series' name and its latest value in the title, the
    /// last five minutes below (a column a second where the width allows,
    /// else the largest of each few seconds).
    static func drawChart(_ series: VitalsHistory.Series, values: [Double], into buffer: inout Buffer, bordered: Bool, area: Rect) {
        let current = values.last.map(series.format) ?? "…"
        let inside = Pane.draw(series.title, right: current, focused: false, bordered: bordered, into: &buffer, area: area)
        guard !inside.isEmpty else { return }
        let seconds = Int(VitalsHistory.span / 1000)
        let perColumn = (seconds + inside.width - 1) / inside.width
        let rows = Sparkline.rows(values, perColumn: perColumn, width: inside.width, height: inside.height)
        let style = Style(foreground: series == .expired ? .yellow : .cyan)
        for (index, line) in rows.enumerated() {
            buffer.write(line, x: inside.x, y: inside.y + index, style: style, limit: inside.width)
        }
    }
}
