import Foundation
@testable import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The mouse through `AppState.handle`, as the terminal reports it: the
/// wheel, clicks, double-clicks, a column's name, a timeline bucket.
@Suite("Mouse")
struct MouseTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    let now: Int64 = 1_767_225_600_000

    /// 40 keys at 100x30: the table's pane from row 1, its column names on
    /// row 2, its first key on row 3.
    func state(width: Int = 100) -> AppState {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.table.load((0..<40).map {
            KeyInfo(key: Bytes("key:\($0 < 10 ? "0" : "")\($0)"), typeName: "string", size: 40 - $0,
                    deadline: $0 % 2 == 0 ? now + Int64($0) * 1000 : nil, preview: "v")
        })
        for line in 0..<50 { state.appendLog("line \(line)", kind: .event, at: now) }
        state.fit(width: width, height: 30)
        return state
    }

    func click(_ x: Int, _ y: Int) -> Key { .mouse(MouseEvent(.click, x: x, y: y)) }

    @Test func aClickSelectsARowAndASecondOneOpensIt() {
        var state = state()
        #expect(state.handle(click(5, 7), now: now) == .none)
        #expect(state.selected == 4 && state.focus == .table && state.dialog == nil)
        #expect(state.handle(click(5, 7), now: now + 300) == .fetchDetail(DetailRequest(key: "key:04")), "a double-click opens it")
        state.dialog = nil
        _ = state.handle(click(5, 8), now: now + 1000)
        #expect(state.handle(click(5, 8), now: now + 1500) == .none && state.dialog == nil, "too slow for a double-click")
        _ = state.handle(click(5, 9), now: now + 1600)
        #expect(state.selected == 6 && state.dialog == nil, "another row: no double-click")
        #expect(state.handle(click(5, 2), now: now + 1700) == .none && state.selected == 6, "the column names are no row")
        let below = Layout(state, width: 100, height: 30).keysInside.maxY
        _ = state.handle(click(5, below), now: now + 1800)
        #expect(state.selected == 6, "below the table: no row")
    }

    @Test func theWheelScrollsThePaneUnderIt() {
        var state = state()
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: 10, y: 5)), now: now)
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: 10, y: 5)), now: now)
        #expect(state.selected == 2 * AppState.wheelRows)
        _ = state.handle(.mouse(MouseEvent(.wheelUp, x: 10, y: 5)), now: now)
        #expect(state.selected == AppState.wheelRows)
        let log = Layout(state, width: 100, height: 30).log!
        _ = state.handle(.mouse(MouseEvent(.wheelUp, x: log.x + 5, y: log.y + 2)), now: now)
        #expect(state.logScroll == AppState.wheelRows && state.selected == AppState.wheelRows)
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: log.x + 5, y: log.y + 2)), now: now)
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: log.x + 5, y: log.y + 2)), now: now)
        #expect(state.logScroll == 0, "not past the newest line")
        // A release, a drag, the right button: nothing.
        for action in [MouseEvent.Action.other, .otherButton] {
            #expect(state.handle(.mouse(MouseEvent(action, x: 5, y: 7)), now: now) == .none)
        }
        #expect(state.selected == AppState.wheelRows)
    }

    @Test func aClickOnAColumnsNameSortsByIt() {
        var state = state()
        let layout = Layout(state, width: 100, height: 30)
        let widths = Screen.columns(width: layout.keysInside.width)
        let starts = [0, widths.key + 1, widths.key + widths.type + 2, widths.key + widths.type + widths.ttl + 3,
                      widths.key + widths.type + widths.ttl + widths.length + 4]
        let header = layout.keysInside.y
        for (start, order) in [(starts[2], RediTUI.SortOrder.ttl), (starts[3], .length), (starts[4], .size), (starts[0], .key)] {
            _ = state.handle(click(layout.keysInside.x + start, header), now: now)
            #expect(state.table.sortOrder == order)
        }
        _ = state.handle(click(layout.keysInside.x + starts[1], header), now: now)
        #expect(state.table.sortOrder == .key, "TYPE does not sort")
        _ = state.handle(click(layout.keysInside.x + starts[3], header), now: now)
        #expect(Screen.render(state, now: now, width: 100, height: 30).0.lines[2].contains("▼ LEN"))
    }

    @Test func aClickOnATimelineBucketShowsItsKeys() {
        var state = state()
        state.showTimeline = true
        let area = Layout(state, width: 100, height: 30).timeline!
        // Row 0 inside the pane: within 10s (keys 0, 2, ..., 8: deadlines 0 to 8 seconds away).
        _ = state.handle(click(area.x + 3, area.y + 1), now: now)
        #expect(state.timelineFilter == 0 && state.table.count == 5 && state.table.sortOrder == .ttl)
        _ = state.handle(click(area.x + 3, area.y + 2), now: now)
        #expect(state.timelineFilter == 1 && state.table.count == 15, "10s to 1m")
        _ = state.handle(click(area.x + 3, area.y + 2), now: now)
        #expect(state.timelineFilter == nil && state.table.count == 40, "the same bucket again: every key")
        _ = state.handle(click(area.x + 3, area.y + 8), now: now)
        #expect(state.timelineFilter == nil, "below the buckets: nothing")
    }

    @Test func theDetailViewScrollsAndSelectsWithTheMouse() {
        var state = state(width: 150)
        _ = state.handle(.escape, now: now)
        _ = state.handle(.enter, now: now)
        let rows = (0..<100).map { [Bytes("field:\($0)"), Bytes("value")] }
        _ = state.showDetail(DetailPage(typeName: "hash", total: 100, matching: 100, offset: 0, rows: rows), for: DetailRequest(key: "key:00"))
        state.fit(width: 150, height: 30)
        let layout = Layout(state, width: 150, height: 30)
        let detail = layout.detail!
        #expect(layout.detailBeside)
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: detail.x + 5, y: detail.y + 5)), now: now)
        guard case .detail(var view)? = state.dialog else { Issue.record("closed"); return }
        #expect(view.selected == AppState.wheelRows)
        // The pane's border, the view's title and column names, then its rows.
        _ = state.handle(click(detail.x + 5, detail.y + 1 + 2 + 7), now: now)
        guard case .detail(let clicked)? = state.dialog else { Issue.record("closed"); return }
        view = clicked
        #expect(view.selected == view.scroll + 7 && view.key == "key:00")
        // Beside it, a click on another key shows that key.
        #expect(state.handle(click(5, 3 + 5), now: now) == .fetchDetail(DetailRequest(key: "key:05")))
        guard case .detail(let other)? = state.dialog else { Issue.record("closed"); return }
        #expect(other.key == "key:05" && state.selected == 5)
        // Over the body (a narrow terminal), the table cannot be clicked.
        state.fit(width: 100, height: 30)
        _ = state.handle(click(5, 3 + 9), now: now)
        guard case .detail(let same)? = state.dialog else { Issue.record("closed"); return }
        #expect(same.key == "key:05")
    }

    /// Random reports (anywhere, even off the screen) at random sizes, in
    /// every mode: nothing crashes, the selection stays on a row, and a
    /// screen too small to draw takes no click.
    @Test func randomReportsAtRandomSizesKeepTheStateSound() {
        var generator = SeededGenerator(state: 1406)
        var state = state()
        state.showTimeline = true
        let actions: [MouseEvent.Action] = [.click, .click, .wheelUp, .wheelDown, .other, .otherButton]
        for step in 0..<3000 {
            let width = Int.random(in: 1...220, using: &generator), height = Int.random(in: 1...70, using: &generator)
            state.fit(width: width, height: height)
            let event = MouseEvent(actions.randomElement(using: &generator)!, x: Int.random(in: -2...width + 2, using: &generator),
                                   y: Int.random(in: -2...height + 2, using: &generator))
            let before = state.selected
            _ = state.handle(.mouse(event), now: now + Int64(step) * 1000)
            if width < Screen.minimumWidth || height < Screen.minimumHeight { #expect(state.selected == before) }
            state.fit(width: width, height: height)
            #expect(state.selected >= 0 && state.selected < max(state.table.count, 1))
            // Now and then a key: Esc closes what a double-click opened, e and F3 change the panes.
            if step % 7 == 0 { _ = state.handle([.escape, .character("e"), .function(3), .escape].randomElement(using: &generator)!, now: now) }
            _ = Screen.render(state, now: now, width: width, height: height)
        }
    }

    @Test func aClickClosesTheHelpAndAQuestionKeepsTheMouse() {
        var state = state()
        _ = state.handle(.function(1), now: now)
        _ = state.handle(click(5, 7), now: now)
        #expect(!state.showHelp && state.selected == 0, "the click closed the help only")
        state.dialog = .confirmDelete("key:00")
        _ = state.handle(click(5, 7), now: now)
        #expect(state.dialog == .confirmDelete("key:00") && state.selected == 0)
        // --no-mouse: a report that comes anyway does nothing.
        state.dialog = nil
        state.mouse = false
        _ = state.handle(click(5, 7), now: now)
        _ = state.handle(.mouse(MouseEvent(.wheelDown, x: 5, y: 7)), now: now)
        #expect(state.selected == 0 && state.focus == .bar)
    }
}
