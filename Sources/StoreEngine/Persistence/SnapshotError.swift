/// Why a snapshot could not be read or written. The texts name the file.
public enum SnapshotError: Error, Equatable, CustomStringConvertible {
    /// The operating system refused an operation.
    case io(path: String, operation: String, message: String)
    /// The file is not a valid RDB file: truncated, damaged, or not RDB at all.
    case corrupt(path: String, offset: Int, reason: String)
    /// The file is valid RDB but holds something redi does not store.
    case unsupported(path: String, reason: String)
    /// A background save was stopped (by FLUSHALL) before it replaced the file.
    case cancelled

    public var description: String {
        switch self {
        case .io(let path, let operation, let message):
            return "cannot \(operation) '\(path)': \(message)"
        case .corrupt(let path, let offset, let reason):
            return "snapshot '\(path)' is corrupt at byte \(offset): \(reason)"
        case .unsupported(let path, let reason):
            return "snapshot '\(path)' cannot be loaded: \(reason)"
        case .cancelled:
            return "the background save was stopped"
        }
    }
}
