/// One terminal cell: what is drawn there and how it looks. A wide character
/// takes its cell and a `continuation` cell after it.
public struct Cell: Sendable, Hashable {
    public var symbol: String
    public var width: Int
    public var style: Style

    public init(symbol: String = " ", width: Int = 1, style: Style = .plain) {
        self.symbol = symbol
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
    /// The right half of a wide character.
    public static let continuation = Cell(symbol: "", width: 0)
}

/// A grid of cells that widgets draw into. Widgets never touch the terminal:
/// a backend draws a buffer, sending only what changed since the last one.
public struct Buffer: Sendable, Equatable {
    public let area: Rect
    public private(set) var cells: [Cell]

    public init(area: Rect) {
        self.area = area
        cells = Array(repeating: .blank, count: area.width * area.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[index(x, y)] }
        set { cells[index(x, y)] = newValue }
    }

    private func index(_ x: Int, _ y: Int) -> Int {
        (y - area.y) * area.width + (x - area.x)
    }

    public func contains(x: Int, y: Int) -> Bool {
        x >= area.x && x < area.maxX && y >= area.y && y < area.maxY
    }

    /// Writes `text` from (`x`, `y`) within `limit` columns (to the buffer's
    /// edge by default). A character (a grapheme cluster) is drawn whole or
    /// not at all: one that would not fit ends the text there.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= area.y && y < area.maxY else { return x }
        let end = min(area.maxX, limit.map { x + max($0, 0) } ?? area.maxX)
        var column = x
        var last: Int?
        for character in text {
            let cells = TextWidth.cells(of: character)
            let width = cells.reduce(0) { $0 + $1.width }
            if width == 0 {
                // A mark with nothing before it in its cluster joins the cell before it.
                if let last, let symbol = cells.first?.symbol,
                   self[last, y].symbol.unicodeScalars.count + symbol.unicodeScalars.count <= TextWidth.scalarsPerCell {
                    self[last, y].symbol.unicodeScalars.append(contentsOf: symbol.unicodeScalars)
                }
                continue
            }
            if column + width > end { break }
            for cell in cells {
                if column >= area.x {
                    self[column, y] = Cell(symbol: cell.symbol, width: cell.width, style: style)
                    if cell.width == 2 { self[column + 1, y] = Cell(symbol: "", width: 0, style: style) }
                    last = column
                }
                column += cell.width
            }
        }
        return column
    }

    /// Blanks `rect` with the given style.
    public mutating func fill(_ rect: Rect, style: Style = .plain) {
        let clipped = rect.intersection(area)
        for y in clipped.y..<clipped.maxY {
            for x in clipped.x..<clipped.maxX {
                self[x, y] = Cell(symbol: " ", width: 1, style: style)
            }
        }
    }

    /// The rows as text, trailing spaces dropped: what a test compares.
    public var lines: [String] {
        (area.y..<area.maxY).map { y in
            var line = ""
            for x in area.x..<area.maxX where self[x, y].width > 0 {
                line += self[x, y].symbol
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The cells that differ from `previous` (all of them after a resize).
    public func changes(since previous: Buffer?) -> [(x: Int, y: Int, cell: Cell)] {
        var changed: [(x: Int, y: Int, cell: Cell)] = []
        let comparable = previous?.area == area
        for y in area.y..<area.maxY {
            for x in area.x..<area.maxX {
                let cell = self[x, y]
                if comparable, previous![x, y] == cell { continue }
                changed.append((x, y, cell))
            }
        }
        return changed
    }
}
