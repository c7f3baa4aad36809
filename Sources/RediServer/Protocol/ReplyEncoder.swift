import NIOCore
import StoreEngine

/// The protocol a connection speaks: RESP2 until `HELLO 3`.
enum ProtocolVersion: Int, Sendable {
    case resp2 = 2
    case resp3 = 3
}

extension ByteBuffer {
    /// Writes `reply` in RESP.
    mutating func writeReply(_ reply: Reply, version: ProtocolVersion) {
        switch reply {
        case .status(let text):
            writeInteger(UInt8(ascii: "+"))
            writeString(text)
            writeCRLF()
        case .error(let text):
            writeInteger(UInt8(ascii: "-"))
            writeString(text)
            writeCRLF()
        case .integer(let value):
            writeHeader(":", value)
        case .bulk(let bytes):
            writeHeader("$", Int64(bytes.count))
            bytes.withUnsafeBytes { _ = writeBytes($0) }
            writeCRLF()
        case .null:
            if version == .resp3 {
                writeStaticString("_\r\n")
            } else {
                writeStaticString("$-1\r\n")
            }
        case .array(let elements):
            writeHeader("*", Int64(elements.count))
            for element in elements { writeReply(element, version: version) }
        }
    }

    /// A map: RESP3's `%`, or a flat array of keys and values in RESP2.
    mutating func writeMap(_ pairs: [(String, Reply)], version: ProtocolVersion) {
        if version == .resp3 {
            writeHeader("%", Int64(pairs.count))
        } else {
            writeHeader("*", Int64(pairs.count * 2))
        }
        for (key, value) in pairs {
            writeReply(.bulk(Bytes(key)), version: version)
            writeReply(value, version: version)
        }
    }

    /// A type byte, a decimal and CRLF.
    mutating func writeHeader(_ type: Character, _ value: Int64) {
        writeInteger(type.asciiValue!)
        if value >= 0 && value < 10 {
            writeInteger(UInt8(48 + value))
        } else {
            writeString(String(value))
        }
        writeCRLF()
    }

    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }
}
