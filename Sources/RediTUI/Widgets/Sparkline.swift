/// A bar chart in block characters, a column per group of values and a
/// height in eighths of a row: what the dashboard (F3) draws each series
/// with.
public enum Sparkline {
    /// The partial blocks, by eighths.
    static let eighths = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The chart's rows, top first, `width` columns each: the newest
    /// values on the right, `perColumn` values to a column (its largest
    /// shown), scaled so that the largest value shown fills `height` rows.
    /// A value above zero shows at least an eighth; fewer values than
    /// columns leave the left empty.
    public static func rows(_ values: [Double], perColumn: Int = 1, width: Int, height: Int) -> [String] {
        guard width > 0, height > 0 else { return [] }
        let group = max(perColumn, 1)
        var columns: [Double] = []
        var end = values.count
        while end > 0, columns.count < width {
            let start = max(end - group, 0)
            columns.append(values[start..<end].max()!)
            end = start
        }
        columns.reverse()
        let largest = columns.max() ?? 0
        let levels = columns.map { value -> Int in
            guard value > 0, largest > 0 else { return 0 }
            return max(Int((value / largest * Double(height * 8)).rounded()), 1)
        }
        let padding = String(repeating: " ", count: width - levels.count)
        return (0..<height).map { row in
            let floor = (height - 1 - row) * 8
            return padding + levels.map { eighths[min(max($0 - floor, 0), 8)] }.joined()
        }
    }
}
