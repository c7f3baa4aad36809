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
    for order in [RediTUI.SortOrder.key, .ttl] {
        Benchmark(
            "UI frames, 1M keys, writer at 50k keys/s, sort by \(order.rawValue)",
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
            let figures = await framesUnderWriter(keys: 1_000_000, writesPerSecond: 50_000, order: order, seconds: 5)
            benchmark.measurement(.custom("frame p50 (us)"), figures.p50)
            benchmark.measurement(.custom("frame p99 (us)"), figures.p99)
            benchmark.measurement(.custom("frame max (us)"), figures.max)
            benchmark.measurement(.custom("keys changed per second"), figures.changesPerSecond)
            benchmark.measurement(.custom("most commands queued"), figures.mostQueued)
        }
    }
}

struct FrameFigures {
    var p50 = 0, p99 = 0, max = 0, changesPerSecond = 0, mostQueued = 0
}

/// Runs a `StoreHost` holding `keys` keys, a writer SETting random keys
/// (one in four with a TTL) at `writesPerSecond` on the engine's thread, and
/// the UI loop's frame work here, as `TerminalApp` does it: wait 50 ms for a
/// key (none come) unless changes are still queued, apply queued changes for
/// at most a frame's budget, render. Also counts how far the table lags.
func framesUnderWriter(keys: Int, writesPerSecond: Int, order: RediTUI.SortOrder, seconds: Int) async -> FrameFigures {
    let host = StoreHost(engine: Engine())
    _ = await host.execute(["DEBUG", "POPULATE", Bytes(String(keys))])
    let inbox = Inbox()
    let changed = Atomic<Int>(0)
    let token = await host.watchKeys { batch in
        changed.add(batch.count, ordering: .relaxed)
        inbox.post(.changes(batch))
    }
    await host.start()
    var state = AppState(status: StoreStatus(snapshotPath: nil))
    state.table.load(await host.withEngine { $0.allKeyInfos(in: 0) })
    state.table.setSortOrder(order)

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
        state.clampSelection(visibleRows: Screen.tableRows(height: 35))
        blackHole(Screen.render(state, now: clock.now(), width: 120, height: 35))
        frames.append(ContinuousClock.now - frameStart)
    }
    let elapsed = ContinuousClock.now - started
    stop.store(true, ordering: .relaxed)
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
