import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking RESP2 client over a Unix socket or TCP, to ask a real
/// redis-server and redi the same questions and compare the answers, and to
/// send a server whatever bytes a test needs.
public final class RESPClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    public init(socketPath: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes.prefix(raw.count - 1))
        }
        descriptor = try Self.connected(to: &address, family: AF_UNIX, naming: socketPath)
    }

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout`.
    public init(port: Int, timeout: Duration = .seconds(10)) throws {
        var address = loopbackAddress(port: port)
        descriptor = try Self.connected(to: &address, family: AF_INET, naming: "port \(port)")
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A stream socket connected to `address` (a `sockaddr_un` or `sockaddr_in`).
    private static func connected<Address>(to address: inout Address, family: Int32, naming name: String) throws -> Int32 {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to \(name)")
        }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Hangs up, as a client that goes away does (the descriptor is closed at deinit).
    public func hangUp() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Sends bytes as they are.
    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestFailure("write failed") }
            offset += written
        }
    }

    /// A command as a RESP multibulk request.
    public static func request(_ command: [Bytes]) -> [UInt8] {
        var request = Array("*\(command.count)\r\n".utf8)
        for word in command {
            request += Array("$\(word.count)\r\n".utf8)
            word.withUnsafeBytes { request.append(contentsOf: $0) }
            request += [13, 10]
        }
        return request
    }

    /// The next `count` bytes as they come.
    public func readRaw(count: Int) throws -> [UInt8] {
        try readExactly(count)
    }

    /// Whether the server closed the connection (after any unread replies).
    public var isClosedByPeer: Bool {
        while true {
            do { try fill() } catch { return error is Closed }
        }
    }

    private struct Closed: Error {}

    /// Sends one command and reads its reply.
    public func send(_ command: [Bytes]) throws -> Reply {
        try sendRaw(Self.request(command))
        return try readReply()
    }

    /// Reads the next reply.
    public func readReply() throws -> Reply {
        let line = try readLine()
        let type = line.first
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"): return .status(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(Int64(rest)!)
        case UInt8(ascii: "$"):
            let length = Int(rest)!
            if length < 0 { return .null }
            let body = try readExactly(length + 2)
            return .bulk(Bytes(body.prefix(length)))
        case UInt8(ascii: "*"), UInt8(ascii: ">"):
            let count = Int(rest)!
            if count < 0 { return .nullArray }
            return .array(try (0..<count).map { _ in try readReply() })
        case UInt8(ascii: "~"):
            return .set(try (0..<Int(rest)!).map { _ in try readReply() })
        case UInt8(ascii: ","):
            guard let value = Double(rest) else { throw TestFailure("unexpected RESP3 double \(rest)") }
            return .double(value)
        case UInt8(ascii: "%"):
            // RESP3 maps read as flat arrays, as RESP2 sends them.
            return .array(try (0..<(Int(rest)! * 2)).map { _ in try readReply() })
        case UInt8(ascii: "_"):
            return .null
        case UInt8(ascii: "#"):
            return .boolean(rest == "t")
        case UInt8(ascii: "("):
            return .bigNumber(rest)
        case UInt8(ascii: "="):
            let body = try readExactly(Int(rest)! + 2)
            return .verbatim(format: String(decoding: body.prefix(3), as: UTF8.self), text: Bytes(body.dropFirst(4).dropLast(2)))
        default:
            throw TestFailure("unexpected RESP line \(rest)")
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count == 0 { throw Closed() }
        guard count > 0 else { throw TestFailure("read failed or timed out") }
        buffer += chunk[0..<count]
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let end = buffer.firstIndex(of: 10), end > 0, buffer[end - 1] == 13 {
                let line = Array(buffer[0..<(end - 1)])
                buffer.removeFirst(end + 1)
                return line
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket() failed") }
    defer { close(descriptor) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw TestFailure("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A socket listening on 127.0.0.1 that accepts nothing by itself: a
/// server that never answers, or one that resets who connects.
public final class LoopbackListener {
    private let descriptor: Int32
    /// The port it listens on.
    public let port: Int

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard listening else {
            close(descriptor)
            throw TestFailure("cannot listen on 127.0.0.1")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts the next connection and resets it (an RST, not a FIN), after
    /// the first bytes sent on it when `afterReading`.
    public func acceptAndReset(afterReading: Bool = false) {
        let connection = accept(descriptor, nil, nil)
        guard connection >= 0 else { return }
        if afterReading {
            var buffer = [UInt8](repeating: 0, count: 512)
            _ = read(connection, &buffer, buffer.count)
        }
        var hard = linger(l_onoff: 1, l_linger: 0)
        setsockopt(connection, SOL_SOCKET, SO_LINGER, &hard, socklen_t(MemoryLayout<linger>.size))
        close(connection)
    }

    deinit { close(descriptor) }
}

/// 127.0.0.1:`port`.
private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
