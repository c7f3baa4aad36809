import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// redi's line mode: read a command per line, run it, print the reply raw.
/// In a terminal each command is prompted with `>> ` (`[1]>> ` once SELECT
/// chose database 1, as redis-cli shows it); from a pipe or file only the
/// replies are printed. Each reply is flushed as soon as it is known.
struct LineSession {
    let host: StoreHost
    let interactive: Bool

    /// The prompt in `database`.
    static func prompt(_ database: Int) -> String {
        database == 0 ? ">> " : "[\(database)]>> "
    }

    /// Runs until EXIT, QUIT or end of input.
    func run() async {
        let input = StandardInputReader()
        var database = 0
        while true {
            if interactive { writeOut(Array(LineSession.prompt(database).utf8)) }
            guard let line = await input.next() else {
                if interactive { writeOut([10]) }
                return
            }
            guard let command = InlineCommand.split(line) else {
                print(Reply.error("ERR Protocol error: unbalanced quotes in request"))
                continue
            }
            if command.isEmpty { continue }
            if CommandTable.leavesFrontEnd(command) { return }
            print(await host.execute(command, database: &database))
        }
    }

    private func print(_ reply: Reply) {
        var output: [UInt8] = []
        for line in reply.rawLines {
            line.withUnsafeBytes { output.append(contentsOf: $0) }
            output.append(10)
        }
        writeOut(output)
    }

    private func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = FileDescriptor.writeAll(STDOUT_FILENO, $0) }
    }
}
