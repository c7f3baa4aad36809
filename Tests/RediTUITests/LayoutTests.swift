import Foundation
@testable import RediTUI
import StoreEngine
import Testing

/// The design pass: titled, bordered panes, the focused one highlighted,
/// the sort column marked, the detail view beside the table on a wide
/// terminal, borders dropped before anything else on a small one.
@Suite("Layout and panes")
struct LayoutTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    let now: Int64 = 1_767_225_600_000

    func state() -> AppState {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.table.load((0..<30).map { KeyInfo(key: Bytes("key:\($0)"), typeName: "string", size: $0, deadline: nil, preview: "v") })
        state.appendLog("a log line", kind: .event, at: now)
        return state
    }

    @Test func panesHaveTitledBordersAndTheFocusedOneIsHighlighted() {
        var state = state()
        let (buffer, _) = Screen.render(state, now: now, width: 80, height: 24)
        let lines = buffer.lines
        #expect(lines[1].hasPrefix("┌ keys ─") && lines[1].hasSuffix("─ db 0 ─┐"), "\(lines[1])")
        #expect(lines[2].hasPrefix("│KEY ▲") && lines[2].hasSuffix("│"))
        let logTop = lines.firstIndex { $0.hasPrefix("┌ log ─") }
        #expect(logTop != nil, "\(lines)")
        #expect(lines[22].hasPrefix("└") && lines[22].hasSuffix("┘"), "the log's box closes above the bar")
        #expect(lines[logTop! - 1].hasPrefix("└") && lines[logTop! + 1].contains("a log line"))
        // The bar has the keys: no pane is highlighted.
        #expect(buffer[0, 1].style.foreground == .default)
        _ = state.handle(.escape, now: now)
        let focused = Screen.render(state, now: now, width: 80, height: 24).0
        #expect(focused[0, 1].style.foreground == .cyan && focused[0, 1].style.attributes.contains(.bold), "the table's border")
        #expect(focused[0, logTop!].style.foreground == .default, "the log's is not")
        // The timeline takes the keys: its border lights up, the table's goes out.
        _ = state.handle(.character("e"), now: now)
        let timeline = Screen.render(state, now: now, width: 80, height: 24).0
        #expect(timeline.lines[logTop!].hasPrefix("┌ expiring ─"), "\(timeline.lines)")
        #expect(timeline[0, logTop!].style.foreground == .cyan && timeline[0, 1].style.foreground == .default)
    }

    /// A pane as drawn, as ratatui's tests compare blocks: its box, its
    /// titles, the area left inside; a rule alone without borders; nothing
    /// where there is no room.
    @Test func aPaneDrawsItsBoxAndTitles() {
        var buffer = Buffer(area: Rect(x: 0, y: 0, width: 20, height: 4))
        let inside = Pane.draw("log", right: "3", focused: false, bordered: true, into: &buffer, area: buffer.area)
        #expect(buffer.lines == ["┌ log ───────── 3 ─┐", "│                  │", "│                  │", "└──────────────────┘"])
        #expect(inside == Rect(x: 1, y: 1, width: 18, height: 2))
        var rule = Buffer(area: Rect(x: 0, y: 0, width: 12, height: 2))
        #expect(Pane.draw("log", focused: false, bordered: false, into: &rule, area: rule.area) == Rect(x: 0, y: 1, width: 12, height: 1))
        #expect(rule.lines == ["─ log ──────", ""])
        var bare = Buffer(area: Rect(x: 0, y: 0, width: 12, height: 2))
        #expect(Pane.draw("keys", focused: true, bordered: false, titleRule: false, into: &bare, area: bare.area) == bare.area)
        #expect(bare.lines == ["", ""])
        var narrow = Buffer(area: Rect(x: 0, y: 0, width: 9, height: 3))
        Pane.draw("a long title", right: "never", focused: true, bordered: true, into: &narrow, area: narrow.area)
        #expect(narrow.lines == ["┌ a long┐", "│       │", "└───────┘"], "the title is cut inside the corners; the right one has no room")
    }

    @Test func theSelectionBarSpansTheWholeRow() {
        var state = state()
        _ = state.handle(.escape, now: now)
        for width in [60, 80, 141, 200] {
            let buffer = Screen.render(state, now: now, width: width, height: 24).0
            // Inside the borders, every cell of the selected row is reversed, past the value's text.
            #expect((1..<width - 1).allSatisfy { buffer[$0, 3].style.attributes.contains(.reverse) }, "at \(width) columns")
            #expect(!buffer[1, 4].style.attributes.contains(.reverse))
        }
    }

    @Test func theSortColumnIsMarkedWithItsDirection() {
        var state = state()
        let expected: [RediTUI.SortOrder: String] = [
            .key: "KEY ▲", .ttl: "▲ TTL", .size: "▼ SIZE", .length: "▼ LEN",
        ]
        for order in RediTUI.SortOrder.allCases {
            state.table.setSortOrder(order)
            let header = Screen.render(state, now: now, width: 100, height: 24).0.lines[2]
            #expect(header.contains(expected[order]!), "\(order): \(header)")
            #expect(header.components(separatedBy: "▲").count + header.components(separatedBy: "▼").count == 3, "one mark: \(header)")
        }
        state.table.setSortOrder(.size)
        _ = state.handle(.escape, now: now)
        _ = state.handle(.character("v"), now: now)
        #expect(Screen.render(state, now: now, width: 100, height: 24).0.lines[2].hasPrefix("│KEY ▲"), "the tree is in key order")
    }

    /// 140 columns and more: the value beside the table, which stays in
    /// view; fewer: the value over the table and the log.
    @Test func theDetailViewOpensBesideTheTableOnAWideTerminal() {
        var state = state()
        _ = state.handle(.escape, now: now)
        _ = state.handle(.enter, now: now)
        _ = state.showDetail(DetailPage(typeName: "string", total: 1, matching: 1, offset: 0, rows: [["the value"]]), for: DetailRequest(key: "key:0"))
        for width in [139, 140, 200] {
            let lines = Screen.render(state, now: now, width: width, height: 30).0.lines
            let beside = width >= 140
            #expect(lines[1].hasPrefix("┌ keys ─") == beside, "\(width): \(lines[1])")
            #expect(lines[1].contains("┌ value ─") && lines[1].hasSuffix("┐"), "\(width): \(lines[1])")
            #expect(lines.contains { $0.contains("│ the value") })
            #expect(lines.contains { $0.contains("key:1 ") } == beside, "the table stays in view beside it")
            #expect(lines.contains { $0.contains("a log line") } == beside)
        }
    }

    /// Idle, the screen is drawn once a second (the clock, TTLs in whole
    /// seconds); every tenth of a second while a TTL on screen is under ten
    /// seconds (it shows tenths), a row flashes or a command waits.
    @Test func idleTheScreenIsDrawnOnceASecond() {
        var state = state()
        #expect(state.nextFrame(after: now + 250, rows: 10) == now + 1000)
        #expect(state.nextFrame(after: now + 1000, rows: 10) == now + 2000)
        state.table.apply([.updated(KeyInfo(key: "key:1", typeName: "string", size: 3, deadline: now + 10_000, preview: "v"), database: 0)])
        #expect(state.nextFrame(after: now + 250, rows: 10) == now + 350, "a TTL under ten seconds on screen")
        #expect(state.nextFrame(after: now - 1000, rows: 10) == now, "eleven seconds away: whole seconds still")
        #expect(state.nextFrame(after: now + 250, rows: 1) == now + 1000, "not on screen (key:0 alone is)")
        state.table.apply([.updated(KeyInfo(key: "key:1", typeName: "string", size: 3, deadline: nil, preview: "v"), database: 0)])
        state.flashes["key:1"] = now + 600
        #expect(state.nextFrame(after: now + 250, rows: 10) == now + 350, "a flash")
        #expect(state.nextFrame(after: now + 700, rows: 10) == now + 1000, "over")
        for character in "BLPOP q 0" { _ = state.handle(.character(character), now: now) }
        _ = state.handle(.enter, now: now)
        #expect(state.nextFrame(after: now + 700, rows: 10) == now + 800, "a command waits")
    }

    /// Every size from the smallest drawn: borders go before rows do, and
    /// the table always keeps its column names and a row.
    @Test func aSmallTerminalDropsTheBordersFirst() {
        var state = state()
        state.showTimeline = true
        for height in 10...40 {
            for width in stride(from: 40, through: 200, by: 7) {
                let layout = Layout(state, width: width, height: height)
                let lines = Screen.render(state, now: now, width: width, height: height).0.lines
                let bordered = width >= Layout.borderedWidth && height >= Layout.borderedHeight
                #expect(layout.bordered == bordered)
                #expect(lines[1].hasPrefix(bordered ? "┌ keys" : "KEY ▲"), "\(width)x\(height): \(lines[1])")
                #expect(layout.tableRows >= 1 && lines[bordered ? 3 : 2].hasPrefix(bordered ? "│key:0" : "key:0"))
                #expect(lines.contains { $0.contains("expiring") }, "\(width)x\(height)")
                #expect(layout.keysInside.maxY <= layout.bar.y && (layout.log?.maxY ?? layout.bar.y) <= layout.bar.y)
            }
        }
    }
}
