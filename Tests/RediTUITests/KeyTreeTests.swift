import RediTUI
import StoreEngine
import StoreEngineTestSupport
import Testing

/// The key tree against a plain model of it: every key's folders from
/// splitting it, and the rows sorted from scratch.
@Suite("Key tree")
struct KeyTreeTests {
    func info(_ key: Bytes) -> KeyInfo {
        KeyInfo(key: key, typeName: "string", size: 1, deadline: nil, preview: "")
    }

    /// A row as the tests compare it: the text shown, its depth, a folder's count.
    struct Row: Equatable, CustomStringConvertible {
        var name: [UInt8]
        var depth: Int
        var count: Int?
        var description: String { "\(String(repeating: "  ", count: depth))\(Bytes(name).escaped)\(count.map { " (\($0))" } ?? "")" }
    }

    /// The folders of `key` split the plain way: every prefix that ends
    /// with the delimiter (matched left to right, not overlapping) and is
    /// shorter than the key, as deep as the tree goes.
    static func folders(of key: [UInt8], _ delimiter: [UInt8]) -> [[UInt8]] {
        var folders: [[UInt8]] = []
        var index = 0
        while index + delimiter.count <= key.count && folders.count < KeyTree.maximumDepth {
            if Array(key[index..<(index + delimiter.count)]) == delimiter {
                index += delimiter.count
                if index < key.count { folders.append(Array(key[..<index])) }
            } else {
                index += 1
            }
        }
        return folders
    }

    /// The rows the tree must show for `keys`: each folder whose folders
    /// are all open, each key whose folders are all open; a folder goes
    /// just before its first key, outer folders first.
    static func reference(_ keys: [[UInt8]], _ delimiter: [UInt8], expanded: Set<[UInt8]>) -> [Row] {
        let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
        var counts: [[UInt8]: Int] = [:]
        var first: [[UInt8]: [UInt8]] = [:]
        for key in sorted {
            for folder in folders(of: key, delimiter) {
                counts[folder, default: 0] += 1
                if first[folder] == nil { first[folder] = key }
            }
        }
        var rows: [(order: [UInt8], rank: Int, row: Row)] = []
        for (folder, count) in counts {
            let outer = folders(of: folder, delimiter).filter { $0 != folder }
            guard outer.allSatisfy(expanded.contains) else { continue }
            let start = outer.last?.count ?? 0
            rows.append((first[folder]!, outer.count, Row(name: Array(folder[start...]), depth: outer.count, count: count)))
        }
        for key in sorted {
            let around = folders(of: key, delimiter)
            guard around.allSatisfy(expanded.contains) else { continue }
            let start = around.last?.count ?? 0
            rows.append((key, Int.max, Row(name: Array(key[start...]), depth: around.count, count: nil)))
        }
        return rows.sorted { $0.order == $1.order ? $0.rank < $1.rank : $0.order.lexicographicallyPrecedes($1.order) }.map(\.row)
    }

    static func rows(_ model: KeyTableModel) -> [Row] {
        model.shownRows(from: 0, limit: .max).map { shown in
            switch shown {
            case .folder(let row): return Row(name: row.shownPart.array, depth: row.depth, count: row.count)
            case .key(_, let row): return Row(name: row!.shownPart.array, depth: row!.depth, count: nil)
            }
        }
    }

    @Test func foldersCountsAndOpening() {
        var model = KeyTableModel()
        model.load(["user:1:name", "user:1:email", "user:2:name", "session:ab", "plain", "a:", "a:b", "::x"].map { info(Bytes($0)) })
        model.showTree(delimiter: ":")
        // "::x" is in ":" then "::"; "a:" is a key beside the folder "a:" that holds "a:b".
        #expect(Self.rows(model).map(\.description) == [": (1)", "a:", "a: (1)", "plain", "session: (1)", "user: (3)"])
        model.toggleFolder("user:")
        model.toggleFolder("user:1:")
        #expect(Self.rows(model).suffix(5).map(\.description) == ["user: (3)", "  1: (2)", "    email", "    name", "  2: (1)"])
        // A change inside an open folder shows at once; the last key of a folder takes the folder with it.
        model.apply([.updated(info("user:1:age"), database: 0), .removed("session:ab", .del, database: 0)])
        #expect(Self.rows(model).map(\.description).contains("    age"))
        #expect(!Self.rows(model).contains { $0.name == Array("session:".utf8) })
        #expect(model.tree?.counts["user:"] == 4)
        // A filter counts what it shows.
        model.setFilter(GlobPattern("user:1:*"))
        #expect(model.tree?.counts["user:"] == 3 && model.tree?.counts["user:2:"] == nil)
        model.collapseFolder("user:")
        #expect(Self.rows(model).map(\.description) == ["user: (3)"])
        model.toggleFolder("user:")
        #expect(Self.rows(model).map(\.description) == ["user: (3)", "  1: (3)"], "closing a folder closes the ones in it")
        model.showTree(delimiter: nil)
        #expect(model.tree == nil && model.count == 3)
    }

    /// A key of ten thousand delimiters is sixteen folders deep, not ten
    /// thousand (each folder a copy of its prefix), and opens all the way down.
    @Test func aKeyOfThousandsOfDelimitersStaysSixteenFoldersDeep() {
        var model = KeyTableModel()
        let deep = Bytes(String(repeating: "a:", count: 10_000) + "end")
        model.load([info(deep), info("a:b")])
        model.showTree(delimiter: ":")
        #expect(model.tree?.counts.count == KeyTree.maximumDepth)
        #expect(model.tree?.counts.keys.map(\.count).max() == 2 * KeyTree.maximumDepth)
        var opened = 0
        while let folder = model.tree?.folderRows.last(where: { model.tree?.expanded.contains($0.row.name) == false }) {
            model.toggleFolder(folder.row.name)
            opened += 1
        }
        #expect(opened == KeyTree.maximumDepth)
        // The deep key's row: the rest of it below the sixteenth folder; "a:b" after it, one folder deep.
        let rows = Self.rows(model)
        #expect(rows.count == KeyTree.maximumDepth + 2)
        #expect(rows[KeyTree.maximumDepth].count == nil && rows[KeyTree.maximumDepth].depth == KeyTree.maximumDepth)
        #expect(rows[KeyTree.maximumDepth].name.count == deep.count - 2 * KeyTree.maximumDepth)
        #expect(rows.last == Row(name: Array("b".utf8), depth: 1, count: nil))
    }

    /// Twenty thousand keys (many chunks of the key order): folders, plain
    /// keys between and inside them, keys that are a folder's own prefix;
    /// laid out as the plain model says, with folders open and closed.
    @Test func aLargeKeyspaceLaysOutAsThePlainModelSays() {
        var generator = SeededGenerator(state: 424_242)
        var keys: Set<[UInt8]> = []
        while keys.count < 20_000 {
            let number = Int.random(in: 0..<1_000_000, using: &generator)
            let key = switch number % 5 {
            case 0: "p\(number)"
            case 1: "f\(number % 7):"
            default: "f\(number % 7):\(number % 3 == 0 ? "g\(number % 11):" : "")k\(number)"
            }
            keys.insert(Array(key.utf8))
        }
        var model = KeyTableModel()
        model.load(keys.map { info(Bytes($0)) })
        model.showTree(delimiter: ":")
        var expanded: Set<[UInt8]> = []
        #expect(Self.rows(model) == Self.reference(Array(keys), Array(":".utf8), expanded: expanded))
        for folder in ["f3:", "f5:", "f3:g4:", "f6:g10:"] {
            model.toggleFolder(Bytes(folder))
            expanded.insert(Array(folder.utf8))
            #expect(Self.rows(model) == Self.reference(Array(keys), Array(":".utf8), expanded: expanded), "\(folder) opened")
        }
        let all = model.shownRows(from: 0, limit: .max)
        #expect(stride(from: 0, to: all.count, by: 33).flatMap { model.shownRows(from: $0, limit: 33) } == all)
    }

    /// Random keys (empty, delimiters at the ends, doubled, overlapping,
    /// binary) changed at random, some folders open, a filter on and off:
    /// the rows always match the plain model and a fresh load.
    @Test(arguments: [":", "::", "ab", "\u{0}"])
    func randomChangesMatchThePlainModel(delimiter: String) {
        var generator = SeededGenerator(state: 8_011 + UInt64(delimiter.utf8.count))
        let pieces: [[UInt8]] = [Array(delimiter.utf8), Array(delimiter.utf8), [0x61], [0x62], [0x3A], [0], [0xFF], Array("日".utf8)]
        func randomKey() -> [UInt8] {
            (0..<Int.random(in: 0...6, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
        }
        var model = KeyTableModel()
        model.showTree(delimiter: Bytes(delimiter))
        var keys: Set<[UInt8]> = []
        var expanded: Set<[UInt8]> = []
        for step in 0..<3000 {
            let key = randomKey()
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...2:
                model.apply([.removed(Bytes(key), .del, database: 0)])
                keys.remove(key)
            case 3:
                // Open or close a folder shown, if any.
                if let folder = model.tree?.folderRows.randomElement(using: &generator)?.row {
                    model.toggleFolder(folder.name)
                    if expanded.remove(folder.name.array) == nil { expanded.insert(folder.name.array) }
                }
            default:
                model.apply([.updated(info(Bytes(key)), database: 0)])
                keys.insert(key)
            }
            if step == 1500 { model.setFilter(GlobPattern("*a*")) }
            if step == 2500 { model.setFilter(nil) }
            let filtered = step >= 1500 && step < 2500
            // Every step at first, then every few (the plain model sorts everything each time).
            guard step < 300 || step % 9 == 0 || step == 1500 || step == 2500 else { continue }
            let shown = keys.filter { !filtered || GlobPattern("*a*").matches(Bytes($0)) }
            let expected = Self.reference(Array(shown), Array(delimiter.utf8), expanded: expanded)
            #expect(Self.rows(model) == expected, "step \(step)")
            // A screenful at a time, as the table reads them, and each key's row found again.
            let all = model.shownRows(from: 0, limit: .max)
            let pages = stride(from: 0, to: all.count, by: 7).flatMap { model.shownRows(from: $0, limit: 7) }
            #expect(pages == all, "step \(step)")
            #expect(all.indices.allSatisfy { index in all[index].key.map { model.index(of: $0) == index } ?? true }, "step \(step)")
            var counts: [[UInt8]: Int] = [:]
            for key in shown { for folder in Self.folders(of: key, Array(delimiter.utf8)) { counts[folder, default: 0] += 1 } }
            let kept = Dictionary(uniqueKeysWithValues: (model.tree?.counts ?? [:]).map { ($0.key.array, $0.value) })
            let wrong = Set(kept.keys).union(counts.keys).filter { kept[$0] != counts[$0] }.map { "\(Bytes($0).escaped): \(kept[$0] ?? 0) kept, \(counts[$0] ?? 0) shown" }
            #expect(wrong.isEmpty, "step \(step): \(wrong.prefix(3))")
            if Self.rows(model) != expected || !wrong.isEmpty { return }
            if step % 450 == 0 {
                var fresh = KeyTableModel()
                fresh.load(model.rows.values)
                if filtered { fresh.setFilter(GlobPattern("*a*")) }
                fresh.showTree(delimiter: Bytes(delimiter))
                #expect(fresh.tree?.counts == model.tree?.counts, "counts kept key by key match counts made at once")
            }
        }
    }
}
