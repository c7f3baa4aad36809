import Foundation
@testable import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// F3's charts: the series kept from the store's counters, the sparkline
/// widget, and the dashboard drawn in the table's place.
@Suite("Dashboard")
struct DashboardTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    func counters(commands: Int, expired: Int = 0, keys: Int = 0, memory: Int = 0) -> StoreCounters {
        StoreCounters(commandsProcessed: commands, expiredKeys: expired, keys: keys, volatileKeys: keys / 2, memory: memory)
    }

    @Test func sparklinesScaleToTheLargestValueInEighths() {
        #expect(Sparkline.rows([0, 1, 2, 4, 8], width: 5, height: 1) == [" ▁▂▄█"])
        #expect(Sparkline.rows([0, 1, 2, 4, 8], width: 8, height: 1) == ["    ▁▂▄█"], "few values: the left stays empty")
        #expect(Sparkline.rows([1, 8, 16], width: 3, height: 2) == ["  █", "▁██"], "two rows: 16 eighths")
        #expect(Sparkline.rows([0.001, 1000], width: 2, height: 1) == ["▁█"], "a value above zero shows")
        #expect(Sparkline.rows([0, 0, 0], width: 3, height: 2) == ["   ", "   "])
        // Three values to a column, the largest of them; the newest on the right.
        #expect(Sparkline.rows([8, 0, 0, 0, 4, 0, 0, 0, 2], perColumn: 3, width: 3, height: 1) == ["█▄▂"])
        #expect(Sparkline.rows([1, 2, 3, 4, 5, 6, 7, 8], width: 4, height: 1) == ["▅▆▇█"], "too many values: the newest")
    }

    /// Random series at random sizes: every row as wide as asked, the
    /// largest value's column full, each column's height what its value says.
    @Test func randomSeriesDrawAsTheirValuesSay() {
        var generator = SeededGenerator(state: 14)
        for _ in 0..<300 {
            let values = (0..<Int.random(in: 0...400, using: &generator)).map { _ in Double(Int.random(in: 0...1000, using: &generator)) }
            let width = Int.random(in: 1...120, using: &generator), height = Int.random(in: 1...8, using: &generator)
            let rows = Sparkline.rows(values, width: width, height: height)
            #expect(rows.count == height && rows.allSatisfy { $0.count == width })
            let shown = Array(values.suffix(width))
            guard let largest = shown.max(), largest > 0 else { continue }
            for (column, value) in shown.enumerated() {
                let x = width - shown.count + column
                var eighths = 0
                for row in rows {
                    let symbol = String(Array(row)[x])
                    eighths += Sparkline.eighths.firstIndex(of: symbol) ?? -100
                }
                let scaled: Double = value / largest * Double(height * 8)
                let expected = value == 0 ? 0 : max(Int(scaled.rounded()), 1)
                #expect(eighths == expected, "\(value) of \(largest) in \(height) rows")
            }
        }
    }

    @Test func ratesComeFromTheCountersAndFiveMinutesAreKept() {
        var vitals = VitalsHistory()
        vitals.record(counters(commands: 100, expired: 5, keys: 10), clients: 1, at: 1_000)
        vitals.record(counters(commands: 1100, expired: 5, keys: 12), clients: 2, at: 2_000)
        vitals.record(counters(commands: 2100, expired: 25, keys: 8), clients: 2, at: 4_000)
        vitals.record(counters(commands: 50, expired: 0, keys: 8), clients: 2, at: 5_000)
        vitals.record(counters(commands: 60, expired: 0, keys: 8), clients: 2, at: 5_000)
        #expect(vitals.values(.commands) == [1000, 500, 0], "per second between samples; a reset counts as zero; a repeated time is dropped")
        #expect(vitals.values(.expired) == [0, 10, 0])
        #expect(vitals.values(.keys) == [10, 12, 8, 8])
        #expect(vitals.values(.volatileKeys) == [5, 6, 4, 4])
        #expect(vitals.values(.clients) == [1, 2, 2, 2])
        for second in 6...1000 { vitals.record(counters(commands: second), clients: 0, at: Int64(second) * 1000) }
        #expect(vitals.samples.count == 301, "five minutes, and the sample before them for a rate")
        #expect(vitals.values(.commands).count == 300)
    }

    @Test func theDashboardTakesTheTablesPlace() {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.table.load([KeyInfo(key: "k", typeName: "string", size: 1, deadline: nil, preview: "v")])
        for second in 0..<10 {
            state.vitals.record(counters(commands: second * second * 100, keys: 1, memory: 3 << 20), clients: second, at: Int64(second) * 1000)
        }
        #expect(state.handle(.function(3), now: 0) == .none)
        let lines = Screen.render(state, now: 0, width: 130, height: 40).0.lines
        #expect(!lines.contains { $0.contains("KEY ▲") }, "the table is not drawn")
        #expect(lines[1].hasPrefix("┌ commands/s ─") && lines[1].contains("1700 ─┐┌ keys ─") && lines[1].contains("┌ volatile keys ─"), "\(lines[1])")
        let memory = lines.first { $0.contains("┌ memory ─") }
        #expect(memory?.contains(" 3.00M ─┐") == true && memory?.contains("┌ clients ─") == true && memory?.contains(" 9 ─┐") == true, "\(memory ?? "")")
        // The newest second is the largest: its column is full in every row of the chart.
        let chartRows = lines[2..<lines.firstIndex { $0.hasPrefix("└") }!]
        #expect(chartRows.allSatisfy { $0.hasPrefix("│") && Array($0)[41] == "█" }, "\(chartRows)")
        #expect(lines.contains { $0.contains("┌ log ─") }, "the log stays below")
        // Narrower: fewer across, every chart still titled.
        let narrow = Screen.render(state, now: 0, width: 60, height: 40).0.lines
        for series in VitalsHistory.Series.allCases {
            #expect(narrow.contains { $0.contains("┌ \(series.title) ─") }, "\(series.title): \(narrow)")
        }
        _ = state.handle(.function(3), now: 0)
        #expect(Screen.render(state, now: 0, width: 130, height: 40).0.lines[2].contains("KEY ▲"), "F3 again: the table")
    }
}
