import Synchronization

/// Stops a background save, as Redis's FLUSHALL kills its save child: the
/// save checks `isCancelled` between writes and renames its file over the
/// snapshot only through `commit`, which a cancel cannot interleave with.
/// Once `cancel` returns, the stopped save never replaces the snapshot, so
/// a save started after it is the last to write the file.
public final class SaveCancellation: Sendable {
    private enum Phase { case running, cancelled, committed }
    private let phase = Mutex(Phase.running)
    private static let issued = Atomic<Int>(0)
    /// Tells this save's temporary file from another's: a stopped save may
    /// still be writing when the next one starts.
    let number: Int

    public init() {
        number = Self.issued.add(1, ordering: .relaxed).newValue
    }

    /// Whether the save was asked to stop.
    public var isCancelled: Bool {
        phase.withLock { $0 == .cancelled }
    }

    /// Stops the save unless it already put its file in place; waits for a
    /// rename under way to end.
    /// - Returns: `false` when the save had already committed its file.
    @discardableResult
    public func cancel() -> Bool {
        phase.withLock { phase in
            if phase == .committed { return false }
            phase = .cancelled
            return true
        }
    }

    /// Runs `body` (the rename) unless the save was cancelled.
    func commit(_ body: () throws(SnapshotError) -> Void) throws(SnapshotError) {
        try phase.withLock { (phase: inout Phase) throws(SnapshotError) -> Void in
            guard phase == .running else { throw .cancelled }
            try body()
            phase = .committed
        }
    }
}
