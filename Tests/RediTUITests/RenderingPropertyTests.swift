import Foundation
@testable import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// No drawing may trap, whatever the size and the content: every widget is
/// rendered at every size from 1x1 to 200x60 with random keys and values
/// (long, wide, binary, emoji, huge TTLs).
@Suite("Rendering at every size")
struct RenderingPropertyTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    static let now: Int64 = 1_767_225_600_000

    /// Pieces random content is made of.
    static let pieces: [[UInt8]] = [
        Array("k".utf8), Array("user:session:12345".utf8), Array("日本語".utf8), Array("👨‍👩‍👧‍👦".utf8), Array("🇺🇸".utf8),
        Array("e\u{301}".utf8), Array("❤️".utf8), [0, 10, 13, 0xFF, 0xC3], Array(" ".utf8), Array("\"'\\".utf8),
        Array(String(repeating: "w", count: 120).utf8), Array(#"{"a":[1,{"b":null}],"c":"d"}"#.utf8),
    ]

    static func randomBytes(_ generator: inout SeededGenerator, maximumPieces: Int = 6) -> Bytes {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...maximumPieces, using: &generator) {
            bytes += pieces.randomElement(using: &generator)!
        }
        return Bytes(bytes)
    }

    static func randomState(_ generator: inout SeededGenerator) -> AppState {
        var state = AppState(status: StoreStatus(snapshotPath: Bool.random(using: &generator) ? "/tmp/" + String(repeating: "d", count: 90) + ".rdb" : nil))
        let deadlines: [Int64?] = [nil, now - 5, now + 400, now + 9_000, .max - 1, now + 86_400_000 * 400]
        var infos: [KeyInfo] = []
        for _ in 0..<Int.random(in: 0...30, using: &generator) {
            let value = randomBytes(&generator)
            infos.append(KeyInfo(key: randomBytes(&generator), typeName: "string", size: value.count,
                                 deadline: deadlines.randomElement(using: &generator)!, preview: value))
        }
        state.table.load(infos)
        if Bool.random(using: &generator) {
            // The tree, split at a delimiter the keys hold (a wide one, one that overlaps itself), some folders open.
            state.table.showTree(delimiter: [":", "🇺🇸", "ww", "\u{0}"].randomElement(using: &generator)!)
            for folder in state.table.tree!.counts.keys.sorted(by: { $0.count < $1.count }) where Bool.random(using: &generator) {
                state.table.toggleFolder(folder)
            }
        }
        state.status.serverAddress = Bool.random(using: &generator) ? "127.0.0.1:6379" : nil
        state.following = Bool.random(using: &generator)
        state.showTimeline = Bool.random(using: &generator)
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            state.appendLog(randomBytes(&generator).displayText, kind: .reply, at: now)
        }
        for character in randomBytes(&generator, maximumPieces: 3).displayText { _ = state.handle(.character(character), now: now) }
        state.focus = Bool.random(using: &generator) ? .bar : .table
        state.selected = Int.random(in: 0...40, using: &generator)
        let key = infos.randomElement(using: &generator)?.key ?? randomBytes(&generator)
        switch Int.random(in: 0...6, using: &generator) {
        case 0: state.showHelp = true
        case 1: state.dialog = .confirmDelete(key)
        case 2: state.dialog = .prompt(PromptDialog(.ttl(key), line: LineEditor(randomBytes(&generator).displayText)))
        case 3:
            var prompt = PromptDialog(.filter)
            prompt.error = randomBytes(&generator).displayText
            state.dialog = .prompt(prompt)
        case 4:
            var view = DetailView(key: key)
            view.lines = Dialogs.lines(of: randomBytes(&generator, maximumPieces: 20))
            view.scroll = Int.random(in: 0...50, using: &generator)
            view.gone = Bool.random(using: &generator)
            state.dialog = .detail(view)
        case 5:
            // A page of a collection's rows, scrolled anywhere, a filter maybe being typed.
            var view = DetailView(key: key)
            let type = ["list", "hash", "set", "zset"].randomElement(using: &generator)!
            let columns = type == "hash" || type == "list" ? 2 : type == "zset" ? 3 : 1
            let offset = Int.random(in: 0...30, using: &generator)
            let rows = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                (0..<columns).map { _ in randomBytes(&generator, maximumPieces: 6) }
            }
            view.page = DetailPage(typeName: type, total: offset + rows.count, matching: offset + rows.count, offset: offset, rows: rows)
            view.scroll = Int.random(in: 0...(offset + rows.count + 5), using: &generator)
            if Bool.random(using: &generator) { view.filter = randomBytes(&generator, maximumPieces: 3) }
            let typed = LineEditor(randomBytes(&generator).displayText)
            let element = randomBytes(&generator, maximumPieces: 4)
            view.input = [nil, .filter(typed), .add(typed), .add(typed, atFront: true), .change(element: element, typed), .remove(element: element)]
                .randomElement(using: &generator)!
            // A list's rows name their element by index, as `e` and `d` do.
            if type == "list", let first = rows.first?.first, Bool.random(using: &generator) { view.input = .remove(element: first) }
            view.selected = Int.random(in: 0...(offset + rows.count + 5), using: &generator)
            if Int.random(in: 0...4, using: &generator) == 0 { view.message = randomBytes(&generator).displayText }
            view.gone = Int.random(in: 0...5, using: &generator) == 0
            state.dialog = .detail(view)
        default: break
        }
        return state
    }

    @Test func everyWidgetRendersAtEverySizeWithoutTrapping() {
        var generator = SeededGenerator(state: 20261130)
        for width in 1...200 {
            for height in 1...60 {
                let state = Self.randomState(&generator)
                let (buffer, cursor) = Screen.render(state, now: Self.now, width: width, height: height)
                #expect(buffer.area == Rect(x: 0, y: 0, width: width, height: height))
                if let cursor {
                    #expect(buffer.contains(x: cursor.x, y: cursor.y), "the cursor stays on the screen at \(width)x\(height)")
                }
                // The dialogs alone, in any area, even ones the screen would not give them.
                if let dialog = state.dialog {
                    var alone = Buffer(area: Rect(x: 0, y: 0, width: width, height: height))
                    let area = Rect(x: width / 3, y: height / 3, width: width - width / 3, height: height - height / 3)
                    if let cursor = Dialogs.draw(dialog, info: nil, now: Self.now, into: &alone, area: area) {
                        #expect(alone.contains(x: cursor.x, y: cursor.y))
                    }
                }
            }
        }
    }

    /// The crash of the issue: a key wider than the detail view's title box.
    @Test func aKeyWiderThanTheDetailViewIsCut() {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        let key = Bytes(String(repeating: "k", count: 100))
        state.table.load([KeyInfo(key: key, typeName: "string", size: 1, deadline: .max - 1, preview: "v")])
        var view = DetailView(key: key)
        view.lines = ["v"]
        state.dialog = .detail(view)
        for (width, height) in [(120, 35), (40, 10)] {
            let lines = Screen.render(state, now: Self.now, width: width, height: height).0.lines
            let ttl = TTLText.format(milliseconds: .max - 1 - Self.now)
            // Under the pane's top border where there is one.
            let title = lines[height >= Layout.borderedHeight ? 2 : 1]
            #expect(title.hasPrefix(height >= Layout.borderedHeight ? "│ kkk" : " kkk") && title.contains("k… · string · 1 bytes"), "\(title)")
            #expect(width < 60 || title.hasSuffix(" · TTL \(ttl) │"), "\(title)")
        }
    }
}
