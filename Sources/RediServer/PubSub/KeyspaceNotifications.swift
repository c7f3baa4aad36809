import StoreEngine

/// Redis's keyspace notifications (`notify.c`): the store's key events
/// published on `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>`,
/// as `notify-keyspace-events` selects them by class letters.
struct NotificationClasses: OptionSet, Sendable {
    let rawValue: Int

    init(rawValue: Int) {
        self.rawValue = rawValue
    }

    static let keyspace = NotificationClasses(rawValue: 1 << 0)   // K
    static let keyevent = NotificationClasses(rawValue: 1 << 1)   // E
    static let generic = NotificationClasses(rawValue: 1 << 2)    // g
    static let string = NotificationClasses(rawValue: 1 << 3)     // $
    static let list = NotificationClasses(rawValue: 1 << 4)       // l
    static let set = NotificationClasses(rawValue: 1 << 5)        // s
    static let hash = NotificationClasses(rawValue: 1 << 6)       // h
    static let zset = NotificationClasses(rawValue: 1 << 7)       // z
    static let expired = NotificationClasses(rawValue: 1 << 8)    // x
    static let evicted = NotificationClasses(rawValue: 1 << 9)    // e
    static let stream = NotificationClasses(rawValue: 1 << 10)    // t
    static let keyMiss = NotificationClasses(rawValue: 1 << 11)   // m
    static let module = NotificationClasses(rawValue: 1 << 12)    // d
    static let new = NotificationClasses(rawValue: 1 << 13)       // n
    /// A: every class but key misses and new keys.
    static let all: NotificationClasses = [.generic, .string, .list, .set, .hash, .zset, .expired, .evicted, .stream, .module]

    private static let letters: [(Character, NotificationClasses)] = [
        ("g", .generic), ("$", .string), ("l", .list), ("s", .set), ("h", .hash), ("z", .zset), ("x", .expired),
        ("e", .evicted), ("t", .stream), ("d", .module), ("n", .new),
    ]

    /// Parses Redis's letters; `nil` for an unknown one.
    init?(letters text: String) {
        var classes: NotificationClasses = []
        for letter in text {
            switch letter {
            case "A": classes.formUnion(.all)
            case "K": classes.insert(.keyspace)
            case "E": classes.insert(.keyevent)
            case "m": classes.insert(.keyMiss)
            default:
                guard let entry = Self.letters.first(where: { $0.0 == letter }) else { return nil }
                classes.insert(entry.1)
            }
        }
        self = classes
    }

    /// Redis's canonical letters (`keyspaceEventsFlagsToString`).
    var letters: String {
        // As in Redis, A stands alone: `n` beside it is not shown.
        var text = isSuperset(of: .all) ? "A" : String(Self.letters.filter { contains($0.1) }.map(\.0))
        if contains(.keyspace) { text += "K" }
        if contains(.keyevent) { text += "E" }
        if contains(.keyMiss) { text += "m" }
        return text
    }

    /// Whether any notification can be published at all.
    var publishesAnything: Bool {
        !intersection([.keyspace, .keyevent]).isEmpty && !subtracting([.keyspace, .keyevent]).isEmpty
    }

    /// The class of each event the store emits, as Redis's callers name it.
    static func of(_ event: KeyEvent) -> NotificationClasses {
        switch event {
        case .del, .expire, .persist, .restore, .renameFrom, .renameTo, .moveFrom, .moveTo, .copyTo: return .generic
        case .set, .incrby, .incrbyfloat, .append, .setrange, .setbit: return .string
        case .lpush, .rpush, .lpop, .rpop, .linsert, .lset, .lrem, .ltrim: return .list
        case .hset, .hdel, .hincrby, .hincrbyfloat: return .hash
        case .sadd, .srem, .spop, .sinterstore, .sunionstore, .sdiffstore: return .set
        case .zadd, .zincr, .zrem, .zpopmin, .zpopmax, .zremrangebyrank, .zremrangebyscore, .zremrangebylex,
             .zunionstore, .zinterstore, .zdiffstore, .zrangestore: return .zset
        case .expired: return .expired
        case .new: return .new
        case .keymiss: return .keyMiss
        }
    }
}

extension PubSub {
    /// Publishes the notifications `classes` asks for, for a batch of the store's events.
    func notify(_ events: [EngineEvent], classes: NotificationClasses) {
        for case .key(let event, let key, let database) in events where classes.contains(NotificationClasses.of(event)) {
            let name = Bytes(event.rawValue)
            if classes.contains(.keyspace) {
                publish(name, to: Bytes("__keyspace@\(database)__:") + key)
            }
            if classes.contains(.keyevent) {
                publish(key, to: Bytes("__keyevent@\(database)__:\(event.rawValue)"))
            }
        }
    }
}
