import Foundation
import StoreEngineTestSupport

/// The built `redi` binary, next to the test bundle.
let rediPath: String = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("redi").path
}()

/// A running redi driven through pipes, as a script or another program would.
final class RediProcess {
    let child: ChildProcess
    private let received = SharedBytes()
    private let errorText = SharedBytes()

    /// Starts `redi arguments` in `directory`, optionally through `sh -c` with a prefix such as `ulimit -f 8;`.
    init(_ arguments: [String], in directory: String, shellPrefix: String? = nil) throws {
        if let shellPrefix {
            let quoted = ([rediPath] + arguments).map { "'\($0)'" }.joined(separator: " ")
            child = try ChildProcess("/bin/sh", ["-c", "\(shellPrefix) exec \(quoted)"], directory: directory)
        } else {
            child = try ChildProcess(rediPath, arguments, directory: directory)
        }
        child.collect(into: received)
        child.collect(error: true, into: errorText)
    }

    var pid: pid_t { child.pid }

    /// Writes one command line.
    func send(_ line: String) {
        child.write(Array((line + "\n").utf8))
    }

    /// Closes standard input: end of input.
    func closeInput() {
        child.closeInput()
    }

    /// Waits until `count` reply lines have arrived (or `timeout` passes) and returns them.
    func lines(_ count: Int, timeout: Duration = .seconds(10)) -> [String] {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let lines = outputText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if lines.count >= count { return Array(lines.prefix(count)) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return outputText.split(separator: "\n").map(String.init)
    }

    var outputText: String { received.text }
    var errorOutput: String { errorText.text }

    /// Sends a signal to redi.
    func signal(_ number: Int32) {
        kill(child.pid, number)
    }

    /// Waits for redi to end (killing it after `timeout`) and returns its exit status.
    @discardableResult
    func wait(timeout: Duration = .seconds(30)) -> Int32 {
        let start = ContinuousClock.now
        while child.isRunning && ContinuousClock.now - start < timeout {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if child.isRunning { kill(child.pid, SIGKILL) }
        let status = child.wait()
        received.waitUntilFinished(timeout: .seconds(5))
        errorText.waitUntilFinished(timeout: .seconds(5))
        return status
    }
}

/// Runs redi to completion with `input` on standard input.
func runRedi(_ arguments: [String], input: String, in directory: String) throws -> ProcessResult {
    try runProcess(rediPath, arguments, input: Array(input.utf8), directory: directory)
}

/// Waits until a file exists; `false` after `timeout`.
func waitForFile(_ path: String, timeout: Duration = .seconds(10)) -> Bool {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if FileManager.default.fileExists(atPath: path) { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return false
}
