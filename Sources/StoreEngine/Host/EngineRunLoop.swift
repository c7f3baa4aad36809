/// Where a `StoreHost` runs: a serial executor that also keeps one timer.
/// `StoreHost(engine:)` gives the engine a thread of its own
/// (`EngineThread`); a network server passes its event loop instead, so that
/// connections and commands share one thread as in Redis.
///
/// The host calls the timer methods only while it runs on the loop.
public protocol EngineRunLoop: SerialExecutor {
    /// What to call, on the loop, when the timer is due.
    func setTimerHandler(_ handler: @escaping @Sendable () -> Void)
    /// Sets the timer, replacing any earlier setting; `nil` clears it.
    func setTimer(_ instant: ContinuousClock.Instant?)
    /// Brings the timer forward to `instant` if it is not set or set later;
    /// called after every command, so it must be cheap when nothing moves.
    func setTimer(noLaterThan instant: ContinuousClock.Instant)
    /// The host is gone: clear the timer and let the loop end.
    func stop()
}
