#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import StoreEngine

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password | AUTH2 username password] [KEYS key [key ...]], after
/// Redis's `migrateCommand`: each key's DUMP payload is RESTOREd on the
/// target (with its remaining TTL, REPLACE if asked), and once the target
/// accepted it the key is deleted here unless COPY. It blocks the store for
/// at most the timeout, as in Redis; what `redis-cli --cluster import` uses
/// to move a store into a cluster.
extension ServerState {
    func migrate(_ words: [Bytes], _ call: ServerCall) -> Reply {
        var (copy, replace, keys): (Bool, Bool, [Bytes]) = (false, false, [words[3]])
        var credentials: [Bytes]?
        var index = 6
        while index < words.count {
            let option = words[index]
            let more = words.count - index - 1
            if option.equalsIgnoringCase("COPY") {
                copy = true
            } else if option.equalsIgnoringCase("REPLACE") {
                replace = true
            } else if option.equalsIgnoringCase("AUTH"), more >= 1 {
                credentials = [words[index + 1]]
                index += 1
            } else if option.equalsIgnoringCase("AUTH2"), more >= 2 {
                credentials = [words[index + 1], words[index + 2]]
                index += 2
            } else if option.equalsIgnoringCase("KEYS") {
                guard words[3].isEmpty else {
                    return .error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
                }
                keys = Array(words[(index + 1)...])
                break
            } else {
                return .syntaxError
            }
            index += 1
        }
        guard let timeout = words[5].int64Value, let database = words[4].int64Value else { return .notInteger }
        let engine = call.engine
        // Only the keys there are; none: NOKEY, as Redis.
        let payloads = keys.compactMap { key in engine.migrationPayload(of: key).map { (key, $0) } }
        guard !payloads.isEmpty else { return .status("NOKEY") }
        // Commands are sent as a client sends them: arrays of bulk strings.
        var request = ByteBuffer()
        func send(_ command: [Bytes]) { request.writeReply(.array(command.map(Reply.bulk)), version: .resp2) }
        if let credentials { send(["AUTH"] + credentials) }
        send(["SELECT", Bytes(database)])
        for (key, payload) in payloads {
            let ttl: Bytes = payload.remaining.map { Bytes(max($0, 1)) } ?? "0"
            send(["RESTORE", key, ttl, payload.bytes] + (replace ? ["REPLACE"] : []))
        }
        let port = words[2].int64Value.flatMap { Int(exactly: $0) } ?? -1
        guard let target = MigrationTarget(host: words[1].description, port: port, timeout: timeout <= 0 ? 1000 : Int(clamping: timeout)) else {
            return .error("IOERR error or timeout connecting to the client")
        }
        defer { target.hangUp() }
        guard target.send(Array(request.readableBytesView)) else { return .error("IOERR error or timeout writing to target instance") }
        // AUTH's and SELECT's replies, then one per key.
        for _ in 0..<(credentials == nil ? 1 : 2) {
            guard let line = target.readLine() else { return .error("IOERR error or timeout reading to target instance") }
            if line.first == UInt8(ascii: "-") { return .error("ERR Target instance replied with error: \(String(decoding: line.dropFirst(), as: UTF8.self))") }
        }
        var failure: String?
        var moved: [Bytes] = []
        for (key, _) in payloads {
            guard let line = target.readLine() else { return .error("IOERR error or timeout reading to target instance") }
            if line.first == UInt8(ascii: "-") {
                failure = failure ?? String(decoding: line.dropFirst(), as: UTF8.self)
            } else {
                moved.append(key)
            }
        }
        if !copy { engine.removeMigrated(moved) }
        if let failure { return .error("ERR Target instance replied with error: \(failure)") }
        return .status("OK")
    }
}

/// A blocking connection to MIGRATE's target, every step bounded by the
/// timeout: connecting, writing the whole request, reading each reply line
/// (its whole line, however slowly it comes, of at most 1 KB, as Redis's
/// `syncReadLine`).
final class MigrationTarget {
    private let descriptor: Int32
    private let timeout: Duration
    private var buffered: [UInt8] = []

    init?(host: String, port: Int, timeout milliseconds: Int) {
        guard (1...65535).contains(port) else { return nil }
        timeout = .milliseconds(milliseconds)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { return nil }
        defer { freeaddrinfo(found) }
        descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { return nil }
        // Connect without blocking, then wait for it at most the timeout.
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard errno == EINPROGRESS, poll(&poller, 1, Int32(clamping: milliseconds)) == 1,
                  getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                _ = close(descriptor)
                return nil
            }
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        var limit = timeval(tv_sec: milliseconds / 1000, tv_usec: Int(milliseconds % 1000) * 1000)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false on an error or the timeout.
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { FileDescriptor.writeAll(descriptor, $0) }
    }

    /// The next reply line without its CRLF (a simple string or an error:
    /// what AUTH, SELECT and RESTORE answer); nil on an error or the timeout.
    func readLine() -> [UInt8]? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout && buffered.count <= 1024 {
            if let end = buffered.firstIndex(of: 10) {
                let line = Array(buffered[..<end])
                buffered.removeSubrange(...end)
                return line.last == 13 ? Array(line.dropLast()) : line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffered += chunk.prefix(count)
        }
        return nil
    }

    func hangUp() {
        _ = close(descriptor)
    }
}
