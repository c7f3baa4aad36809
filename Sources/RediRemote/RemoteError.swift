import NIOCore
import NIOPosix
import NIOSSL

/// Why a remote server cannot be used, in one line that names it.
public enum RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL or a flag is wrong.
    case badURL(String)
    /// No connection: unknown host, refused, unreachable, timed out.
    case unreachable(String, reason: String)
    /// The server did not answer in time.
    case timedOut(String)
    /// AUTH (or HELLO's AUTH) was refused.
    case authentication(String, reason: String)
    /// The connection went away.
    case disconnected(String, reason: String)
    /// The server answered something redi cannot work with.
    case unexpected(String, reason: String)
    /// The TLS files cannot be used.
    case tlsFiles(String)

    public var description: String {
        switch self {
        case .badURL(let text): return text
        case .unreachable(let address, let reason): return "cannot connect to \(address): \(reason)"
        case .timedOut(let address): return "\(address) did not answer in time"
        case .authentication(let address, let reason): return "\(address) refused the credentials: \(reason)"
        case .disconnected(let address, let reason): return "lost the connection to \(address): \(reason)"
        case .unexpected(let address, let reason): return "\(address): \(reason)"
        case .tlsFiles(let reason): return "cannot use the TLS files: \(reason)"
        }
    }

    /// A network error as a short reason.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            // No address to try: the name did not resolve.
            guard let first = error.connectionErrors.first else { return "unknown host" }
            return describe(first.error)
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "no route to host"
            case ECONNRESET: return "connection reset"
            default: return String(cString: strerror(error.errnoCode))
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "timed out"
            case .ioOnClosedChannel, .alreadyClosed, .outputClosed, .eof: return "the connection closed"
            default: return "\(error)"
            }
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS: the server's certificate is not trusted (--cacert names the authority; --insecure skips the check)"
            }
            if text.contains("failedToValidateHostname") || text.contains("Unable to validate hostname") {
                return "TLS: the server's certificate does not name this host"
            }
            if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
                return "TLS: the server does not speak TLS on this port (redis:// instead of rediss://?)"
            }
            if text.contains("TLSV1_ALERT_CERTIFICATE_REQUIRED") || text.contains("SSLV3_ALERT_HANDSHAKE_FAILURE") {
                return "TLS: the server wants a client certificate (--cert and --key)"
            }
            return "TLS: \(text)"
        case let error as SocketAddressError:
            if case .unknown = error { return "unknown host" }
            return "\(error)"
        default:
            return "\(error)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
