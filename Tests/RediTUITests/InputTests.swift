import Foundation
@testable import RediTUI
import StoreEngine
import Testing

@Suite("Escape sequences from every terminal")
struct EscapeSequenceTests {
    static func decode(_ text: String) -> EscapeSequence.Outcome {
        EscapeSequence.decode(text.unicodeScalars.map(\.value))
    }

    @Test(arguments: [
        ("[A", Key.up), ("[B", .down), ("[C", .right), ("[D", .left), ("OA", .up), ("[1;5C", .right),
        ("[H", .home), ("[F", .end), ("OH", .home), ("OF", .end),
        ("[1~", .home), ("[4~", .end), ("[7~", .home), ("[8~", .end), ("[3~", .delete),
        ("[5~", .pageUp), ("[6~", .pageDown), ("[3;5~", .delete), ("[7^", .home), ("[a", .up),
        ("OP", .function(1)), ("OQ", .function(2)), ("OR", .function(3)), ("OS", .function(4)),
        ("[[A", .function(1)), ("[[E", .function(5)), ("[11~", .function(1)), ("[15~", .function(5)),
        ("[17~", .function(6)), ("[21~", .function(10)), ("[23~", .function(11)), ("[24~", .function(12)),
        ("OM", .enter), ("Op", .character("0")), ("Oj", .character("*")), ("b", .alt("b")),
        ("[<0;10;5M", .mouse(MouseEvent(.click, x: 9, y: 4))), ("[<0;10;5m", .mouse(MouseEvent(.other, x: 9, y: 4))),
        ("[<64;3;4M", .mouse(MouseEvent(.wheelUp, x: 2, y: 3))), ("[<65;300;200M", .mouse(MouseEvent(.wheelDown, x: 299, y: 199))),
        ("[<16;1;1M", .mouse(MouseEvent(.click, x: 0, y: 0))), ("[<2;1;1M", .mouse(MouseEvent(.otherButton, x: 0, y: 0))),
        ("[<32;5;5M", .mouse(MouseEvent(.other, x: 4, y: 4))),
    ] as [(String, Key)])
    func knownSequences(_ sequence: String, _ key: Key) {
        #expect(Self.decode(sequence) == .key(key), "\\e\(sequence)")
    }

    @Test func unknownSequencesAreDroppedWholeAndCutOnesWait() {
        for sequence in ["[200~", "[<0;10M", "[<0;0;5M", "[<a;1;1M", "[I", "[2~", "[99~", "[[Z", "O~", "[1;2$x"] {
            #expect(Self.decode(sequence) == .unknown, "\\e\(sequence)")
        }
        for sequence in ["", "[", "[1", "[1;5", "O", "[[", "[<", "[<0;10;5"] {
            #expect(Self.decode(sequence) == .incomplete, "\\e\(sequence)")
        }
        #expect(EscapeSequence.decodeCut([]) == .escape)
        #expect(EscapeSequence.decodeCut([0x5B]) == .alt("["))
        #expect(EscapeSequence.decodeCut([0x5B, 0x31]) == nil, "a cut sequence types nothing")
    }
}

@Suite("Command bar: history file and quoted completion")
struct HistoryAndCompletionTests {
    @Test func anInvalidLineSkipsOnlyItselfAndIsKeptOnSave() throws {
        let path = NSTemporaryDirectory() + "redi-history-\(UUID().uuidString)"
        let bytes: [UInt8] = Array("SET a 1\n".utf8) + [0x47, 0xFF, 0x0A] + Array("GET a\n".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        var history = CommandHistory.load(from: path)
        #expect(history.entries == ["SET a 1", "GET a"])
        history.add("DEL a")
        history.save(to: path)
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(saved.contains(0xFF), "the unreadable line is written back")
        #expect(CommandHistory.load(from: path).entries == ["SET a 1", "GET a", "DEL a"])
    }

    @Test func aFileThatCannotBeReadIsNeverOverwritten() throws {
        let directory = NSTemporaryDirectory() + "redi-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A directory stands for any file that exists but cannot be read.
        var history = CommandHistory.load(from: directory)
        #expect(!history.mayWrite)
        history.add("SET a 1")
        history.save(to: directory)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(CommandHistory.load(from: directory + "-missing").mayWrite, "a missing file is created")
    }

    @Test func keysCompleteQuotedSoTheBarReadsThemBack() {
        let keys: [Bytes] = ["my key", "my kettle", "say \"hi\"", Bytes([0x62, 0x00, 0xFF]), "plain"]
        #expect(Completion.complete("GET my", keys: keys) == "GET \"my ke")
        #expect(Completion.complete("GET \"my ket", keys: keys) == "GET \"my kettle\" ")
        #expect(Completion.complete("GET say", keys: keys) == "GET \"say \\\"hi\\\"\" ")
        #expect(Completion.complete("GET b", keys: keys) == "GET \"b\\x00\\xff\" ")
        #expect(Completion.complete("GET pl", keys: keys) == "GET plain ")
        // Every completed key reads back as the key itself.
        for key in keys {
            let line = Completion.complete("GET \(Completion.typable(key).prefix(1))", keys: [key])
            #expect(InlineCommand.split(Array(line.utf8)) == ["GET", key], "\(line)")
        }
    }
}

@Suite("Dialogs and the keys in them")
struct DialogTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }
    let now: Int64 = 1_767_225_600_000

    func state(key: Bytes = "name") -> AppState {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.table.load([KeyInfo(key: key, typeName: "string", size: 5, deadline: nil, preview: "Alice")])
        state.focus = .table
        return state
    }

    @Test func ctrlCQuitsFromEveryDialogAndTheHelp() {
        for open in [Key.enter, .character("/"), .character("d"), .character("t"), .function(1)] {
            var state = state()
            _ = state.handle(open, now: now)
            #expect(state.dialog != nil || state.showHelp)
            #expect(state.handle(.control("c"), now: now) == .quit, "\(open)")
        }
        var searching = state()
        searching.focus = .bar
        _ = searching.handle(.control("r"), now: now)
        #expect(searching.handle(.control("c"), now: now) == .quit)
    }

    @Test func escapeClosesTheHelpWhereItWasOpened() {
        var state = state()
        _ = state.handle(.function(1), now: now)
        #expect(state.showHelp && state.focus == .table)
        _ = state.handle(.escape, now: now)
        #expect(!state.showHelp && state.focus == .table, "the help closes; the focus stays")
    }

    @Test func onlyMinusOneOrPersistRemovesTheTTL() {
        var state = state()
        _ = state.handle(.character("t"), now: now)
        for character in "-5" { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now) == .none)
        guard case .prompt(let prompt)? = state.dialog else {
            Issue.record("the dialog stays open")
            return
        }
        #expect(prompt.error != nil)
        let drawn = Screen.render(state, now: now, width: 80, height: 20).0.lines.joined(separator: "\n")
        #expect(drawn.contains("or -1 or persist"), "the error shows in the dialog: \(drawn)")
        _ = state.handle(.backspace, now: now)
        _ = state.handle(.backspace, now: now)
        for character in "-1" { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now) == .execute(["PERSIST", "name"], command: 1))
        _ = state.handle(.character("t"), now: now)
        for character in "PERSIST" { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now) == .execute(["PERSIST", "name"], command: 2))
        _ = state.handle(.character("t"), now: now)
        for character in " 30 " { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now) == .execute(["EXPIRE", "name", "30"], command: 3))
    }

    @Test func longKeysAreCutNeverTheInstructions() {
        let key = Bytes(String(repeating: "k", count: 300))
        var state = state(key: key)
        _ = state.handle(.character("d"), now: now)
        for width in [40, 60, 120] {
            let lines = Screen.render(state, now: now, width: width, height: 20).0.lines
            #expect(lines.contains { $0.hasSuffix("k…\"?") }, "\(width): \(lines.joined(separator: "\n"))")
            #expect(lines.contains { $0.hasSuffix(" y deletes, any other key keeps it") })
        }
        _ = state.handle(.escape, now: now)
        _ = state.handle(.character("t"), now: now)
        for width in [40, 60, 120] {
            let lines = Screen.render(state, now: now, width: width, height: 20).0.lines
            #expect(lines.contains { $0.hasSuffix("k…\" in seconds:") }, "\(width)")
            #expect(lines.contains { $0.hasSuffix(" -1 or persist removes the TTL") })
        }
    }

    @Test func quickDatabasePressesAllCount() {
        var state = state()
        var asked: [Effect] = []
        for _ in 0..<4 { asked.append(state.handle(.character("]"), now: now)) }
        #expect(asked == [.loadDatabase(1), .loadDatabase(2), .loadDatabase(3), .loadDatabase(4)])
        state.show(database: 1, keys: [], now: now)
        #expect(state.handle(.character("]"), now: now) == .loadDatabase(5), "from the last asked, not the last shown")
        state.show(database: 5, keys: [], now: now)
        #expect(state.requestedDatabase == nil)
        #expect(state.handle(.character("["), now: now) == .loadDatabase(4))
    }

    @Test func eachReplyStaysWithItsCommand() {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        var numbers: [Int] = []
        for line in ["DEBUG SLEEP 1", "GET a", "PING"] {
            for character in line { _ = state.handle(.character(character), now: now) }
            guard case .execute(_, let number) = state.handle(.enter, now: now) else { return }
            numbers.append(number)
        }
        state.appendLog("key \"x\" expired", kind: .event, at: now)
        state.record(.status("OK"), of: numbers[0], now: now)
        state.record(.null, of: numbers[1], now: now)
        state.record(.status("PONG"), of: numbers[2], now: now)
        #expect(state.log.map(\.text) == [">> DEBUG SLEEP 1", "OK", ">> GET a", "(nil)", ">> PING", "PONG", "key \"x\" expired"])
    }

    @Test func theDetailViewShowsTheValuesOwnTextAndFollowsChanges() {
        var state = state(key: "doc")
        let request = DetailRequest(key: "doc")
        #expect(state.handle(.enter, now: now) == .fetchDetail(request))
        let json = #"{"b":1,"a":1,"a":2,"x":1.0,"n":-0,"e":1e300,"s":"日本\u00e9"}"#
        func string(_ text: String) -> DetailPage {
            DetailPage(typeName: "string", total: 1, matching: 1, offset: 0, rows: [[Bytes(text)]])
        }
        state.showDetail(string(json), for: request)
        guard case .detail(let view)? = state.dialog else { return }
        #expect(view.lines == ["{", #"  "b": 1,"#, #"  "a": 1,"#, #"  "a": 2,"#, #"  "x": 1.0,"#, #"  "n": -0,"#,
                               #"  "e": 1e300,"#, #"  "s": "日本\u00e9""#, "}"])
        let changed = KeyInfo(key: "doc", typeName: "string", size: 2, deadline: nil, preview: "{}")
        #expect(state.apply([.updated(changed, database: 0)], now: now) == .fetchDetail(request), "a change fetches the body again")
        state.showDetail(string("{}"), for: request)
        guard case .detail(let updated)? = state.dialog else { return }
        #expect(updated.lines == ["{}"])
        #expect(state.apply([.removed("doc", .del, database: 0)], now: now) == .fetchDetail(request))
        state.showDetail(nil, for: request)
        let screen = Screen.render(state, now: now, width: 80, height: 20).0.lines.joined(separator: "\n")
        #expect(screen.contains("the key is gone"))
    }

    /// A hash of 1,000 fields a page at a time: rows under their column
    /// names, a scroll past the page fetches the next, `/` filters by a glob.
    @Test func aCollectionIsReadAPageAtATimeAndFiltered() {
        var state = state(key: "h")
        #expect(state.handle(.enter, now: now) == .fetchDetail(DetailRequest(key: "h")))
        func page(from offset: Int, filter: Bytes? = nil) -> DetailPage {
            let rows = (offset..<min(offset + DetailView.pageRows, 1000)).map { [Bytes("field:\($0)"), Bytes("value \($0)")] }
            return DetailPage(typeName: "hash", total: 1000, matching: filter == nil ? 1000 : 10, offset: offset, rows: filter == nil ? rows : Array(rows.prefix(10)))
        }
        state.showDetail(page(from: 0), for: DetailRequest(key: "h"))
        var screen = Screen.render(state, now: now, width: 80, height: 20).0.lines
        #expect(screen.contains { $0.contains("FIELD") && $0.contains("VALUE") })
        #expect(screen.contains { $0.contains("field:0") && $0.contains("value 0") })
        #expect(screen.contains { $0.hasPrefix("│ h · ") && $0.contains("rows 1–13 of 1000") }, "\(screen)")
        var effect = Effect.none
        for _ in 0..<32 { effect = state.handle(.pageDown, now: now) }
        guard case .fetchDetail(let next) = effect, case .detail(let view)? = state.dialog else {
            Issue.record("a scroll near the page's end fetches the next: \(effect)")
            return
        }
        #expect(next.offset == view.scroll - DetailView.pageRows / 4 && next.offset > 0)
        state.showDetail(page(from: next.offset), for: next)
        screen = Screen.render(state, now: now, width: 80, height: 20).0.lines
        #expect(screen.contains { $0.contains("field:\(view.scroll)") }, "the rows shown are the ones scrolled to")
        // The last row selected, the ten rows shown before it with it, the page from a little before.
        let end = DetailRequest(key: "h", offset: 999 - 10 + 1 - DetailView.pageRows / 4)
        #expect(state.handle(.character("G"), now: now) == .fetchDetail(end), "G goes to the last row")
        state.showDetail(page(from: end.offset), for: end)
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("field:999") })
        #expect(state.handle(.character("/"), now: now) == .none)
        for character in "field:1*" { _ = state.handle(.character(character), now: now) }
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("filter (a glob") && $0.contains("field:1*") })
        let filtered = state.handle(.enter, now: now)
        #expect(filtered == .fetchDetail(DetailRequest(key: "h", offset: 0, filter: "field:1*")))
        state.showDetail(page(from: 0, filter: "field:1*"), for: DetailRequest(key: "h", offset: 0, filter: "field:1*"))
        screen = Screen.render(state, now: now, width: 80, height: 20).0.lines
        #expect(screen.contains { $0.contains("filter field:1*") && $0.contains("of 10") }, "\(screen)")
        #expect(state.handle(.escape, now: now) == .none && state.dialog == nil, "Esc closes the view")
    }

    /// Pages that come out of order (a scroll sent a second request before
    /// the first came back) or after the value shrank never leave the view
    /// blank: the rows shown are asked for again.
    @Test func aStaleOrShrunkPageIsFollowedByTheRowsShown() {
        var state = state(key: "h")
        _ = state.handle(.enter, now: now)
        func page(from offset: Int, of total: Int) -> DetailPage {
            let rows = (offset..<min(offset + DetailView.pageRows, total)).map { [Bytes("f\($0)"), Bytes("v\($0)")] }
            return DetailPage(typeName: "hash", total: total, matching: total, offset: offset, rows: rows)
        }
        let first = DetailRequest(key: "h")
        #expect(state.showDetail(page(from: 0, of: 5000), for: first) == .none)
        guard case .fetchDetail(let far) = state.handle(.character("G"), now: now) else { Issue.record("G fetches"); return }
        #expect(state.showDetail(page(from: far.offset, of: 5000), for: far) == .none)
        #expect(state.showDetail(page(from: 0, of: 5000), for: first) == .fetchDetail(far), "a stale page: the rows shown again")
        #expect(state.showDetail(page(from: 0, of: 50), for: first) == .none, "the value shrank: the selection moves into it")
        guard case .detail(let view)? = state.dialog else { return }
        #expect(view.selected == 49 && view.scroll + view.rowsShown == 50)
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("f49") })
    }

    /// `a` adds, `e` changes the selected row's value or score, `d` then
    /// `y` removes it: each a command logged as typed, its error shown in
    /// the view.
    @Test func aCollectionIsEditedFromItsDetailView() {
        var state = state(key: "board")
        _ = state.handle(.enter, now: now)
        let request = DetailRequest(key: "board")
        state.showDetail(DetailPage(typeName: "zset", total: 2, matching: 2, offset: 0,
                                    rows: [["0", "bob", "1"], ["1", "alice", "3"]]), for: request)
        let rows = Screen.render(state, now: now, width: 80, height: 20).0.lines
        #expect(rows.contains { $0.hasPrefix("│ RANK  MEMBER  SCORE") }, "the columns as wide as their widest cell")
        #expect(rows.contains { $0.hasPrefix("│    0  bob         1") }, "a score beside its member: \(rows)")
        #expect(state.handle(.character("a"), now: now) == .none)
        for character in "2.5 carol" { _ = state.handle(.character(character), now: now) }
        let screen = Screen.render(state, now: now, width: 80, height: 20).0.lines
        #expect(screen.contains { $0.contains("add score member") && $0.contains("2.5 carol") })
        guard case .execute(let added, let number) = state.handle(.enter, now: now) else { Issue.record("no ZADD"); return }
        #expect(added == ["ZADD", "board", "2.5", "carol"])
        state.record(.error("ERR value is not a valid float"), of: number, now: now)
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("ERR value is not a valid float") },
                "the error shows in the view")
        _ = state.handle(.down, now: now)
        _ = state.handle(.character("e"), now: now)
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("new score of \"alice\": 3") })
        _ = state.handle(.backspace, now: now)
        _ = state.handle(.character("9"), now: now)
        guard case .execute(let changed, _) = state.handle(.enter, now: now) else { Issue.record("no change"); return }
        #expect(changed == ["ZADD", "board", "9", "alice"])
        _ = state.handle(.character("d"), now: now)
        #expect(Screen.render(state, now: now, width: 80, height: 20).0.lines.contains { $0.contains("remove member \"alice\"?") })
        #expect(state.handle(.character("n"), now: now) == .none, "any other key keeps it")
        _ = state.handle(.character("d"), now: now)
        guard case .execute(let removed, _) = state.handle(.character("y"), now: now) else { Issue.record("no ZREM"); return }
        #expect(removed == ["ZREM", "board", "alice"])
        #expect(state.log.contains { $0.text == ">> ZREM board alice" }, "logged as typed")
        guard case .detail(let view)? = state.dialog else { Issue.record("the view stays open"); return }
        #expect(view.input == nil)
        #expect(state.handle(.character("q"), now: now) == .none && state.dialog == nil, "q closes it")
    }

    @Test func aSetMemberIsNotChangedInPlaceAndAHashValueIs() {
        var state = state(key: "h")
        _ = state.handle(.enter, now: now)
        state.showDetail(DetailPage(typeName: "hash", total: 1, matching: 1, offset: 0, rows: [["name", "Al ice"]]), for: DetailRequest(key: "h"))
        _ = state.handle(.character("e"), now: now)
        _ = state.handle(.control("u"), now: now)
        for character in "\"Bob Smith\"" { _ = state.handle(.character(character), now: now) }
        guard case .execute(let words, _) = state.handle(.enter, now: now) else { Issue.record("no HSET"); return }
        #expect(words == ["HSET", "h", "name", "Bob Smith"], "a quoted value is read as the bar reads it")
        // A value changed by Enter alone is written back byte for byte, however it is spelt.
        for value in [Bytes([0, 0xFF, 0x22, 0x5C, 10]), Bytes("two words"), Bytes(), Bytes("naïve \"q\"")] {
            state.showDetail(DetailPage(typeName: "hash", total: 1, matching: 1, offset: 0, rows: [["f", value]]), for: DetailRequest(key: "h"))
            _ = state.handle(.character("e"), now: now)
            guard case .execute(let same, _) = state.handle(.enter, now: now) else { Issue.record("no HSET"); return }
            #expect(same == ["HSET", "h", "f", value], "\(value.displayText)")
        }
        state.showDetail(DetailPage(typeName: "set", total: 1, matching: 1, offset: 0, rows: [["m"]]), for: DetailRequest(key: "h"))
        #expect(state.handle(.character("e"), now: now) == .none)
        #expect(Screen.render(state, now: now, width: 100, height: 20).0.lines.contains { $0.contains("a member is not changed") })
    }
}

@Suite("JSON re-indented as it is spelt")
struct JSONTextTests {
    @Test func validJSONKeepsEveryToken() {
        #expect(JSONText.reindent(Array("[]".utf8)) == ["[]"])
        #expect(JSONText.reindent(Array(#" [1, [ ], {"a" : [true,null]}] "#.utf8))
                == ["[", "  1,", "  [],", "  {", #"    "a": ["#, "      true,", "      null", "    ]", "  }", "]"])
        // Deep nesting is no recursion.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONText.reindent(Array(deep.utf8))?.count == 199_999)
    }

    @Test func invalidJSONIsNotReindented() {
        for text in ["{", "[1,]", #"{"a"}"#, "[01]", "[1.]", "[tru]", #"["\q"]"#, "[\"\u{1}\"]", "{} x", "1", #""s""#, "[1}", "{\"a\":1]"] {
            #expect(JSONText.reindent(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(JSONText.reindent([0x5B, 0x22, 0xFF, 0x22, 0x5D]) == nil, "not UTF-8")
    }
}

@Suite("Grapheme clusters on screen")
struct GraphemeTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    @Test func everyPartOfAnEmojiSequenceIsDrawn() {
        let text = "👨‍👩‍👧‍👦 family 🇺🇸 flag é ❤️"
        var buffer = Buffer(area: Rect(x: 0, y: 0, width: 40, height: 1))
        let end = buffer.write(text, x: 0, y: 0)
        #expect(end == TextWidth.of(text))
        #expect(buffer.lines[0] == String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{200D}" })), "nothing lost but the joiners: \(buffer.lines[0])")
        #expect(TextWidth.of("👨‍👩‍👧‍👦") == 8 && TextWidth.of("🇺🇸") == 2 && TextWidth.of("é") == 1)
        for x in 0..<40 where buffer[x, 0].width > 0 {
            #expect(buffer[x, 0].symbol.unicodeScalars.count <= TextWidth.scalarsPerCell)
        }
        // A cluster that does not fit whole is not drawn in part.
        var narrow = Buffer(area: Rect(x: 0, y: 0, width: 5, height: 1))
        narrow.write("👨‍👩‍👧‍👦", x: 0, y: 0)
        #expect(narrow.lines[0] == "")
    }
}
