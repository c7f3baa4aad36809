import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking RESP2 client over a Unix socket, to ask a real
/// redis-server the same questions as redi and compare the answers.
public final class RESPClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    public init(socketPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes.prefix(raw.count - 1))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to \(socketPath)")
        }
    }

    deinit { close(descriptor) }

    /// Sends one command and reads its reply.
    public func send(_ command: [Bytes]) throws -> Reply {
        var request = Array("*\(command.count)\r\n".utf8)
        for word in command {
            request += Array("$\(word.count)\r\n".utf8)
            word.withUnsafeBytes { request.append(contentsOf: $0) }
            request += [13, 10]
        }
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestFailure("write to redis failed") }
            offset += written
        }
        return try readReply()
    }

    private func readReply() throws -> Reply {
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
        case UInt8(ascii: "*"):
            let count = Int(rest)!
            if count < 0 { return .null }
            return .array(try (0..<count).map { _ in try readReply() })
        default:
            throw TestFailure("unexpected RESP line \(rest)")
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { throw TestFailure("redis closed the connection") }
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
