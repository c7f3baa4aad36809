import DequeModule
import Foundation
import RediRemote
import RediTUI
import StoreEngine
import Synchronization

/// `redi connect`'s frames without the terminal: redis-server 7.0 holds
/// 1,000,000 keys while a client SETs random ones at 50,000 a second (one
/// in four with a TTL); the UI loop's frame work (`Inbox`, `AppState.receive`,
/// `Screen.render` at 120x35) runs over a `RemoteKeySource` as in `redi
/// connect`. Needs redis-server on the PATH. Run from Benchmarks/:
/// `swift run -c release RemoteFrames [rounds]`.
@main
enum RemoteFrames {
    static func main() async throws {
        let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 3
        var all: [Figures] = []
        for round in 1...rounds {
            let figures = try await remoteFrames(keys: 1_000_000, writesPerSecond: 50_000, seconds: 5)
            print("round \(round): \(figures.frames) frames: p50 \(figures.p50) us, p99 \(figures.p99) us, max \(figures.max) us; "
                + "their own CPU time p50 \(figures.cpuP50) us, p99 \(figures.cpuP99) us, max \(figures.cpuMax) us; "
                + "rows changed \(figures.changesPerSecond)/s, keys written \(figures.writesPerSecond)/s, load \(figures.loadMilliseconds) ms")
            all.append(figures)
        }
        func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
        print("median: frame p50 \(median(all.map(\.p50))) us, p99 \(median(all.map(\.p99))) us, max \(median(all.map(\.max))) us; "
            + "CPU p50 \(median(all.map(\.cpuP50))) us, p99 \(median(all.map(\.cpuP99))) us, max \(median(all.map(\.cpuMax))) us; "
            + "rows changed \(median(all.map(\.changesPerSecond)))/s, keys written \(median(all.map(\.writesPerSecond)))/s")
    }
}

struct Figures {
    var p50 = 0, p99 = 0, max = 0, cpuP50 = 0, cpuP99 = 0, cpuMax = 0, frames = 0, changesPerSecond = 0, writesPerSecond = 0, loadMilliseconds = 0
}

/// The CPU time the calling thread has used.
func threadCPUTime() -> Duration {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
}

struct SetUpFailure: Error {
    var reason: String
}

/// A blocking RESP connection on a POSIX socket, for the writer's pipelines.
final class Pipe {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(port).bigEndian),
                                  sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { throw SetUpFailure(reason: "cannot connect to 127.0.0.1:\(port)") }
    }

    /// Sends the commands at once and reads as many replies (each one line: +OK).
    func run(_ commands: [[String]]) {
        var request = ""
        for command in commands {
            request += "*\(command.count)\r\n" + command.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
        }
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
        var lines = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while lines < commands.count {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { return }
            lines += buffer[0..<count].count { $0 == 10 }
        }
    }

    deinit { close(socket) }
}

func freePort() -> Int {
    let probe = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(probe) }
    var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

func remoteFrames(keys: Int, writesPerSecond: Int, seconds: Int) async throws -> Figures {
    let port = freePort()
    let directory = NSTemporaryDirectory() + "redi-remote-bench-\(port)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["redis-server", "--port", "\(port)", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
                        "--notify-keyspace-events", "KA", "--dir", directory, "--logfile", "\(directory)/redis.log"]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer {
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }
    var setUp: Pipe?
    for _ in 0..<200 where setUp == nil {
        setUp = try? Pipe(port: port)
        if setUp == nil { try await Task.sleep(for: .milliseconds(20)) }
    }
    guard let setUp else { throw SetUpFailure(reason: "redis-server did not start") }
    setUp.run([["DEBUG", "POPULATE", "\(keys)"]])

    let loadStarted = ContinuousClock.now
    let source = try await RemoteKeySource.connect(RemoteSettings(url: try RedisURL(parsing: "redis://127.0.0.1:\(port)")))
    let inbox = Inbox()
    let changed = Atomic<Int>(0)
    let token = await source.watchKeys { batch in
        changed.add(batch.count, ordering: .relaxed)
        inbox.post(.changes(batch))
    }
    // The whole table first, as the UI has it once the load is done.
    let loaded = Mutex<[KeyInfo]>([])
    await source.describeKeys(in: 0) { infos, _ in loaded.withLock { $0 += infos } }
    while await source.remoteStatus()?.loading == true { try await Task.sleep(for: .milliseconds(50)) }
    let rows = loaded.withLock { $0 }
    let loadTime = ContinuousClock.now - loadStarted
    let stop = Atomic<Bool>(false)
    let written = Atomic<Int>(0)
    let writer = Thread {
        guard let pipe = try? Pipe(port: port) else { return }
        let batch = writesPerSecond / 100
        var next = Date()
        while !stop.load(ordering: .relaxed) {
            let commands: [[String]] = (0..<batch).map { index in
                let key = "key:\(Int.random(in: 0..<keys))"
                return index % 4 == 0 ? ["SET", key, "changed", "PX", "60000"] : ["SET", key, "changed"]
            }
            pipe.run(commands)
            written.add(batch, ordering: .relaxed)
            next += 0.01
            let wait = next.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
    }
    writer.start()

    changed.store(0, ordering: .relaxed)
    written.store(0, ordering: .relaxed)
    let started = ContinuousClock.now
    // On a thread of its own, as `TerminalApp` runs it: each frame's time on
    // the clock, and the CPU time the thread itself spent on it (the
    // difference is time the machine gave to others).
    let (frames, work) = await withCheckedContinuation { (continuation: CheckedContinuation<([Duration], [Duration]), Never>) in
        let thread = Thread {
            let clock = SystemClock()
            var state = AppState(status: StoreStatus(snapshotPath: nil))
            state.table.load(rows)
            var frames: [Duration] = [], work: [Duration] = []
            var queue = Deque<Message>()
            while ContinuousClock.now - started < .seconds(seconds) {
                if queue.isEmpty {
                    // Waits for the next message, as the UI's loop does (with a key press too).
                    var wake = pollfd(fd: inbox.wakeUpDescriptor, events: Int16(POLLIN), revents: 0)
                    _ = poll(&wake, 1, 100)
                }
                inbox.drainWakeUps()
                let frameStart = ContinuousClock.now, cpuStart = threadCPUTime()
                inbox.take(into: &queue)
                _ = state.receive(&queue, budget: TerminalApp.frameBudget, now: clock.now)
                state.fit(width: 120, height: 35)
                withExtendedLifetime(Screen.render(state, now: clock.now(), width: 120, height: 35)) {}
                frames.append(ContinuousClock.now - frameStart)
                work.append(threadCPUTime() - cpuStart)
            }
            continuation.resume(returning: (frames, work))
        }
        thread.start()
    }
    let elapsed = (ContinuousClock.now - started) / .seconds(1)
    stop.store(true, ordering: .relaxed)
    await source.unsubscribe(token)
    await source.close()

    func microseconds(_ duration: Duration) -> Int { Int(duration / .microseconds(1)) }
    func percentiles(_ durations: [Duration]) -> (p50: Int, p99: Int, max: Int) {
        let sorted = durations.sorted()
        return (microseconds(sorted[sorted.count / 2]), microseconds(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]),
                microseconds(sorted.last ?? .zero))
    }
    let wall = percentiles(frames), cpu = percentiles(work)
    return Figures(
        p50: wall.p50, p99: wall.p99, max: wall.max, cpuP50: cpu.p50, cpuP99: cpu.p99, cpuMax: cpu.max, frames: frames.count,
        changesPerSecond: Int(Double(changed.load(ordering: .relaxed)) / elapsed),
        writesPerSecond: Int(Double(written.load(ordering: .relaxed)) / elapsed),
        loadMilliseconds: Int(loadTime / .milliseconds(1)))
}
