/// Where each pane goes on a screen of a size, for a state: the renderer
/// draws into these rectangles and the mouse finds its pane in them.
public struct Layout: Sendable, Equatable {
    /// Panes have borders from this size; below it, rules and titles only.
    public static let borderedWidth = 60
    public static let borderedHeight = 16
    /// From this width the detail view opens beside the table.
    public static let besideWidth = 140

    public var status: Rect
    public var bar: Rect
    /// Between the status line and the bar.
    public var body: Rect
    public var bordered: Bool
    /// The key table's pane (`nil` while the dashboard takes its place),
    /// and its inside: the column names, then the rows.
    public var keys: Rect?
    public var keysInside = Rect(x: 0, y: 0, width: 0, height: 0)
    /// The dashboard's charts (F3).
    public var charts: Rect?
    public var log: Rect?
    public var timeline: Rect?
    /// The detail view: beside the table on a wide terminal, over the body otherwise.
    public var detail: Rect?
    public var detailBeside = false

    /// The table's rows shown.
    public var tableRows: Int { max(keysInside.height - 1, 1) }

    /// The rows of a collection the detail view shows (below its title and
    /// column names, above its help line).
    public var detailRows: Int {
        guard let detail else { return 1 }
        return max(Pane.inside(detail, bordered: bordered, titleRule: false).height - 3, 1)
    }

    public init(_ state: AppState, width: Int, height: Int) {
        let (status, rest) = Rect(x: 0, y: 0, width: width, height: height).splitTop(1)
        let (body, bar) = rest.splitBottom(1)
        self.status = status
        self.bar = bar
        self.body = body
        bordered = width >= Layout.borderedWidth && height >= Layout.borderedHeight
        var left = body
        if case .detail? = state.dialog {
            if width >= Layout.besideWidth {
                let detailWidth = max(width * 2 / 5, 56)
                detail = Rect(x: body.maxX - detailWidth, y: body.y, width: detailWidth, height: body.height)
                left = Rect(x: body.x, y: body.y, width: body.width - detailWidth, height: body.height)
                detailBeside = true
            } else {
                detail = body
            }
        }
        // The table takes three fifths, the log (and the timeline) the rest.
        let tableHeight = max((height - 3) * 3 / 5 - 1, 1) + 1 + (bordered ? 2 : 0)
        let (top, bottom) = left.splitTop(tableHeight)
        if state.showDashboard {
            charts = top
        } else {
            keys = top
            keysInside = Pane.inside(top, bordered: bordered, titleRule: false)
        }
        if state.showTimeline {
            // The timeline takes the log's left, or all of it on a narrow terminal.
            let timelineWidth = ExpiryTimeline.width + (bordered ? 2 : 0)
            if bottom.width >= timelineWidth + 20 {
                timeline = Rect(x: bottom.x, y: bottom.y, width: timelineWidth, height: bottom.height)
                log = Rect(x: bottom.x + timelineWidth + (bordered ? 0 : 1), y: bottom.y,
                           width: bottom.width - timelineWidth - (bordered ? 0 : 1), height: bottom.height)
            } else {
                timeline = bottom
            }
        } else {
            log = bottom
        }
    }
}
