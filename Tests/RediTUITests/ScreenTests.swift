import Foundation
import RediTUI
import StoreEngine
import Testing

@Suite("Screen rendering")
struct ScreenTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    let now: Int64 = 1_767_225_600_000

    func state() -> AppState {
        var state = AppState(status: StoreStatus(snapshotPath: "redi.rdb"))
        state.table.load([
            KeyInfo(key: "name", typeName: "string", size: 5, deadline: nil, preview: "Alice"),
            KeyInfo(key: "temp", typeName: "string", size: 4, deadline: now + 9_400, preview: "soon"),
            KeyInfo(key: "日本", typeName: "string", size: 3, deadline: now + 245_000, preview: Bytes([0, 10, 65])),
        ])
        return state
    }

    @Test func tableRowsShowEscapedKeysCountdownsAndPreviews() {
        let (buffer, _) = Screen.render(state(), now: now, width: 60, height: 12)
        let lines = buffer.lines
        #expect(lines[1] == "KEY ▲        TYPE       TTL     LEN      SIZE VALUE", "the sort column marked")
        #expect(lines[2] == "name         string       -       5         5 Alice")
        #expect(lines[3] == "temp         string    9.4s       4         4 soon")
        #expect(lines[4] == "日本         string   4m05s       3         3 \\x00\\nA", "wide keys keep the columns aligned")
        // At 60 columns the snapshot and the clock make way for the counts and the order.
        #expect(lines[0] == " redi │ db 0: 3 keys, 2 volatile │ sort: key")
    }

    @Test func aNarrowStatusLineKeepsTheCountsAndTheSortOrder() {
        var state = state()
        state.status.serverAddress = "127.0.0.1:6379"
        state.status.clients = 12
        state.following = true
        let wide = Screen.render(state, now: now, width: 140, height: 12).0.lines[0]
        #expect(wide.contains("│ 127.0.0.1:6379, 12 clients │ following │ sort: key"), "\(wide)")
        let narrow = Screen.render(state, now: now, width: 72, height: 12).0.lines[0]
        #expect(narrow.hasPrefix(" redi │ db 0: 3 keys, 2 volatile │ redi.rdb saved"), "\(narrow)")
        #expect(narrow.hasSuffix("│ sort: key"), "the server, following and the clock went first: \(narrow)")
    }

    @Test func theStatusLineCountsUnsavedChanges() {
        var state = state()
        state.status.unsaved = 12
        let line = Screen.render(state, now: now, width: 100, height: 12).0.lines[0]
        #expect(line.range(of: #"│ redi\.rdb saved \d\d:\d\d:\d\d, 12 unsaved │"#, options: .regularExpression) != nil, "\(line)")
        state.status.unsaved = 0
        #expect(!Screen.render(state, now: now, width: 100, height: 12).0.lines[0].contains("unsaved"))
    }

    /// The append-only file: its policy and size, a rewrite running; a
    /// refused write stays in view when the line is narrow.
    @Test func theStatusLineShowsTheAppendOnlyFile() {
        var state = state()
        state.status.appendOnly = AppendOnlyStatus(fsync: .everysec, size: 1536, rewriting: true, writeError: nil)
        let line = Screen.render(state, now: now, width: 140, height: 12).0.lines[0]
        #expect(line.contains("│ AOF everysec 1.50K, rewriting │"), "\(line)")
        state.status.appendOnly = AppendOnlyStatus(fsync: .always, size: 10, rewriting: false, writeError: "No space left on device")
        let narrow = Screen.render(state, now: now, width: 80, height: 12).0.lines[0]
        #expect(narrow.contains("AOF cannot write: No space left on device"), "\(narrow)")
        #expect(!narrow.contains("redi.rdb saved"), "the snapshot went first")
        state.status.appendOnly = nil
        #expect(!Screen.render(state, now: now, width: 140, height: 12).0.lines[0].contains("AOF"))
    }

    @Test func theBarShowsTheTextAHintAndTheCursor() {
        var state = self.state()
        for character in "SET " { _ = state.handle(.character(character), now: now) }
        let (buffer, cursor) = Screen.render(state, now: now, width: 100, height: 12)
        #expect(buffer.lines[11].hasPrefix(">> SET  key value [NX | XX] [GET]"))
        #expect(cursor?.x == 7 && cursor?.y == 11)
    }

    @Test func tooSmallSaysSo() {
        let (buffer, cursor) = Screen.render(state(), now: now, width: 30, height: 8)
        #expect(buffer.lines.contains("      terminal too small"))
        #expect(cursor == nil)
    }

    @Test func editingKeysWorkAsReadline() {
        var state = self.state()
        for character in "GET old key" { _ = state.handle(.character(character), now: now) }
        _ = state.handle(.control("w"), now: now)
        #expect(state.editor.text == "GET old ")
        _ = state.handle(.alt("b"), now: now)
        _ = state.handle(.control("k"), now: now)
        #expect(state.editor.text == "GET ")
        for character in "name" { _ = state.handle(.character(character), now: now) }
        _ = state.handle(.control("a"), now: now)
        _ = state.handle(.delete, now: now)
        #expect(state.editor.text == "ET name")
        _ = state.handle(.control("u"), now: now)
        _ = state.handle(.control("e"), now: now)
        #expect(state.editor.text == "ET name")
        #expect(state.handle(.enter, now: now) == .execute(["ET", "name"], command: 1))
        #expect(state.editor.isEmpty)
        #expect(state.handle(.control("d"), now: now) == .quit, "Ctrl-D on an empty bar quits")
    }

    /// Esc right after a command moves the focus as ever; once the command
    /// has waited half a second (BLPOP...), the status line says so and Esc
    /// or Ctrl-C gives up the wait; the reply ends it.
    @Test func escGivesUpACommandSeenWaiting() {
        var state = self.state()
        for character in "BLPOP q 0" { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now) == .execute(["BLPOP", "q", "0"], command: 1))
        #expect(state.handle(.escape, now: now + 100) == .none && state.focus == .table, "a moment later: the focus moves")
        _ = state.handle(.escape, now: now + 100)
        #expect(!Screen.render(state, now: now + 100, width: 100, height: 20).0.lines.joined().contains("Esc cancels"))
        #expect(Screen.render(state, now: now + 600, width: 100, height: 20).0.lines.joined().contains("waiting for a reply: Esc cancels"))
        #expect(state.handle(.control("c"), now: now + 600) == .cancelWait, "Ctrl-C gives up the wait, not redi")
        #expect(state.handle(.escape, now: now + 700) == .cancelWait)
        state.record(.nullArray, of: 1, now: now + 800)
        #expect(state.waitingSince == nil && state.handle(.escape, now: now + 900) == .none && state.focus == .table,
                "answered: Esc moves the focus again")
        _ = state.handle(.escape, now: now + 950)
        // A slow command that does not block (KEYS over a large keyspace) leaves Esc and Ctrl-C as they are.
        for character in "KEYS *" { _ = state.handle(.character(character), now: now) }
        #expect(state.handle(.enter, now: now + 1000) == .execute(["KEYS", "*"], command: 2))
        #expect(!state.isSeenWaiting(now: now + 5000) && state.handle(.control("c"), now: now + 5000) == .quit)
    }

    @Test func tableFocusMovesTheSelectionAndSorts() {
        var state = self.state()
        #expect(state.handle(.character("j"), now: now) == .none)
        #expect(state.editor.text == "j", "in the bar, j is text")
        state.editor = LineEditor()
        _ = state.handle(.escape, now: now)
        _ = state.handle(.character("j"), now: now)
        #expect(state.selected == 1)
        _ = state.handle(.character("s"), now: now)
        #expect(state.table.sortOrder == .ttl)
        _ = state.handle(.character("G"), now: now)
        state.clampSelection(visibleRows: 5)
        #expect(state.selected == 2)
        #expect(state.handle(.character("q"), now: now) == .quit)
    }
}

@Suite("Command bar: history and completion")
struct CommandBarTests {
    let now: Int64 = 0

    @Test func historyBrowsesAndSearches() {
        var state = AppState(status: StoreStatus(snapshotPath: nil))
        state.history = CommandHistory(entries: ["SET a 1", "GET a", "DEL a"])
        for character in "dra" { _ = state.handle(.character(character), now: now) }
        _ = state.handle(.up, now: now)
        #expect(state.editor.text == "DEL a")
        _ = state.handle(.up, now: now)
        _ = state.handle(.up, now: now)
        _ = state.handle(.up, now: now)
        #expect(state.editor.text == "SET a 1")
        _ = state.handle(.down, now: now)
        _ = state.handle(.down, now: now)
        _ = state.handle(.down, now: now)
        #expect(state.editor.text == "dra", "the draft comes back")
        state.editor = LineEditor()
        _ = state.handle(.control("r"), now: now)
        for character in "a" { _ = state.handle(.character(character), now: now) }
        #expect(state.search?.match?.line == "DEL a")
        _ = state.handle(.control("r"), now: now)
        #expect(state.search?.match?.line == "GET a")
        #expect(state.handle(.enter, now: now) == .execute(["GET", "a"], command: 1))
        #expect(state.history.entries.last == "GET a")
    }

    @Test func historyPersistsBounded() throws {
        let path = NSTemporaryDirectory() + "redi-history-\(UUID().uuidString)"
        var history = CommandHistory()
        for index in 0..<(CommandHistory.limit + 10) { history.add("SET k \(index)") }
        history.add("SET k \(CommandHistory.limit + 9)")
        history.save(to: path)
        let loaded = CommandHistory.load(from: path)
        #expect(loaded.entries.count == CommandHistory.limit)
        #expect(loaded.entries.last == "SET k \(CommandHistory.limit + 9)")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func tabCompletesCommandsOptionsAndKeys() {
        let keys: [Bytes] = ["user:1", "user:2", "session", "with space"]
        #expect(Completion.complete("ex", keys: keys) == "ex")
        #expect(Set(Completion.candidates(for: "ex", keys: keys)) == ["exec", "exists", "exit", "expire", "expireat", "expiretime"])
        #expect(Completion.complete("PERS", keys: keys) == "PERSIST ")
        #expect(Completion.complete("GET us", keys: keys) == "GET user:")
        #expect(Completion.complete("GET s", keys: keys) == "GET session ")
        #expect(Completion.complete("SET k v K", keys: keys) == "SET k v KEEPTTL ")
        #expect(Completion.complete("GET w", keys: keys) == "GET \"with space\" ", "a key with a space completes quoted")
    }
}
