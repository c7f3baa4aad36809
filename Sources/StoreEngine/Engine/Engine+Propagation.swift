/// A change to the store as it is propagated (to the append-only file, to
/// a replica): the command in its database, made deterministic.
public struct Propagation: Sendable, Equatable {
    public let database: Int
    public let command: [Bytes]

    public init(database: Int, command: [Bytes]) {
        self.database = database
        self.command = command
    }
}

/// Redis's `propagate`/`alsoPropagate`: what a command hands on after it
/// ran. A command that changed the store (`dirty` grew) is propagated as it
/// was typed, unless it rewrote itself to be deterministic (EXPIRE as
/// PEXPIREAT, SET EX as SET PXAT, SPOP as SREM, INCRBYFLOAT as SET); a key
/// removed by expiry is propagated as DEL. One command's propagations reach
/// `propagate` together, in order, after it, a transaction's after EXEC
/// (the consumer wraps several in MULTI/EXEC, as Redis does).
extension Engine {
    /// Appends a command to propagate, in the database in use now.
    func alsoPropagate(_ command: [Bytes]) {
        guard propagates else { return }
        pendingPropagation.append(Propagation(database: selectedDatabase, command: command))
    }

    /// Propagates `command` instead of the one typed (Redis's
    /// `rewriteClientCommandVector`).
    func rewritePropagation(_ command: [Bytes]) {
        propagation = .rewritten(command)
    }

    /// Propagates nothing for the command itself (its effects went through
    /// `alsoPropagate`, as SPOP with a count does).
    func preventPropagation() {
        propagation = .prevented
    }

    /// Propagates the command even though it changed nothing (FLUSHDB of
    /// an empty database, as Redis's `forceCommandPropagation`).
    func forcePropagation() {
        if case .asTyped = propagation { propagation = .forced }
    }

    /// After a command: the command itself (as decided) after what it
    /// queued, to `propagate`.
    func finishPropagation(of command: [Bytes], changed: Bool) {
        // Each command decides afresh, whether anyone listens or not.
        let decided = propagation
        propagation = .asTyped
        guard propagates else { return }
        switch decided {
        case .asTyped where changed, .forced:
            pendingPropagation.append(Propagation(database: selectedDatabase, command: command))
        case .rewritten(let rewritten) where changed:
            pendingPropagation.append(Propagation(database: selectedDatabase, command: rewritten))
        default:
            break
        }
        // A command EXEC or a script runs waits for its end, to go with the others.
        if callDepth == 0 && scriptRun?.suspended != true { flushPropagation() }
    }

    /// Whether anyone takes propagations: the append-only file, or `propagate`.
    var propagates: Bool { appendOnly.file != nil || propagate != nil }

    /// Hands what the outermost command queued to the append-only file and `propagate`.
    func flushPropagation() {
        guard !pendingPropagation.isEmpty else { return }
        let batch = pendingPropagation
        pendingPropagation = []
        feedAppendOnly(batch)
        propagate?(batch)
    }

    /// What a command decided about its own propagation.
    enum CommandPropagation {
        case asTyped, rewritten([Bytes]), prevented, forced
    }
}
