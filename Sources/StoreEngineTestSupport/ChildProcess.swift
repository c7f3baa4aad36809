import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process.waitUntilExit` can miss a child's exit on Linux
/// and wait forever (seen here with short-lived tmux clients), so the tests'
/// processes are started and waited for directly.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The write end of the child's standard input; -1 once closed (or quiet).
    private let input: Mutex<Int32>
    private let output: Int32
    private let errors: Int32
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`, in `directory`; standard input,
    /// output and error are pipes unless `quiet`, where they are /dev/null.
    public init(_ executable: String, _ arguments: [String], directory: String? = nil, quiet: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipes: [[Int32]] = []
        if quiet {
            for descriptor: Int32 in 0...2 {
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        } else {
            for descriptor: Int32 in 0...2 {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw TestFailure("pipe failed") }
                pipes.append(ends)
                posix_spawn_file_actions_adddup2(&actions, descriptor == 0 ? ends[0] : ends[1], descriptor)
                posix_spawn_file_actions_addclose(&actions, ends[0])
                posix_spawn_file_actions_addclose(&actions, ends[1])
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signals blocked, whatever the test runner's thread has blocked.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        // A directory is entered by a shell that then becomes the program.
        let (program, words) = directory.map {
            ("/bin/sh", ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] + arguments)
        } ?? (executable, [executable] + arguments)
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, environ)
        for ends in pipes.enumerated() { close(ends.offset == 0 ? ends.element[0] : ends.element[1]) }
        guard result == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
        input = Mutex(quiet ? -1 : pipes[0][1])
        output = quiet ? -1 : pipes[1][0]
        errors = quiet ? -1 : pipes[2][0]
    }

    deinit {
        closeInput()
        for descriptor in [output, errors] where descriptor >= 0 { close(descriptor) }
    }

    /// Reads standard output (or error) to its end, on a thread of its own.
    public func collect(error: Bool = false, into buffer: SharedBytes) {
        let descriptor = error ? errors : output
        guard descriptor >= 0 else { return }
        let thread = Thread {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                buffer.bytes.withLock { $0 += chunk[0..<count] }
            }
            buffer.finished.withLock { $0 = true }
        }
        thread.start()
    }

    /// Writes to standard input.
    public func write(_ bytes: [UInt8]) {
        let input = self.input.withLock { $0 }
        guard input >= 0 else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(input, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    /// Closes standard input: end of input for the child.
    public func closeInput() {
        // Exactly once: a second close could hit a descriptor reused since.
        let descriptor = input.withLock { value in defer { value = -1 }; return value }
        if descriptor >= 0 { close(descriptor) }
    }

    /// Whether the child is still running (reaps it if it ended).
    public var isRunning: Bool {
        status.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = ChildProcess.exitStatus(raw) }
            return status == nil
        }
    }

    /// Waits for the child to end, killing it after `limit`: a child that
    /// hangs fails its test (status 137) instead of stalling the whole run.
    @discardableResult
    public func wait(killingAfter limit: Duration) -> Int32 {
        let start = ContinuousClock.now
        while isRunning && ContinuousClock.now - start < limit { Thread.sleep(forTimeInterval: 0.005) }
        if isRunning { kill(pid, SIGKILL) }
        return wait()
    }

    /// Waits for the child to end; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func wait() -> Int32 {
        if let known = status.withLock({ $0 }) { return known }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        let result = ChildProcess.exitStatus(raw)
        status.withLock { $0 = result }
        return result
    }

    private static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }
}

/// Bytes a reader thread appends and a test reads.
public final class SharedBytes: Sendable {
    public let bytes = Mutex<[UInt8]>([])
    let finished = Mutex(false)
    public init() {}

    /// Waits (up to `timeout`) until the writer closed its end.
    public func waitUntilFinished(timeout: Duration = .seconds(60)) {
        let start = ContinuousClock.now
        while !finished.withLock({ $0 }) && ContinuousClock.now - start < timeout { usleep(1000) }
    }

    public var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
