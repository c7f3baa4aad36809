@testable import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The expiry timeline's counts, read off the deadline order, against
/// counting every key: random deadlines (past, within each bucket, on a
/// bucket's edge, none), changed and removed at random, a filter on.
@Suite("Expiry timeline")
struct ExpiryTimelineTests {
    @Test func countsMatchCountingEveryKey() {
        var generator = SeededGenerator(state: 9_090)
        let now: Int64 = 1_767_225_600_000
        let edges = ExpiryTimeline.buckets.dropLast().map(\.milliseconds)
        var model = KeyTableModel()
        for step in 0..<4000 {
            let key = Bytes("k\(Int.random(in: 0..<600, using: &generator))")
            if Int.random(in: 0..<5, using: &generator) == 0 {
                model.apply([.removed(key, .del, database: 0)])
            } else {
                let deadline: Int64? = switch Int.random(in: 0..<4, using: &generator) {
                case 0: nil
                case 1: now + edges.randomElement(using: &generator)! + Int64.random(in: -1...1, using: &generator)
                case 2: now - Int64.random(in: 0..<5000, using: &generator)
                default: now + Int64.random(in: 0..<(2 * 86_400_000), using: &generator)
                }
                model.apply([.updated(KeyInfo(key: key, typeName: "string", size: 1, deadline: deadline, preview: ""), database: 0)])
            }
            if step == 2000 { model.setFilter(GlobPattern("k[1-3]*")) }
            guard step % 50 == 0 else { continue }
            let deadlines = model.rows.values.filter { model.filter?.matches($0.key) ?? true }.compactMap(\.deadline)
            var expected = [Int](repeating: 0, count: ExpiryTimeline.buckets.count)
            for deadline in deadlines {
                expected[edges.firstIndex { deadline < now + $0 } ?? edges.count] += 1
            }
            #expect(model.expiring(now: now) == expected, "step \(step)")
        }
    }

    /// The pane's inside as drawn (lines without their trailing blanks):
    /// each bucket's label, count and bar (the largest count fills the room;
    /// any count shows a sliver).
    @Test func thePaneDrawsEachBucket() {
        var buffer = Buffer(area: Rect(x: 0, y: 0, width: 30, height: 6))
        ExpiryTimeline.draw([3, 0, 12, 1, 0, 250_000], into: &buffer, area: Rect(x: 0, y: 0, width: 30, height: 6))
        #expect(buffer.lines == [
            "10s        3 ▏",
            "1m         0",
            "10m       12 ▏",
            "1h         1 ▏",
            "1d         0",
            "later   250k █████████████████",
        ])
        var half = Buffer(area: Rect(x: 0, y: 0, width: 30, height: 2))
        ExpiryTimeline.draw([8, 16, 0, 0, 0, 0], into: &half, area: Rect(x: 0, y: 0, width: 30, height: 2))
        #expect(half.lines == ["10s        8 ████████▌", "1m        16 █████████████████"], "as many buckets as fit")
    }

    /// e gives the timeline the keys: ↓ to a bucket, Enter shows only its
    /// keys soonest first (a key changed into the window joins it), Enter on
    /// the same bucket again shows all; an empty / filter clears it too.
    @Test func enterOnABucketShowsOnlyItsKeys() {
        let now: Int64 = 1_767_225_600_000
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        func info(_ key: String, _ inSeconds: Int64?) -> KeyInfo {
            KeyInfo(key: Bytes(key), typeName: "string", size: 1, deadline: inSeconds.map { now + $0 * 1000 }, preview: "")
        }
        state.table.load([info("a", 5), info("b", 50), info("c", 30), info("d", nil), info("e", 7200)])
        state.focus = .table
        func keys() -> [String] { state.table.shownRows(from: 0, limit: 100).compactMap { $0.key?.description } }
        _ = state.handle(.character("e"), now: now)
        #expect(state.showTimeline && state.timelineSelection == 0)
        _ = state.handle(.down, now: now)
        _ = state.handle(.enter, now: now)
        #expect(keys() == ["c", "b"], "10s to 1m, soonest first")
        #expect(state.timelineFilter == 1 && state.table.sortOrder == .ttl)
        _ = state.apply([.updated(info("d", 40), database: 0)], now: now)
        #expect(keys() == ["c", "d", "b"])
        let status = Screen.render(state, now: now, width: 160, height: 30).0.lines[0]
        #expect(status.contains("expiring in 10s–1m"), "\(status)")
        _ = state.handle(.character("e"), now: now)
        _ = state.handle(.character("e"), now: now)
        #expect(state.timelineSelection == 1, "the timeline opens on the chosen bucket")
        _ = state.handle(.enter, now: now)
        #expect(keys().count == 5 && state.timelineFilter == nil)
        _ = state.handle(.up, now: now)
        #expect(state.timelineSelection == nil, "after Enter the keys went back to the table")
        _ = state.handle(.character("e"), now: now)
        _ = state.handle(.character("e"), now: now)
        _ = state.handle(.enter, now: now)
        #expect(keys() == ["a"])
        _ = state.handle(.character("/"), now: now)
        _ = state.handle(.enter, now: now)
        #expect(keys().count == 5 && state.timelineFilter == nil, "an empty filter shows every key")
    }

    /// On a terminal too narrow for the timeline beside the log, it takes
    /// the log's place: what has the keys is always in view.
    @Test func aNarrowTerminalShowsTheTimelineInsteadOfTheLog() {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.appendLog("a log line", kind: .event, at: 0)
        state.showTimeline = true
        let narrow = Screen.render(state, now: 0, width: 45, height: 24).0.lines
        #expect(narrow.contains { $0.hasPrefix("─ expiring") } && !narrow.contains { $0.contains("a log line") }, "\(narrow)")
        let wide = Screen.render(state, now: 0, width: 100, height: 24).0.lines
        #expect(wide.contains { $0.hasPrefix("┌ expiring ─") && $0.contains("┐┌ log ─") } && wide.contains { $0.contains("a log line") }, "\(wide)")
    }
}
