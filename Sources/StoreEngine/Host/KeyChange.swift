/// A change to one row of a front end's key table, with what the row shows.
public enum KeyChange: Sendable, Equatable {
    /// The key was created or changed (value or deadline).
    case updated(KeyInfo, database: Int)
    /// The key is gone: `del`, `expired`, `rename_from` or `move_from`.
    case removed(Bytes, KeyEvent, database: Int)
    /// Every key of the database is gone.
    case flushed(database: Int)
    /// SWAPDB exchanged the keys of two databases: reload either one shown.
    case swapped(Int, Int)
    /// The source lost track of the database (a remote server came back
    /// after a disconnection): load it again if shown.
    case reloaded(database: Int)

    /// One change per key for a batch of events, in the order keys first
    /// appear, describing each key as it is after the batch.
    static func coalescing(_ events: [EngineEvent], in engine: Engine) -> [KeyChange] {
        struct Place: Hashable {
            var key: Bytes
            var database: Int
        }
        var changes: [KeyChange] = []
        var lastEvent: [Place: KeyEvent] = [:]
        var order: [Place] = []
        func settle() {
            for place in order {
                if let info = engine.info(for: place.key, in: place.database) {
                    changes.append(.updated(info, database: place.database))
                } else {
                    changes.append(.removed(place.key, lastEvent[place] ?? .del, database: place.database))
                }
            }
            order.removeAll()
            lastEvent.removeAll()
        }
        for event in events {
            switch event {
            case .key(let name, let key, let database) where name != .keymiss:
                let place = Place(key: key, database: database)
                if lastEvent.updateValue(name, forKey: place) == nil { order.append(place) }
            case .flushed(let database, _):
                // Changes to that database before the flush are moot.
                order.removeAll { $0.database == database }
                changes.removeAll { $0.database == database }
                changes.append(.flushed(database: database))
            case .swapped(let first, let second):
                settle()
                changes.append(.swapped(first, second))
            default:
                break
            }
        }
        settle()
        return changes
    }

    /// The database the change is in; `nil` for a swap of two.
    public var database: Int? {
        switch self {
        case .updated(_, let database), .removed(_, _, let database), .flushed(let database), .reloaded(let database): return database
        case .swapped: return nil
        }
    }
}

extension StoreHost {
    /// Calls `handler` after each command or expiry tick that changed keys,
    /// with one `KeyChange` per changed key: the feed a live key table needs,
    /// built on the engine's thread, so the table never re-reads the keyspace.
    public func watchKeys(_ handler: @escaping @Sendable ([KeyChange]) -> Void) -> SubscriptionToken {
        withEngine { engine in
            engine.subscribe([.keys, .flushes]) { [unowned engine] events in
                handler(KeyChange.coalescing(events, in: engine))
            }
        }
    }
}
