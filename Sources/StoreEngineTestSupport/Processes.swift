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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let errorData = ErrorCollector(stderr.fileHandleForReading)
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, output: Array(output), error: errorData.text())
}

/// Reads a pipe to its end on a thread of its own.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
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
    private let process = Process()

    /// Starts redis-server with its RDB file at `directory/dbfilename`.
    public init(directory: String, dbfilename: String = "dump.rdb") throws {
        guard let server = which("redis-server") else {
            throw TestFailure("redis-server is not installed (apt-get install redis-server redis-tools)")
        }
        self.directory = directory
        socket = "\(directory)/redis.sock"
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = [
            "--port", "0", "--unixsocket", socket, "--dir", directory, "--dbfilename", dbfilename,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "yes",
            "--logfile", "\(directory)/redis.log",
        ]
        try process.run()
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

    /// Kills the server (SIGKILL: a test runner's threads may block SIGTERM,
    /// and a child inherits that mask).
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { stop() }
    }
}

/// A failure in test set-up, with its reason.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
