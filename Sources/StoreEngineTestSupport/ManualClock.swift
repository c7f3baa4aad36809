import StoreEngine
import Synchronization

/// A clock that moves only when told to, like swift-nio's embedded event
/// loop: tests set "now" and advance it by hand. DEBUG SLEEP advances it.
public final class ManualClock: EngineClock {
    private let milliseconds: Mutex<Int64>

    /// Starts at a fixed, realistic Unix time (2026-01-01T00:00:00Z).
    public init(_ start: Int64 = 1_767_225_600_000) {
        milliseconds = Mutex(start)
    }

    public func now() -> Int64 {
        milliseconds.withLock { $0 }
    }

    public func sleep(milliseconds duration: Int64) {
        advance(by: duration)
    }

    /// Moves time forward.
    public func advance(by duration: Int64) {
        milliseconds.withLock { $0 += duration }
    }
}
