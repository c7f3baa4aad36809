import Dispatch

/// Frees large storage off the engine's thread, as Redis's lazyfree does:
/// destroying a table of millions of entries takes milliseconds the engine
/// should spend serving commands.
enum LazyFree {
    /// Tables of fewer entries than this are freed where they are dropped.
    static let threshold = 65_536

    private static let queue = DispatchQueue(label: "redi.lazyfree", qos: .utility)

    /// Takes the last reference to `entries` and drops it on a background queue.
    static func release<Entry: TableEntry>(_ entries: consuming [Entry]) {
        guard entries.count >= threshold else { return }
        let box = entries
        queue.async { withExtendedLifetime(box) {} }
    }
}
