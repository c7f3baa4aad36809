import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// redi's line mode: read a command per line, run it, print the reply raw.
/// In a terminal each command is prompted with `>> ` (`[1]>> ` once SELECT
/// chose database 1, `(TX)>> ` while MULTI queues, as redis-cli shows
/// them); from a pipe or file only the
/// replies are printed. Each reply is flushed as soon as it is known. When
/// standard output is closed (`redi | head -1`), the session ends as at
/// end of input: nobody is left to read the replies. The store is the
/// local one, or a remote server (`redi connect --no-tui`).
struct LineSession {
    let source: any KeySource
    /// The session its commands run in.
    let session: SessionID
    let interactive: Bool

    /// Runs until EXIT, QUIT, end of input or a closed standard output.
    func run() async {
        let input = StandardInputReader()
        var state = SessionState()
        while true {
            if interactive, !writeOut(Array(state.prompt.utf8)) { return }
            guard let line = await input.next() else {
                if interactive { writeOut([10]) }
                return
            }
            guard let command = InlineCommand.split(line) else {
                if !print(Reply.error("ERR Protocol error: unbalanced quotes in request")) { return }
                continue
            }
            if command.isEmpty { continue }
            if CommandTable.leavesFrontEnd(command) { return }
            if !print(await source.execute(command, session: session)) { return }
            state = await source.state(of: session)
        }
    }

    /// - Returns: `false` when standard output is closed.
    private func print(_ reply: Reply) -> Bool {
        var output: [UInt8] = []
        for line in reply.rawLines {
            line.withUnsafeBytes { output.append(contentsOf: $0) }
            output.append(10)
        }
        return writeOut(output)
    }

    /// - Returns: `false` when the write failed for good (EPIPE: the reader is gone).
    @discardableResult
    private func writeOut(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { FileDescriptor.writeAll(STDOUT_FILENO, $0) }
    }
}
