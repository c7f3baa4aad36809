import StoreEngine

/// The key table as a tree: keys grouped into folders by a delimiter
/// (`user:1:name` is in `user:`, then `user:1:`), each folder with the
/// number of shown keys under it, and its folders, kept key by key as rows
/// are shown and hidden. A folder's keys are one run of the key order, and
/// so are the keys between two folders: the rows are laid out as folders
/// and runs of keys, O(folders shown), however many keys a folder opened
/// holds; a screenful of rows is read from the runs when drawn.
public struct KeyTree {
    typealias Order = ChunkedSortedArray<KeyTableModel.KeyPosition>

    /// What separates a key's parts; never empty.
    public let delimiter: Bytes
    /// Shown keys under each folder, at any depth, by the folder's prefix
    /// (its delimiter included).
    public private(set) var counts: [Bytes: Int] = [:]
    /// The folders opened.
    public private(set) var expanded: Set<Bytes> = []
    /// Each folder's folders, and the outermost ones under the empty prefix.
    private var children: [Bytes: Order] = [:]
    /// The rows as last laid out: folders, and runs of keys of the key order.
    private var entries: [Entry] = []
    /// The row each entry starts at.
    private var firstRows: [Int] = []
    /// Rows laid out.
    public private(set) var rowCount = 0

    private enum Entry {
        case folder(TreeRow)
        /// `count` keys from `first` in the key order, `depth` folders deep,
        /// their folder's prefix `start` bytes long.
        case run(first: Int, count: Int, depth: Int, start: Int)

        var rows: Int {
            if case .run(_, let count, _, _) = self { return count }
            return 1
        }
    }

    public init(delimiter: Bytes) {
        precondition(!delimiter.isEmpty, "a delimiter has at least one byte")
        self.delimiter = delimiter
    }

    mutating func add(_ key: Bytes) {
        var parent = Bytes()
        forEachFolder(of: key) { folder in
            if counts[folder] == nil { children[parent, default: Order()].insert(KeyTableModel.KeyPosition(key: folder)) }
            counts[folder, default: 0] += 1
            parent = folder
        }
    }

    mutating func remove(_ key: Bytes) {
        var parent = Bytes()
        forEachFolder(of: key) { folder in
            if let count = counts[folder], count > 1 {
                counts[folder] = count - 1
            } else {
                counts[folder] = nil
                children[parent]?.remove(KeyTableModel.KeyPosition(key: folder))
                if children[parent]?.isEmpty == true { children[parent] = nil }
            }
            parent = folder
        }
    }

    mutating func removeAll() {
        counts = [:]
        children = [:]
    }

    /// Opens a closed folder, closes an open one.
    mutating func toggle(_ folder: Bytes) {
        if expanded.remove(folder) == nil { expanded.insert(folder) }
    }

    /// Closes `folder` and every folder in it.
    mutating func collapse(_ folder: Bytes) {
        expanded = expanded.filter { !$0.hasPrefix(folder) }
    }

    /// Folders go this deep at most: below, the rest of a key is its name.
    /// (A key of thousands of delimiters would otherwise be thousands of
    /// folders, each a copy of its prefix: quadratic in the key's length.)
    public static let maximumDepth = 16

    /// The folders `key` is in, outermost first: its prefixes that end with
    /// the delimiter and are shorter than the key, `maximumDepth` at most.
    func forEachFolder(of key: Bytes, _ body: (Bytes) -> Void) {
        var start = 0
        for _ in 0..<Self.maximumDepth {
            guard let end = folderEnd(of: key, from: start) else { return }
            body(key.slice(0, end))
            start = end
        }
    }

    /// The end of the first folder of `key` that goes past `start`, if any:
    /// just after the first delimiter from `start`, short of the key's end.
    func folderEnd(of key: Bytes, from start: Int) -> Int? {
        key.withUnsafeBytes { bytes in
            delimiter.withUnsafeBytes { delimiter in
                let last = bytes.count - delimiter.count
                guard start <= last else { return nil }
                for index in start...last where bytes[index] == delimiter[0] {
                    if delimiter.count == 1 || bytes[index..<(index + delimiter.count)].elementsEqual(delimiter) {
                        let end = index + delimiter.count
                        return end < bytes.count ? end : nil
                    }
                }
                return nil
            }
        }
    }

    /// Lays out the rows for the keys `order` holds (the shown keys in key
    /// order, whose folders `counts` counts): a folder's row, then its
    /// contents only if it is open; the keys between folders as runs.
    mutating func layout(_ order: Order) {
        entries = []
        firstRows = []
        rowCount = 0
        var cursor = order.start
        walk(Bytes(), depth: 0, until: order.count, order, &cursor)
    }

    /// Lays out the folder `prefix` (the whole order for the empty one),
    /// whose keys go on until position `end`, from `cursor`.
    private mutating func walk(_ prefix: Bytes, depth: Int, until end: Int, _ order: Order, _ cursor: inout Order.Cursor) {
        if depth < Self.maximumDepth, let folders = children[prefix] {
            for position in folders.elements(from: 0, limit: folders.count) {
                let folder = position.key
                guard let count = counts[folder], count > 0 else { continue }
                // The folder's keys start after a key that is the folder's prefix itself (a key of this level).
                let before = cursor.position
                order.seek(&cursor, notBelow: position)
                if order.element(at: cursor)?.key == folder { order.advance(&cursor, by: 1) }
                if cursor.position > before {
                    append(.run(first: before, count: cursor.position - before, depth: depth, start: prefix.count))
                }
                append(.folder(TreeRow(name: folder, start: prefix.count, depth: depth, count: count)))
                let folderEnd = cursor.position + count
                if expanded.contains(folder) {
                    walk(folder, depth: depth + 1, until: folderEnd, order, &cursor)
                } else {
                    order.advance(&cursor, by: count)
                }
            }
        }
        if end > cursor.position {
            append(.run(first: cursor.position, count: end - cursor.position, depth: depth, start: prefix.count))
            order.advance(&cursor, by: end - cursor.position)
        }
    }

    private mutating func append(_ entry: Entry) {
        entries.append(entry)
        firstRows.append(rowCount)
        rowCount += entry.rows
    }

    /// The entry holding row `index`.
    private func entry(holding index: Int) -> Int? {
        guard index >= 0, index < rowCount else { return nil }
        var low = 0, high = entries.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if firstRows[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The rows from `offset`, at most `limit`, the keys read from `order`.
    func rows(from offset: Int, limit: Int, in order: Order) -> [TreeRow] {
        guard limit > 0, var index = entry(holding: offset) else { return [] }
        var rows: [TreeRow] = []
        var skip = offset - firstRows[index]
        while index < entries.count, rows.count < limit {
            switch entries[index] {
            case .folder(let row):
                rows.append(row)
            case .run(let first, let count, let depth, let start):
                let keys = order.elements(from: first + skip, limit: min(count - skip, limit - rows.count))
                rows += keys.map { TreeRow(name: $0.key, start: start, depth: depth, count: nil) }
            }
            skip = 0
            index += 1
        }
        return rows
    }

    /// The folders laid out, with their rows.
    public var folderRows: [(index: Int, row: TreeRow)] {
        entries.indices.compactMap { index in
            if case .folder(let row) = entries[index] { return (firstRows[index], row) }
            return nil
        }
    }

    /// The row of the key at `position` in the key order, if its folders are open.
    func row(ofKeyAt position: Int) -> Int? {
        for (index, entry) in entries.enumerated() {
            if case .run(let first, let count, _, _) = entry, position >= first, position < first + count {
                return firstRows[index] + position - first
            }
        }
        return nil
    }

    /// The row of the folder the row `index` is in, if it is in one.
    func parentRow(of index: Int) -> Int? {
        guard let holding = entry(holding: index) else { return nil }
        let depth: Int
        switch entries[holding] {
        case .folder(let row): depth = row.depth
        case .run(_, _, let runDepth, _): depth = runDepth
        }
        guard depth > 0 else { return nil }
        for earlier in stride(from: holding - 1, through: 0, by: -1) {
            if case .folder(let row) = entries[earlier], row.depth == depth - 1 { return firstRows[earlier] }
        }
        return nil
    }
}

/// One row of the tree: a key, or a folder with the number of keys under it.
public struct TreeRow: Sendable, Equatable {
    /// The key, or the folder's prefix (its delimiter included).
    public var name: Bytes
    /// Where the part shown starts: the length of the parent folder's prefix.
    public var start: Int
    /// Folders around it.
    public var depth: Int
    /// A folder's number of keys; `nil` for a key.
    public var count: Int?

    public var isFolder: Bool { count != nil }

    /// The part of the name below the parent folder, as shown.
    public var shownPart: Bytes { name.slice(start, name.count) }
}

extension Bytes {
    /// The bytes from `start` up to `end`.
    func slice(_ start: Int, _ end: Int) -> Bytes {
        withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }
}
