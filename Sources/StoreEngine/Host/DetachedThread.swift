#if canImport(Glibc)
import CShims
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread of its own for work that must not wait on Swift's shared pool
/// (the engine's loop, a background save, a blocking read): what
/// Foundation's `Thread` gave, without loading Foundation, which cost every
/// start of redi milliseconds.
public enum DetachedThread {
    /// Runs `body` on a new detached thread named `name` (as `top -H` and
    /// debuggers show it: the first 15 bytes on Linux).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, &attributes, { raw in
            #if canImport(Glibc)
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            redi_name_thread(start.name)
            #else
            let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
            _ = pthread_setname_np(start.name)
            #endif
            start.body()
            return nil
        }, start)
        precondition(result == 0, "redi: cannot start a thread: \(String(cString: strerror(result)))")
    }

    /// What the new thread is handed.
    private final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
