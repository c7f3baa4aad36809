/// The mouse, where the terminal reports it: the wheel scrolls the pane
/// under it (the table, the log, the detail view), a click selects a row
/// and a second one on it opens it, a click on a column's name sorts by
/// it, a click on a timeline bucket shows only its keys.
extension AppState {
    /// Two clicks on one row within this many milliseconds open it.
    static let doubleClickMilliseconds: Int64 = 400
    /// Rows a turn of the wheel moves.
    static let wheelRows = 3

    mutating func handleMouse(_ event: MouseEvent, now: Int64) -> Effect {
        guard mouse, event.action == .click || event.action == .wheelUp || event.action == .wheelDown,
              // Too small a screen shows only a message: nothing to click.
              screenSize.width >= Screen.minimumWidth, screenSize.height >= Screen.minimumHeight else { return .none }
        let layout = Layout(self, width: screenSize.width, height: screenSize.height)
        func inside(_ rect: Rect?) -> Bool {
            guard let rect else { return false }
            return event.x >= rect.x && event.x < rect.maxX && event.y >= rect.y && event.y < rect.maxY
        }
        let wheel = event.action == .wheelUp ? -AppState.wheelRows : event.action == .wheelDown ? AppState.wheelRows : 0
        if showHelp {
            if wheel == 0 { showHelp = false }
            return .none
        }
        switch dialog {
        case .detail(var view)?:
            if inside(layout.detail) {
                defer { dialog = .detail(view) }
                return detailMouse(event, wheel: wheel, in: &view, area: Pane.inside(layout.detail!, bordered: layout.bordered, titleRule: false))
            }
            // Beside the table, a click on another key shows that one.
            guard layout.detailBeside, wheel == 0, inside(layout.keys), let row = tableRow(at: event.y, in: layout) else { return .none }
            selected = row
            guard let key = selectedKey, key != view.key else { return .none }
            let shown = DetailView(key: key)
            dialog = .detail(shown)
            return .fetchDetail(shown.request)
        case .some:
            // A question or a line to type keeps the keys, and the mouse.
            return .none
        case nil:
            break
        }
        if inside(layout.keys) {
            if wheel != 0 {
                selected += wheel
                return .none
            }
            if event.y == layout.keysInside.y {
                sort(byColumnAt: event.x - layout.keysInside.x, width: layout.keysInside.width, now: now)
                return .none
            }
            guard let row = tableRow(at: event.y, in: layout) else { return .none }
            focus = .table
            timelineSelection = nil
            selected = row
            defer { lastClick = (now, row) }
            if let last = lastClick, last.row == row, now - last.time <= AppState.doubleClickMilliseconds {
                lastClick = nil
                return perform(.openDetail, now: now)
            }
        } else if inside(layout.log) {
            logScroll = min(max(logScroll - wheel, 0), max(log.count - 1, 0))
        } else if let area = layout.timeline, inside(area), wheel == 0 {
            let bucket = event.y - Pane.inside(area, bordered: layout.bordered).y
            guard ExpiryTimeline.buckets.indices.contains(bucket) else { return .none }
            timelineSelection = nil
            choose(bucket: bucket, now: now)
        } else if inside(layout.bar), wheel == 0 {
            focus = .bar
        }
        return .none
    }

    /// The table's row at screen row `y`, if a key or a folder is drawn there.
    private func tableRow(at y: Int, in layout: Layout) -> Int? {
        let index = y - layout.keysInside.y - 1
        guard index >= 0, index < layout.tableRows, offset + index < table.count else { return nil }
        return offset + index
    }

    /// A click on a column's name: sort by it (the tree keeps key order).
    private mutating func sort(byColumnAt x: Int, width: Int, now: Int64) {
        guard let order = Screen.sortOrder(atColumn: x, width: width) else { return }
        guard table.tree == nil else {
            appendLog("the tree is in key order: v shows the table, which sorts", kind: .error, at: now)
            return
        }
        table.setSortOrder(order)
    }

    /// The wheel scrolls the detail view; a click selects a collection's row.
    private func detailMouse(_ event: MouseEvent, wheel: Int, in view: inout DetailView, area: Rect) -> Effect {
        guard view.input == nil else { return .none }
        if view.isCollection {
            if wheel != 0 {
                view.select(view.selected + wheel)
            } else {
                // Below the title and the column names.
                let index = event.y - area.y - 2
                guard index >= 0, index < view.rowsShown, view.scroll + index < (view.page?.matching ?? 0) else { return .none }
                view.select(view.scroll + index)
            }
            return view.needsPage ? .fetchDetail(view.request) : .none
        }
        view.scroll = max(view.scroll + wheel, 0)
        return .none
    }
}
