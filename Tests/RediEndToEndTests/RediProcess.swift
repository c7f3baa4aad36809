import Foundation
import StoreEngineTestSupport
import Synchronization

/// The built `redi` binary, next to the test bundle.
let rediPath: String = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("redi").path
}()

/// A running redi driven through pipes, as a script or another program would.
final class RediProcess {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let received = SharedBytes()
    private let errorText = SharedBytes()

    /// Starts `redi arguments` in `directory`, optionally through `sh -c` with a prefix such as `ulimit -f 8;`.
    init(_ arguments: [String], in directory: String, shellPrefix: String? = nil) throws {
        if let shellPrefix {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let quoted = ([rediPath] + arguments).map { "'\($0)'" }.joined(separator: " ")
            process.arguments = ["-c", "\(shellPrefix) exec \(quoted)"]
        } else {
            process.executableURL = URL(fileURLWithPath: rediPath)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        collect(output.fileHandleForReading, into: received)
        collect(errors.fileHandleForReading, into: errorText)
    }

    private func collect(_ handle: FileHandle, into buffer: SharedBytes) {
        let thread = Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                buffer.bytes.withLock { $0.append(contentsOf: data) }
            }
        }
        thread.start()
    }

    /// Writes one command line.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes standard input: end of input.
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Waits until `count` reply lines have arrived (or `timeout` passes) and returns them.
    func lines(_ count: Int, timeout: Duration = .seconds(10)) -> [String] {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let text = outputText
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if lines.count >= count { return Array(lines.prefix(count)) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return outputText.split(separator: "\n").map(String.init)
    }

    var outputText: String { received.bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    var errorOutput: String { errorText.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Sends a signal to redi.
    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for redi to end (killing it after `timeout`) and returns its exit status.
    @discardableResult
    func wait(timeout: Duration = .seconds(30)) -> Int32 {
        let start = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - start < timeout {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // Let the readers drain the pipes.
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }
}

/// Bytes a reader thread appends and the test reads.
final class SharedBytes: Sendable {
    let bytes = Mutex<[UInt8]>([])
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
