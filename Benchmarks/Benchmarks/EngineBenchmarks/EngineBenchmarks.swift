import Benchmark
import StoreEngine

#if canImport(Glibc)
import Glibc
#endif

/// In-process figures for the synchronous engine (no pipes, no actor hops).
/// Run from Benchmarks/: `swift package --allow-writing-to-package-directory benchmark`.
let benchmarks: @Sendable () -> Void = {
    let million = 1_000_000

    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .peakMemoryResident],
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 50
    )

    Benchmark("GET on 1M keys") { benchmark in
        let engine = populated(million)
        let keys = randomKeys(count: benchmark.scaledIterations.count, from: million)
        benchmark.startMeasurement()
        for key in keys { blackHole(engine.execute(["GET", key])) }
        benchmark.stopMeasurement()
    }

    Benchmark("SET on 1M keys") { benchmark in
        let engine = populated(million)
        let keys = randomKeys(count: benchmark.scaledIterations.count, from: million)
        benchmark.startMeasurement()
        for key in keys { blackHole(engine.execute(["SET", key, "updated"])) }
        benchmark.stopMeasurement()
    }

    let once = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident], scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 5)

    for observer in ["no observer", "snapshot observer", "key observer"] {
        Benchmark("DEBUG POPULATE 1M, \(observer)", configuration: once) { benchmark in
            let engine = Engine()
            switch observer {
            case "snapshot observer": _ = engine.subscribe(.snapshots) { blackHole($0) }
            case "key observer": _ = engine.subscribe(.keys) { blackHole($0.count) }
            default: break
            }
            benchmark.startMeasurement()
            blackHole(engine.execute(["DEBUG", "POPULATE", Bytes(String(million))]))
            benchmark.stopMeasurement()
        }
    }

    Benchmark("First write after a BGSAVE copy, 1M keys", configuration: once) { benchmark in
        let engine = populated(million)
        // What BGSAVE hands to its writer: a copy sharing the table until the next write.
        let image = engine.databasesImage
        benchmark.startMeasurement()
        blackHole(engine.execute(["SET", "key:1", "changed"]))
        benchmark.stopMeasurement()
        blackHole(image.count)
    }

    Benchmark(
        "Active expiry, 1M keys due within 1 s",
        configuration: .init(
            metrics: [
                .custom("longest tick (us)", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("all gone after last deadline (ms)", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("latest removal after its deadline (ms)", polarity: .prefersSmaller, useScalingFactor: false),
            ],
            scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 3)
    ) { benchmark in
        let figures = activeExpiryRun(keys: million)
        benchmark.measurement(.custom("longest tick (us)"), figures.longestTickMicroseconds)
        benchmark.measurement(.custom("all gone after last deadline (ms)"), figures.drainedAfterMilliseconds)
        benchmark.measurement(.custom("latest removal after its deadline (ms)"), figures.maxLatenessMilliseconds)
    }
}

/// An engine holding `count` keys as DEBUG POPULATE names them.
func populated(_ count: Int) -> Engine {
    let engine = Engine()
    engine.execute(["DEBUG", "POPULATE", Bytes(String(count))])
    return engine
}

func randomKeys(count: Int, from range: Int) -> [Bytes] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in Bytes("key:\(Int.random(in: 0..<range, using: &generator))") }
}

struct ExpiryFigures {
    var longestTickMicroseconds = 0
    var drainedAfterMilliseconds = 0
    var maxLatenessMilliseconds = 0
}

/// Drives active expiry as `StoreHost` does, on the wall clock: `keys` keys
/// with deadlines spread evenly over the next second; wake at the earliest
/// deadline, remove at most `StoreHost.expiryBatch` keys, repeat at once while
/// more are due. Records the longest tick, how long after the last deadline
/// the keyspace is empty, and the latest any key left after its deadline.
func activeExpiryRun(keys: Int) -> ExpiryFigures {
    let engine = Engine()
    let clock = SystemClock()
    // Setting a million keys takes about a second: the first deadline comes after.
    let start = clock.now() + 3000
    func deadline(_ index: Int) -> Int64 { start + Int64(index * 1000 / keys) }
    for index in 0..<keys {
        engine.execute(["SET", Bytes("v:\(index)"), "v", "PXAT", Bytes(String(deadline(index)))])
    }
    var figures = ExpiryFigures()
    var lateness: Int64 = 0
    _ = engine.subscribe(.keys) { events in
        // A batch leaves at one moment, in deadline order: its first key waited longest.
        guard case .key(.expired, let key, _)? = events.first, let index = Int(key.description.dropFirst(2)) else { return }
        lateness = max(lateness, clock.now() - deadline(index))
    }
    let lastDeadline = start + 999
    while engine.keyCount > 0 {
        if let next = engine.nextDeadline, next + 1 > clock.now() {
            clock.sleep(milliseconds: next + 1 - clock.now())
        }
        let tickStart = ContinuousClock.now
        engine.expireDueKeys(limit: StoreHost.expiryBatch)
        let tick = ContinuousClock.now - tickStart
        figures.longestTickMicroseconds = max(figures.longestTickMicroseconds, Int(tick / .microseconds(1)))
    }
    figures.drainedAfterMilliseconds = Int(max(clock.now() - lastDeadline, 0))
    figures.maxLatenessMilliseconds = Int(lateness)
    return figures
}
