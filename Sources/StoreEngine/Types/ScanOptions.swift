/// The cursor and options of SCAN, HSCAN, SSCAN and ZSCAN: `cursor [MATCH
/// pattern] [COUNT count]` (and SCAN's `[TYPE type]`), read as Redis's
/// `scanGenericCommand` reads them.
struct ScanOptions {
    let cursor: UInt64
    var count: Int64 = 10
    var pattern: GlobPattern?
    /// SCAN's TYPE, lower-cased: keys of that type only.
    var type: Bytes?

    /// Reads the cursor and options (after the key, for a collection's
    /// scan); TYPE only where `allowsType` (SCAN).
    init(_ words: ArraySlice<Bytes>, allowsType: Bool = false) throws(CommandError) {
        guard let first = words.first, let cursor = Engine.parseCursor(first) else { throw CommandError("ERR invalid cursor") }
        self.cursor = cursor
        var index = words.startIndex + 1
        while index < words.endIndex {
            guard words.endIndex - index >= 2 else { throw .syntax }
            if words[index].equalsIgnoringCase("COUNT") {
                guard let parsed = words[index + 1].int64Value else { throw .notInteger }
                if parsed < 1 { throw .syntax }
                count = parsed
            } else if words[index].equalsIgnoringCase("MATCH") {
                let glob = GlobPattern(words[index + 1])
                pattern = glob.matchesAll ? nil : glob
            } else if allowsType && words[index].equalsIgnoringCase("TYPE") {
                type = words[index + 1].asciiLowercased()
            } else {
                throw .syntax
            }
            index += 2
        }
    }

    func matches(_ element: Bytes) -> Bool {
        pattern?.matches(element) ?? true
    }

    /// Visits a table's slots from the cursor until about `count` were seen
    /// (at most ten times as many buckets), as Redis's `dictScan` loop.
    /// - Returns: the next cursor, 0 at the end.
    func scan<Entry>(_ table: OpenTable<Entry>, _ visit: (Entry) -> Void) -> UInt64 {
        var next = cursor
        var visited: Int64 = 0
        let (product, overflow) = count.multipliedReportingOverflow(by: 10)
        var iterations = overflow ? Int64.max : product
        repeat {
            next = table.scan(cursor: next) { slot in
                visited += 1
                visit(table[slot: slot])
            }
            iterations -= 1
        } while next != 0 && iterations > 0 && visited < count
        return next
    }
}
