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

/// A failure in test set-up, with its reason.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
