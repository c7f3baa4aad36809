#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing a POSIX file descriptor.
public enum FileDescriptor {
    /// Reads to the end of the file; `sizeHint` (its size, when known)
    /// saves growing the buffer.
    /// - Returns: the bytes, or `nil` on an error, with `errno` set.
    public static func readAll(_ descriptor: Int32, sizeHint: Int = 0) -> [UInt8]? {
        // One byte more than the hint: the read that finds the end needs room.
        var bytes = [UInt8](repeating: 0, count: max(sizeHint, 4095) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes += repeatElement(0, count: bytes.count) }
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

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
