import Benchmark
import DequeModule
import Foundation
import RediTUI
import StoreEngine
import Synchronization

/// The terminal UI's frames without the terminal: what its loop does between
/// two reads of the keyboard (take the store's changes, apply them to the
/// view model, render the screen into a cell buffer), timed frame by frame
/// while a writer changes keys. Run from Benchmarks/:
/// `swift package --allow-writing-to-package-directory benchmark --target InterfaceBenchmarks`.
let benchmarks: @Sendable () -> Void = {
    let views: [(name: String, view: View)] = [
        ("sort by key", View(order: .key)), ("sort by ttl", View(order: .ttl)),
        // The figure: half the keys volatile, the timeline and the dashboard open.
        ("500k volatile, timeline and dashboard", View(order: .key, volatile: 500_000, timeline: true, dashboard: true)),
        ("500k volatile, timeline beside the table by ttl", View(order: .ttl, volatile: 500_000, timeline: true)),
    ]
    for (name, view) in views {
        Benchmark(
            "UI frames, 1M keys, writer at 50k keys/s, \(name)",
            configuration: .init(
                metrics: [
                    .custom("frame p50 (us)", polarity: .prefersSmaller, useScalingFactor: false),
                    .custom("frame p99 (us)", polarity: .prefersSmaller, useScalingFactor: false),
                    .custom("frame max (us)", polarity: .prefersSmaller, useScalingFactor: false),
                    .custom("keys changed per second", polarity: .prefersLarger, useScalingFactor: false),
                    .custom("most commands queued", polarity: .prefersSmaller, useScalingFactor: false),
                ],
                scalingFactor: .one, maxDuration: .seconds(60), maxIterations: 3)
        ) { benchmark in
            let figures = await framesUnderWriter(keys: 1_000_000, writesPerSecond: 50_000, view: view, seconds: 5)
            benchmark.measurement(.custom("frame p50 (us)"), figures.p50)
            benchmark.measurement(.custom("frame p99 (us)"), figures.p99)
            benchmark.measurement(.custom("frame max (us)"), figures.max)
            benchmark.measurement(.custom("keys changed per second"), figures.changesPerSecond)
            benchmark.measurement(.custom("most commands queued"), figures.mostQueued)
        }
    }
    Benchmark(
        "Expiry timeline, 1M keys expiring within one second",
        configuration: .init(
            metrics: [
                .custom("UI caught up after the last deadline (ms)", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("timeline counts exact (1 = yes)", polarity: .prefersLarger, useScalingFactor: false),
                .custom("frame p99 (us)", polarity: .prefersSmaller, useScalingFactor: false),
            ],
            scalingFactor: .one, maxDuration: .seconds(60), maxIterations: 3)
    ) { benchmark in
        let figures = await timelineAfterMassExpiry(keys: 1_000_000)
        benchmark.measurement(.custom("UI caught up after the last deadline (ms)"), figures.caughtUp)
        benchmark.measurement(.custom("timeline counts exact (1 = yes)"), figures.exact ? 1 : 0)
        benchmark.measurement(.custom("frame p99 (us)"), figures.p99)
    }
}

/// What the UI shows while frames are timed.
struct View {
    var order: RediTUI.SortOrder
    /// Keys given a TTL (every other one, spread from a second to a day).
    var volatile = 0
    var timeline = false
    var dashboard = false
}

struct FrameFigures {
    var p50 = 0, p99 = 0, max = 0, changesPerSecond = 0, mostQueued = 0
}

/// Runs a `StoreHost` holding `keys` keys, a writer SETting random keys
/// (one in four with a TTL) at `writesPerSecond` on the engine's thread, and
/// the UI loop's frame work here, as `TerminalApp` does it: wait 50 ms for a
/// key (none come) unless changes are still queued, apply queued changes for
/// at most a frame's budget, render. Also counts how far the table lags.
func framesUnderWriter(keys: Int, writesPerSecond: Int, view: View, seconds: Int) async -> FrameFigures {
    let host = StoreHost(engine: Engine())
    _ = await host.execute(["DEBUG", "POPULATE", Bytes(String(keys))])
    await host.withEngine { engine in
        for index in 0..<view.volatile {
            let key = index * 2 % keys
            engine.execute(["PEXPIRE", Bytes("key:\(key)"), Bytes(String(1000 + key * 7919 % 86_400_000))])
        }
    }
    let inbox = Inbox()
    let changed = Atomic<Int>(0)
    let token = await host.watchKeys { batch in
        changed.add(batch.count, ordering: .relaxed)
        inbox.post(.changes(batch))
    }
    await host.start()
    var state = AppState(status: StoreStatus(snapshotPath: nil))
    state.table.load(await host.withEngine { $0.allKeyInfos(in: 0) })
    state.table.setSortOrder(view.order)
    state.showTimeline = view.timeline
    state.showDashboard = view.dashboard
    // The dashboard's sample, once a second, as TerminalApp asks for it.
    let sampler = Task {
        while !Task.isCancelled {
            inbox.post(.vitals(await host.vitals()))
            try? await Task.sleep(for: .seconds(1))
        }
    }

    let stop = Atomic<Bool>(false)
    let writer = Task {
        let clock = ContinuousClock()
        let batch = writesPerSecond / 100
        var next = clock.now
        var generator = SystemRandomNumberGenerator()
        while !stop.load(ordering: .relaxed) {
            let commands: [[Bytes]] = (0..<batch).map { index in
                let key = Bytes("key:\(Int.random(in: 0..<keys, using: &generator))")
                return index % 4 == 0 ? ["SET", key, "changed", "PX", "60000"] : ["SET", key, "changed"]
            }
            await host.withEngine { engine in for command in commands { engine.execute(command) } }
            next += .milliseconds(10)
            try? await clock.sleep(until: next)
        }
    }

    let clock = SystemClock()
    var frames: [Duration] = []
    var queue = Deque<Message>()
    var mostQueued = 0
    changed.store(0, ordering: .relaxed)
    let started = ContinuousClock.now
    while ContinuousClock.now - started < .seconds(seconds) {
        // The UI waits for a key only when nothing is left to apply.
        if queue.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        let frameStart = ContinuousClock.now
        inbox.take(into: &queue)
        mostQueued = max(mostQueued, queue.count)
        _ = state.receive(&queue, budget: TerminalApp.frameBudget, now: clock.now)
        state.fit(width: 120, height: 35)
        blackHole(Screen.render(state, now: clock.now(), width: 120, height: 35))
        frames.append(ContinuousClock.now - frameStart)
    }
    let elapsed = ContinuousClock.now - started
    stop.store(true, ordering: .relaxed)
    sampler.cancel()
    await writer.value
    await host.unsubscribe(token)
    _ = await host.shutdown()

    frames.sort()
    func microseconds(_ duration: Duration) -> Int { Int(duration / .microseconds(1)) }
    return FrameFigures(
        p50: microseconds(frames[frames.count / 2]),
        p99: microseconds(frames[min(frames.count - 1, frames.count * 99 / 100)]),
        max: microseconds(frames.last ?? .zero),
        changesPerSecond: Int(Double(changed.load(ordering: .relaxed)) / (elapsed / .seconds(1))),
        mostQueued: mostQueued)
}

struct ExpiryFigures {
    var caughtUp = 0, exact = false, p99 = 0
}

/// `keys` keys whose deadlines all fall within one second, a second from
/// now, with the timeline open beside the table: frames as the UI draws
/// them until every key has left the table, then whether the timeline's
/// counts are all zero, as counting the table's deadlines says.
func timelineAfterMassExpiry(keys: Int) async -> ExpiryFigures {
    let host = StoreHost(engine: Engine())
    _ = await host.execute(["DEBUG", "POPULATE", Bytes(String(keys))])
    let clock = SystemClock()
    let firstDeadline = clock.now() + 2000
    await host.withEngine { engine in
        for index in 0..<keys {
            engine.execute(["PEXPIREAT", Bytes("key:\(index)"), Bytes(String(firstDeadline + Int64(index % 1000)))])
        }
    }
    let inbox = Inbox()
    let token = await host.watchKeys { inbox.post(.changes($0)) }
    await host.start()
    var state = AppState(status: StoreStatus(snapshotPath: nil))
    state.table.load(await host.withEngine { $0.allKeyInfos(in: 0) })
    state.showTimeline = true
    let before = state.table.expiring(now: clock.now())
    var frames: [Duration] = []
    var queue = Deque<Message>()
    let lastDeadline = firstDeadline + 999
    var caughtUp: Int64?
    while clock.now() < lastDeadline + 30_000 {
        if queue.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        let frameStart = ContinuousClock.now
        inbox.take(into: &queue)
        _ = state.receive(&queue, budget: TerminalApp.frameBudget, now: clock.now)
        state.fit(width: 120, height: 35)
        blackHole(Screen.render(state, now: clock.now(), width: 120, height: 35))
        frames.append(ContinuousClock.now - frameStart)
        if state.table.totalCount == 0, queue.isEmpty, clock.now() > lastDeadline {
            caughtUp = clock.now() - lastDeadline
            break
        }
    }
    let after = state.table.expiring(now: clock.now())
    await host.unsubscribe(token)
    _ = await host.shutdown()
    frames.sort()
    return ExpiryFigures(
        caughtUp: Int(caughtUp ?? -1),
        exact: before == [keys, 0, 0, 0, 0, 0] && after == [0, 0, 0, 0, 0, 0] && caughtUp != nil,
        p99: Int(frames[min(frames.count - 1, frames.count * 99 / 100)] / .microseconds(1)))
}
