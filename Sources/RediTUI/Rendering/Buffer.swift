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
    /// edge by default); a wide character that would not fit is left out.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= area.y && y < area.maxY else { return x }
        let end = min(area.maxX, limit.map { x + $0 } ?? area.maxX)
        var column = x
        var last: Int?
        for character in text {
            let width = TextWidth.of(character)
            if width == 0 {
                // A combining mark joins the character before it.
                if let last { self[last, y].symbol.append(character) }
                continue
            }
            if column + width > end { break }
            if column >= area.x {
                self[column, y] = Cell(symbol: String(character), width: width, style: style)
                if width == 2 { self[column + 1, y] = Cell(symbol: "", width: 0, style: style) }
                last = column
            }
            column += width
        }
        return column
    }

    /// Paints the style over every cell of `rect`, keeping the symbols.
    public mutating func paint(_ rect: Rect, style: Style) {
        for y in max(rect.y, area.y)..<min(rect.maxY, area.maxY) {
            for x in max(rect.x, area.x)..<min(rect.maxX, area.maxX) {
                self[x, y].style = style
            }
        }
    }

    /// Blanks `rect` with the given style.
    public mutating func fill(_ rect: Rect, style: Style = .plain) {
        for y in max(rect.y, area.y)..<min(rect.maxY, area.maxY) {
            for x in max(rect.x, area.x)..<min(rect.maxX, area.maxX) {
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
