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
            print("round \(round): frame p50 \(figures.p50) us, p99 \(figures.p99) us, max \(figures.max) us, "
                + "rows changed \(figures.changesPerSecond)/s, keys written \(figures.writesPerSecond)/s, load \(figures.loadMilliseconds) ms")
            all.append(figures)
        }
        func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
        print("median: frame p50 \(median(all.map(\.p50))) us, p99 \(median(all.map(\.p99))) us, max \(median(all.map(\.max))) us, "
            + "rows changed \(median(all.map(\.changesPerSecond)))/s, keys written \(median(all.map(\.writesPerSecond)))/s")
    }
}

struct Figures {
    var p50 = 0, p99 = 0, max = 0, changesPerSecond = 0, writesPerSecond = 0, loadMilliseconds = 0
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
    var state = AppState(status: StoreStatus(snapshotPath: nil))
    state.table.load(loaded.withLock { $0 })
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

    let clock = SystemClock()
    var frames: [Duration] = []
    var queue = Deque<Message>()
    changed.store(0, ordering: .relaxed)
    written.store(0, ordering: .relaxed)
    let started = ContinuousClock.now
    while ContinuousClock.now - started < .seconds(seconds) {
        if queue.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        let frameStart = ContinuousClock.now
        inbox.take(into: &queue)
        _ = state.receive(&queue, budget: TerminalApp.frameBudget, now: clock.now)
        state.clampSelection(visibleRows: Screen.tableRows(height: 35))
        withExtendedLifetime(Screen.render(state, now: clock.now(), width: 120, height: 35)) {}
        frames.append(ContinuousClock.now - frameStart)
    }
    let elapsed = (ContinuousClock.now - started) / .seconds(1)
    stop.store(true, ordering: .relaxed)
    await source.unsubscribe(token)
    await source.close()

    frames.sort()
    func microseconds(_ duration: Duration) -> Int { Int(duration / .microseconds(1)) }
    return Figures(
        p50: microseconds(frames[frames.count / 2]),
        p99: microseconds(frames[min(frames.count - 1, frames.count * 99 / 100)]),
        max: microseconds(frames.last ?? .zero),
        changesPerSecond: Int(Double(changed.load(ordering: .relaxed)) / elapsed),
        writesPerSecond: Int(Double(written.load(ordering: .relaxed)) / elapsed),
        loadMilliseconds: Int(loadTime / .milliseconds(1)))
}
