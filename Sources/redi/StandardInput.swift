import Dispatch
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines of standard input as bytes (binary-safe, `\n` or `\r\n` ended),
/// read on a thread of their own so that a blocking read never holds up the
/// store. The reader stays a bounded number of lines ahead of the consumer.
final class StandardInputReader {
    private var iterator: AsyncStream<[UInt8]>.Iterator
    private let room: DispatchSemaphore

    init(readAhead: Int = 4096) {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        // Made at 0 and raised to `readAhead`: libdispatch traps when a semaphore
        // goes away below the value it was made with, which this one is while
        // lines read ahead wait (a QUIT before the end of input).
        let room = DispatchSemaphore(value: 0)
        for _ in 0..<readAhead { room.signal() }
        self.room = room
        iterator = stream.makeAsyncIterator()
        DetachedThread.start(name: "redi stdin") {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: chunk[0..<count])
                var start = 0
                while let newline = pending[start...].firstIndex(of: 10) {
                    var end = newline
                    if end > start && pending[end - 1] == 13 { end -= 1 }
                    room.wait()
                    continuation.yield(Array(pending[start..<end]))
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            if !pending.isEmpty {
                if pending.last == 13 { pending.removeLast() }
                continuation.yield(pending)
            }
            continuation.finish()
        }
    }

    /// The next line, or `nil` at end of input.
    func next() async -> [UInt8]? {
        let line = await iterator.next()
        room.signal()
        return line
    }
}
