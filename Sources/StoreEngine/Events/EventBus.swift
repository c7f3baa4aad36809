/// A handle for ending a subscription.
public struct SubscriptionToken: Hashable, Sendable {
    let id: Int

    /// A token of a source's own numbering (a remote source's watches).
    public init(id: Int) {
        self.id = id
    }
}

/// The engine's observer list.
///
/// Events of one command (or one expiry cycle) are collected and delivered
/// together, in order, once the command is done: one call per subscriber
/// per batch. A subscriber sees only the kinds it asked for; a batch with
/// none of them costs it nothing.
final class EventBus {
    typealias Handler = ([EngineEvent]) -> Void

    private struct Subscriber {
        let token: SubscriptionToken
        let interest: EventInterest
        let handler: Handler
    }

    private var subscribers: [Subscriber] = []
    private var nextID = 0
    private var wanted: EventInterest = []
    private var pending: [EngineEvent] = []
    private var pendingKinds: EventInterest = []

    /// Whether anyone wants per-key events; checked before building one.
    private(set) var wantsKeyEvents = false
    /// Events built since the bus was made: what tests read to tell that
    /// events nobody wants cost nothing.
    private(set) var built = 0
    /// The database key events are in: the selected one.
    var database = 0

    func subscribe(_ interest: EventInterest, _ handler: @escaping Handler) -> SubscriptionToken {
        nextID += 1
        let token = SubscriptionToken(id: nextID)
        subscribers.append(Subscriber(token: token, interest: interest, handler: handler))
        updateWanted()
        return token
    }

    func unsubscribe(_ token: SubscriptionToken) {
        subscribers.removeAll { $0.token == token }
        updateWanted()
    }

    private func updateWanted() {
        wanted = subscribers.reduce(into: []) { $0.formUnion($1.interest) }
        wantsKeyEvents = wanted.contains(.keys)
    }

    /// Queues a key event if anyone wants key events.
    @inline(__always)
    func key(_ name: KeyEvent, _ key: Bytes) {
        guard wantsKeyEvents else { return }
        built += 1
        pending.append(.key(name, key, database: database))
        pendingKinds.insert(.keys)
    }

    /// Queues a `keymiss` if anyone wants key misses.
    @inline(__always)
    func keyMiss(_ key: Bytes) {
        guard wanted.contains(.keyMisses) else { return }
        built += 1
        pending.append(.key(.keymiss, key, database: database))
        pendingKinds.insert(.keyMisses)
    }

    /// Queues an event if anyone wants its kind.
    func emit(_ event: EngineEvent) {
        let kind = event.interest
        guard wanted.contains(kind) else { return }
        built += 1
        pending.append(event)
        pendingKinds.insert(kind)
    }

    /// Hands the queued events to their subscribers.
    func deliver() {
        guard !pending.isEmpty else { return }
        let batch = pending
        let kinds = pendingKinds
        pending = []
        pendingKinds = []
        for subscriber in subscribers {
            let shared = kinds.intersection(subscriber.interest)
            if shared.isEmpty { continue }
            if shared == kinds {
                subscriber.handler(batch)
            } else {
                subscriber.handler(batch.filter { shared.contains($0.interest) })
            }
        }
    }
}
