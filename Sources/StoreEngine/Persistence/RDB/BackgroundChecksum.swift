import Dispatch

/// The CRC-64 of a file's bytes, computed on another thread while the
/// loader decodes them: Redis computes it as it reads, which on one core is
/// a second pass over the file. The bytes are only lent to the loader, so it
/// waits for the result (`value()`) before it returns, however it ends.
final class BackgroundChecksum: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// Written by the worker before it signals, read after the wait.
    private var computed: UInt64 = 0
    /// The caller's copy, once it has waited.
    private var result: UInt64?

    init(of bytes: UnsafeRawBufferPointer) {
        nonisolated(unsafe) let bytes = bytes
        DispatchQueue.global(qos: .userInitiated).async {
            var crc = CRC64()
            crc.update(bytes)
            self.computed = crc.value
            self.finished.signal()
        }
    }

    /// The checksum, waiting for it the first time.
    func value() -> UInt64 {
        if let result { return result }
        finished.wait()
        result = computed
        return computed
    }
}
