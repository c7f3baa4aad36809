/// Where a server is and how to log in, from redis-cli's URL forms:
/// `redis://[[user]:password@]host[:port][/db]` and `rediss://` for TLS.
public struct RedisURL: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 6379
    public var user: String?
    public var password: String?
    public var database = 0
    public var tls = false

    public init() {}

    /// Parses a URL; the error names what is wrong.
    public init(parsing text: String) throws(RemoteError) {
        var rest = Substring(text)
        if rest.hasPrefix("redis://") {
            rest = rest.dropFirst("redis://".count)
        } else if rest.hasPrefix("rediss://") {
            rest = rest.dropFirst("rediss://".count)
            tls = true
        } else {
            throw .badURL("not a Redis URL: \(text) (redis://[[user]:password@]host[:port][/db] or rediss://...)")
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = Self.decode(credentials[..<colon])
                self.user = user.isEmpty ? nil : user
                password = Self.decode(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                // redis-cli reads a lone credential as the password.
                password = Self.decode(credentials)
            }
        }
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let database = Int(path), database >= 0 else { throw .badURL("not a database number in \(text): \(path)") }
                self.database = database
            }
        }
        var hostPart = rest
        if hostPart.hasPrefix("[") {
            // An IPv6 address: [::1]:6379
            guard let close = hostPart.firstIndex(of: "]") else { throw .badURL("an unclosed [ in \(text)") }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if hostPart.hasPrefix(":") {
                guard let port = Int(hostPart.dropFirst()), (1...65535).contains(port) else { throw .badURL("not a port in \(text)") }
                self.port = port
            }
        } else {
            if let colon = hostPart.lastIndex(of: ":") {
                guard let port = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(port) else {
                    throw .badURL("not a port in \(text): \(hostPart[hostPart.index(after: colon)...])")
                }
                self.port = port
                hostPart = hostPart[..<colon]
            }
            if !hostPart.isEmpty { host = String(hostPart) }
        }
    }

    /// `host:port` (IPv6 hosts in brackets).
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Percent-decoding, for a password with `@` or `:` in it.
    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
