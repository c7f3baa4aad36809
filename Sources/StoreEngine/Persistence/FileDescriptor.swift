#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to a POSIX file descriptor.
public enum FileDescriptor {
    /// Writes every byte, retrying short writes and interruptions.
    /// - Returns: `false` on an error, with `errno` set.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var remaining = bytes
        while !remaining.isEmpty {
            let written = write(descriptor, remaining.baseAddress, remaining.count)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
        return true
    }
}
