#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the engine reads the time. Tests inject a manual clock.
public protocol EngineClock: Sendable {
    /// Unix time in milliseconds.
    func now() -> Int64
    /// Blocks the engine for `milliseconds` (DEBUG SLEEP).
    func sleep(milliseconds: Int64)
}

/// The wall clock.
public struct SystemClock: EngineClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    public func sleep(milliseconds: Int64) {
        guard milliseconds > 0 else { return }
        var spec = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&spec, &remaining) == -1 && errno == EINTR { spec = remaining }
    }
}

/// Microseconds on the monotonic clock, as Redis's `getMonotonicUs`: what a
/// command's duration is measured with (commandstats), read twice per
/// command, so read directly rather than through `ContinuousClock`.
@inline(__always)
func monotonicMicroseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
}
