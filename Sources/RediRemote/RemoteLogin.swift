import NIOSSL
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening a logged-in connection to one server, over TLS where asked.
enum RemoteLogin {
    /// One connection, logged in (AUTH), speaking `protocolVersion` where the
    /// server can (HELLO), in `database`.
    static func open(
        host: String, port: Int, _ settings: RemoteSettings, tls: NIOSSLContext?, protocolVersion: Int, database: Int,
        onPush: (@Sendable (Reply) -> Void)? = nil, onClose: (@Sendable () -> Void)? = nil
    ) async throws(RemoteError) -> RedisConnection {
        let url = settings.url
        let connection = try await RedisConnection.open(
            host: host, port: port, timeout: settings.connectTimeout, tls: tls, onPush: onPush, onClose: onClose)
        let address = connection.address
        do throws(RemoteError) {
            if let password = url.password {
                let auth: [Bytes] = url.user.map { ["AUTH", Bytes($0), Bytes(password)] } ?? ["AUTH", Bytes(password)]
                if case .error(let text) = try await connection.send(auth, timeout: settings.connectTimeout) {
                    throw RemoteError.authentication(address, reason: text)
                }
            }
            if protocolVersion == 3 {
                // A server before Redis 6 has no HELLO: RESP2 it is.
                let reply = try await connection.send(["HELLO", "3"], timeout: settings.connectTimeout)
                if case .error(let text) = reply, text.hasPrefix("NOAUTH") {
                    throw RemoteError.authentication(address, reason: text)
                }
            } else if case .error(let text) = try await connection.send(["PING"], timeout: settings.connectTimeout) {
                throw text.hasPrefix("NOAUTH") ? RemoteError.authentication(address, reason: text + " (give a password in the URL, REDISCLI_AUTH or --askpass)")
                    : RemoteError.unexpected(address, reason: text)
            }
            if database != 0, case .error(let text) = try await connection.send(["SELECT", Bytes(Int64(database))], timeout: settings.connectTimeout) {
                throw RemoteError.unexpected(address, reason: "SELECT \(database): \(text)")
            }
        } catch {
            connection.close()
            // Lost before the first answer: it never connected.
            switch error {
            case .disconnected(let address, let reason) where tls == nil && (reason == "connection reset" || reason == "the connection closed"):
                throw .unreachable(address, reason: reason + " (a TLS port? rediss:// or --tls)")
            case .disconnected(let address, let reason):
                throw .unreachable(address, reason: reason)
            default:
                throw error
            }
        }
        return connection
    }

    /// The client side of TLS from redis-cli's flags; a file that cannot be read is named.
    static func makeTLSContext(_ files: TLSFiles) throws(RemoteError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        for path in [files.caCertificate, files.certificate, files.key].compactMap({ $0 }) where access(path, R_OK) != 0 {
            throw .tlsFiles("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        func certificates(_ path: String) throws(RemoteError) -> [NIOSSLCertificate] {
            guard let loaded = try? NIOSSLCertificate.fromPEMFile(path), !loaded.isEmpty else {
                throw .tlsFiles("\(path) holds no PEM certificate")
            }
            return loaded
        }
        if let authority = files.caCertificate { configuration.trustRoots = .certificates(try certificates(authority)) }
        if let certificate = files.certificate { configuration.certificateChain = try certificates(certificate).map { .certificate($0) } }
        if let key = files.key {
            guard let privateKey = try? NIOSSLPrivateKey(file: key, format: .pem) else { throw .tlsFiles("\(key) holds no PEM private key") }
            configuration.privateKey = .privateKey(privateKey)
        }
        if files.insecure { configuration.certificateVerification = .none }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsFiles("\(error)")
        }
    }
}
