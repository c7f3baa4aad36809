import DequeModule

/// A list's nodes, in order: the one node of a small list held inline, more
/// in a deque. Most lists of an application are small; they pay for no
/// deque (Redis's quicklist pays a node header for them in the same way).
struct ListNodes: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case none
        case one(Listpack)
        case many(Deque<Listpack>)
    }

    private var storage = Storage.none

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch storage {
        case .none: return 0
        case .one: return 1
        case .many(let nodes): return nodes.count
        }
    }

    /// A node, changed in place: the storage lets go of it first, so that
    /// its bytes are not copied.
    subscript(index: Int) -> Listpack {
        get {
            switch storage {
            case .one(let node): return node
            case .many(let nodes): return nodes[index]
            case .none: preconditionFailure("no node \(index)")
            }
        }
        _modify {
            switch storage {
            case .one(var node):
                storage = .none
                defer { storage = .one(node) }
                yield &node
            case .many(var nodes):
                storage = .none
                defer { storage = .many(nodes) }
                yield &nodes[index]
            case .none:
                preconditionFailure("no node \(index)")
            }
        }
    }

    mutating func insert(_ node: Listpack, at index: Int) {
        switch storage {
        case .none:
            storage = .one(node)
        case .one(let existing):
            storage = .many(index == 0 ? [node, existing] : [existing, node])
        case .many(var nodes):
            storage = .none
            nodes.insert(node, at: index)
            storage = .many(nodes)
        }
    }

    mutating func append(_ node: Listpack) {
        insert(node, at: endIndex)
    }

    mutating func remove(at index: Int) {
        switch storage {
        case .one:
            storage = .none
        case .many(var nodes):
            storage = .none
            nodes.remove(at: index)
            storage = nodes.count == 1 ? .one(nodes[0]) : .many(nodes)
        case .none:
            preconditionFailure("no node \(index)")
        }
    }
}
