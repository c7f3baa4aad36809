import StoreEngine

extension StoreHost {
    /// Runs `operation` isolated to the host, from the server's code on
    /// `loop`, which is the host's executor (`RediServer.makeHost`). Like
    /// `assumeIsolated` it traps off the loop, but its check compares two
    /// threads, where the runtime's (`swift_task_isCurrentExecutor`) cost a
    /// tenth of the user time of a request.
    nonisolated func onLoop<T: Sendable>(_ loop: SocketLoop, _ operation: (isolated StoreHost) throws -> T) rethrows -> T {
        loop.checkIsolated()
        typealias Isolated = (isolated StoreHost) throws -> T
        typealias Plain = (StoreHost) throws -> T
        // As the standard library's `assumeIsolated`, once the check has passed.
        return try withoutActuallyEscaping(operation) { (operation: @escaping Isolated) throws -> T in
            try unsafeBitCast(operation, to: Plain.self)(self)
        }
    }
}
