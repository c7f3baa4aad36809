import CEpoll
import DequeModule
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A client's socket on the loop, as Redis's `connection.c`: what it reads
/// goes to its handler; what the handler writes waits, in order, until
/// `flush` sends it, and what the socket cannot take yet is sent when it
/// can. Everything here runs on the loop's thread.
final class Connection: SocketWatcher {
    let descriptor: Int32
    let loop: SocketLoop
    /// `ip:port` of the client and of the server's end.
    let address: String
    let localAddress: String
    /// Told what is read and when the connection ends; let go at close.
    var handler: ClientHandler?
    /// Whether the socket is open.
    private(set) var isActive = true
    /// Whether the unsent replies are below the high mark (or back below
    /// the low one): a client that reads slowly is paused while they are not.
    private(set) var isWritable = true
    /// Bytes handed to `write` and not yet sent.
    private(set) var pendingBytes = 0
    private var pending = Deque<ByteBuffer>()
    private var reading = true
    /// Whether the loop watches for room to write (replies are waiting).
    private var waitingForRoom = false
    private var closeWhenSent = false
    /// The buffer reads land in, shared by the server's connections.
    private let input: ReadBuffer

    /// Unsent bytes above which the connection is not writable, and below
    /// which it is again (as the server's SwiftNIO channels had them).
    static let highWaterMark = 1 << 20
    static let lowWaterMark = 256 << 10
    /// Buffers sent by one sendmsg.
    static let buffersPerSend = 64

    init(descriptor: Int32, loop: SocketLoop, address: String, localAddress: String, input: ReadBuffer) {
        self.descriptor = descriptor
        self.loop = loop
        self.address = address
        self.localAddress = localAddress
        self.input = input
    }

    /// Starts watching the socket.
    func start() {
        loop.watch(descriptor, self, reading: true, writing: false)
    }

    func socketReady(_ events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 { send() }
        guard isActive else { return }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 && reading {
            receive()
        } else if events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            close()
        }
    }

    /// One read, as Redis's `readQueryFromClient`: what came goes to the
    /// handler; an end of file or an error closes the connection.
    private func receive() {
        // Taken out, so that it is unique again unless a handler kept it.
        var buffer = input.buffer.take() ?? ByteBufferAllocator().buffer(capacity: ReadBuffer.size)
        buffer.clear()
        var result = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: ReadBuffer.size) { pointer in
            result = read(descriptor, pointer.baseAddress, pointer.count)
            return max(result, 0)
        }
        if result > 0 {
            handler?.received(buffer)
            input.buffer = buffer
            handler?.readComplete()
        } else {
            input.buffer = buffer
            if result == 0 || (errno != EAGAIN && errno != EINTR) { close() }
        }
    }

    /// Queues `buffer` to be sent by the next `flush`.
    func write(_ buffer: ByteBuffer) {
        guard isActive, buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
        if isWritable && pendingBytes > Self.highWaterMark {
            isWritable = false
            handler?.writabilityChanged()
        }
    }

    /// Sends what is queued, as much as the socket takes now; the rest
    /// when it has room.
    func flush() {
        guard isActive, !waitingForRoom else { return }
        send()
    }

    /// Sends what is queued, then closes (QUIT, a protocol error).
    func closeAfterSending() {
        guard isActive else { return }
        closeWhenSent = true
        setReading(false)
        flush()
    }

    /// Stops or resumes reading (a slow reader's pause).
    func setReading(_ on: Bool) {
        guard isActive, reading != on else { return }
        reading = on
        loop.watch(descriptor, self, reading: reading, writing: waitingForRoom)
    }

    private func send() {
        while isActive && !pending.isEmpty {
            let sent = sendSome()
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }
                close()
                return
            }
            consume(sent)
        }
        guard isActive else { return }
        let waiting = !pending.isEmpty
        if waiting != waitingForRoom {
            waitingForRoom = waiting
            loop.watch(descriptor, self, reading: reading, writing: waiting)
        }
        if !isWritable && pendingBytes < Self.lowWaterMark {
            isWritable = true
            handler?.writabilityChanged()
        }
        if !waiting && closeWhenSent { close() }
    }

    /// One sendmsg of the first queued buffers; its result.
    private func sendSome() -> Int {
        let count = min(pending.count, Self.buffersPerSend)
        if count == 1 {
            return pending[0].withUnsafeReadableBytes { bytes in
                Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
        }
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            // Each buffer's bytes stay where they are while `pending` holds it.
            for index in 0..<count {
                vectors[index] = pending[index].withUnsafeReadableBytes { bytes in
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                }
            }
            var message = msghdr()
            message.msg_iov = vectors.baseAddress
            message.msg_iovlen = count
            return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
        }
    }

    private func consume(_ sent: Int) {
        var left = sent
        pendingBytes -= sent
        while left > 0 {
            let size = pending[0].readableBytes
            if size <= left {
                pending.removeFirst()
                left -= size
            } else {
                pending[0].moveReaderIndex(forwardBy: left)
                left = 0
            }
        }
    }

    /// Closes the socket now, dropping what is unsent; the handler hears of
    /// it at the end of the turn.
    func close() {
        guard isActive else { return }
        isActive = false
        loop.forget(descriptor)
        Glibc.close(descriptor)
        pending.removeAll()
        pendingBytes = 0
        let handler = self.handler
        self.handler = nil
        loop.execute { handler?.closed() }
    }
}

/// The buffer a server's reads land in: one for all its connections, so an
/// idle connection holds none. A handler that keeps part of a read (a
/// command not whole yet) keeps that storage, and the next read gets new.
final class ReadBuffer {
    /// Bytes one read asks for (Redis reads 16 KB, more for a big argument).
    static let size = 64 * 1024
    var buffer: ByteBuffer?
}
