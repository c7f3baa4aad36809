/// Why the append-only file could not be loaded or written. The texts name
/// the file, as Redis's log does, and say what to do.
public enum AppendOnlyError: Error, Equatable, CustomStringConvertible {
    /// A line of the manifest Redis's loader would refuse.
    public struct ManifestProblem: Error, Equatable {
        public let line: Int
        public let text: String
        public let reason: String
    }

    case manifest(path: String, ManifestProblem)
    /// The operating system refused an operation.
    case io(path: String, operation: String, message: String)
    /// A file the manifest names is not there.
    case missing(path: String)
    /// Bytes that are not a command, at `offset`.
    case badFormat(path: String, offset: Int)
    /// The file ends inside a command, and cannot be cut there: not the
    /// last file, or `aof-load-truncated` is off.
    case truncated(path: String, offset: Int, lastFile: Bool)
    case unknownCommand(path: String, offset: Int, name: String)
    /// The RDB base or preamble does not load.
    case base(SnapshotError)
    /// The engine was made without a folder for the file (`Engine.configureAppendOnly`).
    case noFolder

    public var description: String {
        let fix = "make a backup of your AOF files, then use redis-check-aof --fix <the manifest>"
        switch self {
        case .manifest(let path, let problem):
            return "AOF manifest '\(path)' line \(problem.line) ('\(problem.text)'): \(problem.reason)"
        case .io(let path, let operation, let message):
            return "cannot \(operation) '\(path)': \(message)"
        case .missing(let path):
            return "the AOF file '\(path)' named in the manifest does not exist"
        case .badFormat(let path, let offset):
            return "bad file format reading the append only file '\(path)' at byte \(offset): \(fix)"
        case .truncated(let path, let offset, let lastFile):
            return lastFile
                ? "unexpected end of file reading the append only file '\(path)' (the last complete command ends at byte \(offset)): \(fix), or set aof-load-truncated yes"
                : "the append only file '\(path)' ends inside a command at byte \(offset) and is not the last file: \(fix)"
        case .unknownCommand(let path, let offset, let name):
            return "unknown command '\(name)' reading the append only file '\(path)' at byte \(offset)"
        case .base(let error):
            return error.description
        case .noFolder:
            return "this store has no folder for the append-only file"
        }
    }
}
