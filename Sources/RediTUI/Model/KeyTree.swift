import StoreEngine

/// The key table as a tree: keys grouped into folders by a delimiter
/// (`user:1:name` is in `user:`, then `user:1:`), each folder with the
/// number of shown keys under it, kept key by key as rows are shown and
/// hidden. A folder's keys are one run of the key order, so the rows on
/// screen are laid out by skipping a closed folder's run whole: O(rows
/// shown), not O(keys).
public struct KeyTree {
    /// What separates a key's parts; never empty.
    public let delimiter: Bytes
    /// Shown keys under each folder, at any depth, by the folder's prefix
    /// (its delimiter included).
    public private(set) var counts: [Bytes: Int] = [:]
    /// The folders opened.
    public private(set) var expanded: Set<Bytes> = []
    /// The rows, in key order, as last laid out.
    public private(set) var rows: [TreeRow] = []

    public init(delimiter: Bytes) {
        precondition(!delimiter.isEmpty, "a delimiter has at least one byte")
        self.delimiter = delimiter
    }

    mutating func add(_ key: Bytes) {
        forEachFolder(of: key) { counts[$0, default: 0] += 1 }
    }

    mutating func remove(_ key: Bytes) {
        forEachFolder(of: key) { folder in
            if let count = counts[folder], count > 1 {
                counts[folder] = count - 1
            } else {
                counts[folder] = nil
            }
        }
    }

    mutating func removeAll() {
        counts = [:]
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
    /// contents only if it is open.
    mutating func layout(_ order: ChunkedSortedArray<KeyTableModel.KeyPosition>) {
        var rows: [TreeRow] = []
        var cursor = order.start
        var position = 0
        // The open folders around the cursor, and where each one's run ends.
        var open: [(folder: Bytes, end: Int)] = []
        while let key = order.element(at: cursor)?.key {
            while let last = open.last, position >= last.end { open.removeLast() }
            let depth = open.count
            let start = open.last?.folder.count ?? 0
            guard depth < Self.maximumDepth, let end = folderEnd(of: key, from: start) else {
                rows.append(TreeRow(name: key, start: start, depth: depth, count: nil))
                order.advance(&cursor, by: 1)
                position += 1
                continue
            }
            let folder = key.slice(0, end)
            // Never zero: every key shown is counted in its folders.
            let count = max(counts[folder] ?? 1, 1)
            rows.append(TreeRow(name: folder, start: start, depth: depth, count: count))
            if expanded.contains(folder) {
                open.append((folder, position + count))
            } else {
                order.advance(&cursor, by: count)
                position += count
            }
        }
        self.rows = rows
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
