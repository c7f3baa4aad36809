import CEpoll

#if canImport(Glibc)
import Glibc
#endif

/// The server's listening socket, as Redis's `acceptTcpHandler`: each
/// readiness accepts what is waiting (up to 1,000, Redis's
/// `MAX_ACCEPTS_PER_CALL`) and hands each new socket on.
final class Listener: SocketWatcher {
    let descriptor: Int32
    /// The port it listens on (the one chosen when 0 was asked for).
    let port: Int
    /// `ip:port`, as Redis writes an address.
    let address: String
    private let loop: SocketLoop
    /// A new connection's socket (non-blocking, no delay), and its address
    /// and the server end's, described.
    var onAccept: (_ descriptor: Int32, _ address: String, _ localAddress: String) -> Void = { descriptor, _, _ in Glibc.close(descriptor) }
    private var paused = false

    static let acceptsPerReadiness = 1000

    /// Binds `host`:`port` (the first address `host` resolves to) and listens.
    init(host: String, port: Int, loop: SocketLoop) throws(ListenError) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else {
            throw ListenError(description: String(cString: gai_strerror(resolved)))
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ListenError.fromErrno() }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(descriptor, 511) == 0 else {
            let error = ListenError.fromErrno()
            Glibc.close(descriptor)
            throw error
        }
        let name = SocketName.local(of: descriptor)
        self.descriptor = descriptor
        self.port = name?.port ?? port
        self.address = name?.description ?? "\(host):\(port)"
        self.loop = loop
    }

    /// Starts accepting; on the loop.
    func start() {
        loop.watch(descriptor, self, reading: true, writing: false)
    }

    /// Stops listening; on the loop.
    func close() {
        loop.forget(descriptor)
        Glibc.close(descriptor)
    }

    func socketReady(_ events: UInt32) {
        for _ in 0..<Self.acceptsPerReadiness {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(descriptor, $0, &length)
                }
            }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                // Out of descriptors: stop accepting for a while rather than
                // spin on a socket that stays readable.
                if errno == EMFILE || errno == ENFILE { pause() }
                return
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var on: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            let remote = SocketName(storage)?.description ?? "?"
            onAccept(client, remote, SocketName.local(of: client)?.description ?? address)
        }
    }

    private func pause() {
        guard !paused else { return }
        paused = true
        loop.forget(descriptor)
        loop.schedule(in: .milliseconds(100)) { [weak self] in
            guard let self else { return }
            paused = false
            start()
        }
    }
}

/// A socket's address as Redis writes it: `ip:port`, `[ip6]:port`.
struct SocketName: CustomStringConvertible {
    let ip: String
    let port: Int
    let isIPv6: Bool

    init?(_ storage: sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET: (ip, port) = Self.parts(of: storage, as: sockaddr_in.self, ip: \.sin_addr, port: \.sin_port)
        case AF_INET6: (ip, port) = Self.parts(of: storage, as: sockaddr_in6.self, ip: \.sin6_addr, port: \.sin6_port)
        default: return nil
        }
        isIPv6 = Int32(storage.ss_family) == AF_INET6
    }

    /// The address and port of an IPv4 or IPv6 socket address in `storage`.
    private static func parts<Address, IP>(
        of storage: sockaddr_storage, as _: Address.Type, ip: KeyPath<Address, IP>, port: KeyPath<Address, in_port_t>
    ) -> (String, Int) {
        let address = withUnsafeBytes(of: storage) { $0.load(as: Address.self) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafeBytes(of: address[keyPath: ip]) { _ = inet_ntop(Int32(storage.ss_family), $0.baseAddress, &text, socklen_t(text.count)) }
        let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (name, Int(UInt16(bigEndian: address[keyPath: port])))
    }

    /// The local end of a socket.
    static func local(of descriptor: Int32) -> SocketName? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return found == 0 ? SocketName(storage) : nil
    }

    var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}

extension ListenError {
    /// The system's words for `errno` (`Address already in use`).
    static func fromErrno() -> ListenError {
        ListenError(description: String(cString: strerror(errno)))
    }
}
