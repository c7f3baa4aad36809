/// A change to one row of a front end's key table, with what the row shows.
public enum KeyChange: Sendable, Equatable {
    /// The key was created or changed (value or deadline).
    case updated(KeyInfo)
    /// The key is gone: `del`, `expired` or `rename_from`.
    case removed(Bytes, KeyEvent)
    /// Every key is gone.
    case flushed

    /// One change per key for a batch of events, in the order keys first
    /// appear, describing each key as it is after the batch.
    static func coalescing(_ events: [EngineEvent], in engine: Engine) -> [KeyChange] {
        var changes: [KeyChange] = []
        var lastEvent: [Bytes: KeyEvent] = [:]
        var order: [Bytes] = []
        for event in events {
            switch event {
            case .key(let name, let key):
                if lastEvent.updateValue(name, forKey: key) == nil { order.append(key) }
            case .flushed:
                // Changes before a flush are moot.
                order.removeAll()
                lastEvent.removeAll()
                changes = [.flushed]
            default:
                break
            }
        }
        for key in order {
            if let info = engine.info(for: key) {
                changes.append(.updated(info))
            } else {
                changes.append(.removed(key, lastEvent[key] ?? .del))
            }
        }
        return changes
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
