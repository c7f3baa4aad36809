/// Redis's list, as its `quicklist`: listpack nodes in order (`ListNodes`:
/// a small list's one node inline, more in a deque), each filled
/// up to the limit `list-max-listpack-size` set when the list was made (a
/// negative limit is bytes: -1 is 4 KB ... -5 is 64 KB; a positive one is
/// elements, within 8 KB). A push touches one end node; an index walks the
/// nodes' counts from the nearer end, then one node.
///
/// A value type: a copy shares the nodes until either side changes.
public struct ListValue: Sendable {
    private(set) var nodes = ListNodes()
    public private(set) var count = 0
    /// The bytes of the nodes, kept as they change: the key table reads it
    /// on every change, so it costs O(1).
    public private(set) var byteCount = 0
    /// The node limit, as Redis's `quicklist->fill`.
    let fill: Int

    /// An empty list whose nodes take `list-max-listpack-size`, clamped as Redis's `quicklistSetFill`.
    init(fill: Int) {
        self.fill = min(max(fill, -5), (1 << 15) - 1)
    }

    /// A list made of nodes as a file holds them (empty ones dropped).
    init(fill: Int, nodes: some Sequence<Listpack>) {
        self.init(fill: fill)
        for node in nodes where !node.isEmpty {
            self.nodes.append(node)
            count += node.count
            byteCount += node.byteCount
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// OBJECT ENCODING's name for it (Redis 7.0 keeps every list so).
    public var encodingName: String { "quicklist" }

    // MARK: Node limits (`_quicklistNodeAllowInsert`)

    private static let sizeLimits = [4096, 8192, 16384, 32768, 65536]
    private static let safetyLimit = 8192

    /// Whether a node of `bytes` bytes and `elements` elements is within the limit.
    private func fits(bytes: Int, elements: Int) -> Bool {
        if fill < 0 { return bytes <= Self.sizeLimits[-fill - 1] }
        return bytes <= Self.safetyLimit && elements <= fill
    }

    private func accepts(_ node: Listpack, _ element: Bytes) -> Bool {
        fits(bytes: node.byteCount + element.count + 8, elements: node.count + 1)
    }

    /// Whether node `index` takes `element` (the copy of the node ends with
    /// the call, before the node changes).
    private func node(_ index: Int, accepts element: Bytes) -> Bool {
        accepts(nodes[index], element)
    }

    // MARK: Ends

    /// LPUSH (front) and RPUSH.
    mutating func push(_ element: Bytes, atFront: Bool) {
        count += 1
        if atFront {
            if !nodes.isEmpty && node(0, accepts: element) {
                changeNode(0) { $0.insert(element, at: Listpack.headerSize) }
            } else {
                insertNode(Listpack([element]), at: 0)
            }
        } else {
            let last = nodes.count - 1
            if last >= 0 && node(last, accepts: element) {
                changeNode(last) { $0.insert(element, at: $0.endOffset) }
            } else {
                insertNode(Listpack([element]), at: nodes.count)
            }
        }
    }

    /// LPOP (front) and RPOP: the element taken, `nil` from an empty list.
    mutating func pop(atFront: Bool) -> Bytes? {
        guard !nodes.isEmpty else { return nil }
        let index = atFront ? 0 : nodes.count - 1
        let offset = atFront ? nodes[index].firstOffset : nodes[index].offset(before: nodes[index].endOffset)
        let element = nodes[index].element(at: offset)
        removeEntry(node: index, at: offset)
        return element
    }

    /// The first or last element.
    func peek(atFront: Bool) -> Bytes? {
        guard let node = atFront ? nodes.first : nodes.last else { return nil }
        return node.element(at: atFront ? node.firstOffset : node.offset(before: node.endOffset))
    }

    // MARK: Positions

    /// An element's place: its node and its offset there.
    struct Position: Equatable {
        var node: Int
        var offset: Int
    }

    /// The place of the element at `index` (negative: from the end), or
    /// `nil` outside the list. Walks node counts from the nearer end.
    func position(of index: Int) -> Position? {
        let index = index < 0 ? count + index : index
        guard index >= 0 && index < count else { return nil }
        if index < count / 2 {
            var skipped = 0
            for node in nodes.indices {
                if index < skipped + nodes[node].count { return Position(node: node, offset: nodes[node].offset(ofIndex: index - skipped)) }
                skipped += nodes[node].count
            }
        } else {
            var after = count
            for node in nodes.indices.reversed() {
                after -= nodes[node].count
                if index >= after { return Position(node: node, offset: nodes[node].offset(ofIndex: index - after)) }
            }
        }
        return nil
    }

    func element(at position: Position) -> Bytes {
        nodes[position.node].element(at: position.offset)
    }

    /// LINDEX.
    func element(at index: Int) -> Bytes? {
        position(of: index).map(element(at:))
    }

    /// Calls `body` with each element's position from `index` on, towards
    /// the end (or towards the front with `reverse`), while it returns true.
    func walk(from index: Int, reverse: Bool = false, _ body: (Position) throws -> Bool) rethrows {
        guard var position = position(of: index) else { return }
        while true {
            guard try body(position) else { return }
            let node = nodes[position.node]
            if reverse {
                if position.offset != node.firstOffset {
                    position.offset = node.offset(before: position.offset)
                } else if position.node > 0 {
                    position.node -= 1
                    position.offset = nodes[position.node].offset(before: nodes[position.node].endOffset)
                } else {
                    return
                }
            } else {
                let next = node.offset(after: position.offset)
                if next != node.endOffset {
                    position.offset = next
                } else if position.node + 1 < nodes.count {
                    position.node += 1
                    position.offset = nodes[position.node].firstOffset
                } else {
                    return
                }
            }
        }
    }

    /// Whether the element at `position` is `element`, compared in place.
    func element(at position: Position, equals element: Bytes) -> Bool {
        nodes[position.node].element(at: position.offset, equals: element)
    }

    /// The elements from `start` through `end` (clamped indexes), in order
    /// or reversed.
    func elements(from start: Int, through end: Int, reverse: Bool = false) -> [Bytes] {
        guard start <= end, start < count else { return [] }
        var elements: [Bytes] = []
        elements.reserveCapacity(end - start + 1)
        if !reverse {
            forEach(from: start, through: end) { elements.append($0) }
            return elements
        }
        walk(from: end, reverse: true) { position in
            elements.append(element(at: position))
            return elements.count < end - start + 1
        }
        return elements
    }

    /// Calls `body` with the elements from index `start` through `end`, in
    /// order (LRANGE): node by node, each read where it lies, with no
    /// copy of a node per element as `walk`'s positions take.
    func forEach(from start: Int, through end: Int, _ body: (Bytes) -> Void) {
        guard start <= end, let first = position(of: start) else { return }
        var left = end - start + 1
        var node = first.node
        var offset = first.offset
        while left > 0 && node < nodes.count {
            left -= nodes[node].forEachElement(from: offset, limit: left, body)
            node += 1
            if node < nodes.count { offset = nodes[node].firstOffset }
        }
    }

    /// Every element, in order.
    var elements: [Bytes] { elements(from: 0, through: count - 1) }

    /// Calls `body` with each element in order while it returns true.
    func forEachWhile(_ body: (Bytes) -> Bool) {
        walk(from: 0) { body(element(at: $0)) }
    }

    // MARK: Changing in the middle

    /// LSET: the element at `position` becomes `element` (its node may
    /// grow past the limit, as in Redis 7.0).
    mutating func replace(at position: Position, with element: Bytes) {
        changeNode(position.node) { $0.replace(at: position.offset, with: element) }
    }

    /// LINSERT: `element` goes before or after the one at `position`; a full
    /// node passes it to a neighbour with room, or is split there.
    mutating func insert(_ element: Bytes, at position: Position, after: Bool) {
        count += 1
        let offset = after ? nodes[position.node].offset(after: position.offset) : position.offset
        if node(position.node, accepts: element) {
            changeNode(position.node) { $0.insert(element, at: offset) }
            return
        }
        let node = nodes[position.node]
        if offset == node.endOffset, position.node + 1 < nodes.count, self.node(position.node + 1, accepts: element) {
            changeNode(position.node + 1) { $0.insert(element, at: Listpack.headerSize) }
        } else if offset == node.firstOffset, position.node > 0, self.node(position.node - 1, accepts: element) {
            let end = nodes[position.node - 1].endOffset
            changeNode(position.node - 1) { $0.insert(element, at: end) }
        } else if offset == node.endOffset {
            insertNode(Listpack([element]), at: position.node + 1)
        } else if offset == node.firstOffset {
            insertNode(Listpack([element]), at: position.node)
        } else {
            // Split: the entries before the place, the new element, the rest.
            var before = 0
            var walked = node.firstOffset
            while walked != offset { walked = node.offset(after: walked); before += 1 }
            var left = Listpack(entries: node.firstOffset..<offset, of: node, count: before)
            var right = Listpack(entries: offset..<node.endOffset, of: node, count: node.count - before)
            var split = [left, right]
            if accepts(left, element) {
                left.insert(element, at: left.endOffset)
                split[0] = left
            } else if accepts(right, element) {
                right.insert(element, at: right.firstOffset)
                split[1] = right
            } else {
                split.insert(Listpack([element]), at: 1)
            }
            removeNode(at: position.node)
            for (index, part) in split.enumerated() { insertNode(part, at: position.node + index) }
        }
    }

    /// Removes the element at `offset` of node `node`, and the node once empty.
    private mutating func removeEntry(node: Int, at offset: Int) {
        let end = nodes[node].offset(after: offset)
        removeEntries(node: node, offset..<end, elements: 1)
    }

    private mutating func removeEntries(node: Int, _ range: Range<Int>, elements: Int) {
        count -= elements
        if nodes[node].count == elements {
            removeNode(at: node)
        } else {
            changeNode(node) { $0.remove(range, elements: elements) }
        }
    }

    /// A list of one node of at most 4 KB (the many small lists of an
    /// application) gives back the room its node grew into; a longer one's
    /// end nodes keep it, so that pushes do not copy them each time.
    mutating func trim() {
        guard nodes.count == 1, nodes[0].byteCount <= 4096 else { return }
        nodes[0].trim()
    }

    /// Changes one node, keeping `byteCount`.
    private mutating func changeNode(_ index: Int, _ change: (inout Listpack) -> Void) {
        byteCount -= nodes[index].byteCount
        change(&nodes[index])
        byteCount += nodes[index].byteCount
    }

    private mutating func insertNode(_ node: Listpack, at index: Int) {
        byteCount += node.byteCount
        nodes.insert(node, at: index)
    }

    private mutating func removeNode(at index: Int) {
        byteCount -= nodes[index].byteCount
        nodes.remove(at: index)
    }

    /// LREM: removes up to `limit` elements equal to `element` (0: all),
    /// from the front, or from the back with `fromBack`.
    /// - Returns: how many it removed.
    mutating func remove(_ element: Bytes, limit: Int, fromBack: Bool) -> Int {
        var removed = 0
        var node = fromBack ? nodes.count - 1 : 0
        while node >= 0 && node < nodes.count && (limit == 0 || removed < limit) {
            // This node's matches in walking order, then removed from the
            // highest offset down so that the others stay where they are.
            var matches: [Int] = []
            let list = nodes[node]
            var offset = list.firstOffset
            while offset != list.endOffset {
                if list.element(at: offset, equals: element) { matches.append(offset) }
                offset = list.offset(after: offset)
            }
            if fromBack { matches.reverse() }
            if limit != 0 { matches = Array(matches.prefix(limit - removed)) }
            let nodesBefore = nodes.count
            for offset in matches.sorted(by: >) { removeEntry(node: node, at: offset) }
            removed += matches.count
            if !fromBack && nodes.count == nodesBefore { node += 1 }
            if fromBack { node -= 1 }
        }
        return removed
    }

    /// Removes `length` elements from index `start` on (LTRIM, LPOP with a count).
    mutating func removeRange(from start: Int, count length: Int) {
        guard length > 0, start >= 0, start < count else { return }
        var left = min(length, count - start)
        // The node holding `start`, found from the nearer end (an RPOP walks no node).
        var (node, skipped) = (0, 0)
        if start < count / 2 {
            while skipped + nodes[node].count <= start {
                skipped += nodes[node].count
                node += 1
            }
        } else {
            (node, skipped) = (nodes.count - 1, count - nodes[nodes.count - 1].count)
            while skipped > start {
                node -= 1
                skipped -= nodes[node].count
            }
        }
        var first = start - skipped
        while left > 0 && node < nodes.count {
            let list = nodes[node]
            let taken = min(left, list.count - first)
            if first == 0 && taken == list.count {
                count -= taken
                removeNode(at: node)
            } else {
                let from = list.offset(ofIndex: first)
                var to = from
                for _ in 0..<taken { to = list.offset(after: to) }
                removeEntries(node: node, from..<to, elements: taken)
                node += 1
            }
            left -= taken
            first = 0
        }
    }
}
