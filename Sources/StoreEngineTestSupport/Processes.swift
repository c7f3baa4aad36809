import Foundation

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var output: [UInt8]
    public var error: String
    public var text: String { String(decoding: output, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, feeding `input` on standard input,
/// and waits for it to end.
@discardableResult
public func runProcess(
    _ executable: String, _ arguments: [String], input: [UInt8] = [], directory: String? = nil
) throws -> ProcessResult {
    let child = try ChildProcess(executable, arguments, directory: directory)
    let output = SharedBytes(), errors = SharedBytes()
    child.collect(into: output)
    child.collect(error: true, into: errors)
    let writer = Thread {
        child.write(input)
        child.closeInput()
    }
    writer.start()
    // Nothing the tests run takes this long; a hang fails instead of stalling CI.
    let status = child.wait(killingAfter: .seconds(180))
    output.waitUntilFinished()
    errors.waitUntilFinished()
    return ProcessResult(status: status, output: output.bytes.withLock { $0 }, error: errors.text)
}

/// Finds a program on the PATH.
public func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// A program the tests drive, or a failure that says what to install.
public func tool(_ program: String, from package: String) throws -> String {
    guard let path = which(program) else {
        throw TestFailure("\(program) is needed and is not on the PATH: apt-get install \(package) (.ci/run installs it)")
    }
    return path
}

/// A fresh directory under the system's temporary directory.
public func makeTemporaryDirectory(_ label: String = "redi") throws -> String {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A real redis-server 7.0 on a Unix socket in a temporary directory,
/// for cross-checks. Requires Debian's `redis-server` and `redis-tools`
/// (`.ci/run` installs them).
public final class RedisServer {
    public let directory: String
    public let socket: String
    private var process: ChildProcess?

    /// Starts redis-server with its RDB file at `directory/dbfilename`, on
    /// a Unix socket and, if given, on TCP `port`, with `settings` after
    /// the others (`--cluster-enabled yes`...).
    public init(directory: String, dbfilename: String = "dump.rdb", port: Int = 0, settings: [String] = []) throws {
        guard let server = which("redis-server") else {
            throw TestFailure("redis-server is not installed (apt-get install redis-server redis-tools)")
        }
        self.directory = directory
        socket = "\(directory)/redis.sock"
        process = try ChildProcess(server, [
            "--port", "\(port)", "--unixsocket", socket, "--dir", directory, "--dbfilename", dbfilename,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "yes",
            "--logfile", "\(directory)/redis.log",
        ] + settings, quiet: true)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? cli("PING").text) == "PONG\n" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        let log = (try? String(contentsOfFile: "\(directory)/redis.log", encoding: .utf8)) ?? ""
        throw TestFailure("redis-server did not start: \(log)")
    }

    /// Runs redis-cli against the server with raw output.
    @discardableResult
    public func cli(_ arguments: String...) throws -> ProcessResult {
        try cli(arguments)
    }

    @discardableResult
    public func cli(_ arguments: [String], input: [UInt8] = []) throws -> ProcessResult {
        guard let cli = which("redis-cli") else { throw TestFailure("redis-cli is not installed") }
        return try runProcess(cli, ["-s", socket, "--raw"] + arguments, input: input)
    }

    /// Kills the server.
    public func stop() {
        guard let process else { return }
        kill(process.pid, SIGKILL)
        process.wait()
    }

    deinit {
        if process?.isRunning == true { stop() }
    }
}

/// A Redis Cluster of `count` masters (no replicas) on free ports, made
/// with `redis-cli --cluster create`, each node with `settings`; ready
/// once every node says `cluster_state:ok`.
public final class RedisCluster {
    public let nodes: [RedisServer]
    public let ports: [Int]

    public init(directory: String, count: Int = 3, settings: [String] = []) throws {
        ports = try (0..<count).map { _ in try freePort() }
        var nodes: [RedisServer] = []
        for (index, port) in ports.enumerated() {
            let folder = "\(directory)/node\(index)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // The bus port too: port + 10000, Redis's default, may be taken or past 65535.
            let bus = try freePort()
            nodes.append(try RedisServer(directory: folder, port: port, settings: [
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", "\(bus)",
            ] + settings))
        }
        self.nodes = nodes
        let cli = try tool("redis-cli", from: "redis-tools")
        let create = try runProcess(cli, ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + ["--cluster-replicas", "0", "--cluster-yes"])
        guard create.status == 0 else { throw TestFailure("redis-cli --cluster create failed: \(create.text)") }
        let start = Date()
        while try !nodes.allSatisfy({ try $0.cli("CLUSTER", "INFO").text.contains("cluster_state:ok") }) {
            guard Date().timeIntervalSince(start) < 20 else { throw TestFailure("the cluster did not come up") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// redis-cli in cluster mode (`-c`, following redirections), raw output.
    @discardableResult
    public func cli(_ arguments: String...) throws -> ProcessResult {
        let cli = try tool("redis-cli", from: "redis-tools")
        return try runProcess(cli, ["-c", "-p", "\(ports[0])", "--raw"] + arguments)
    }
}

/// A failure in test set-up, with its reason.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
