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
            writeHeader(UInt8(ascii: ":"), value)
        case .bulk(let bytes):
            writeHeader(UInt8(ascii: "$"), Int64(bytes.count))
            bytes.withUnsafeBytes { _ = writeBytes($0) }
            writeCRLF()
        case .null:
            if version == .resp3 {
                writeStaticString("_\r\n")
            } else {
                writeStaticString("$-1\r\n")
            }
        case .array(let elements):
            writeHeader(UInt8(ascii: "*"), Int64(elements.count))
            for element in elements { writeReply(element, version: version) }
        }
    }

    /// A map: RESP3's `%`, or a flat array of keys and values in RESP2.
    mutating func writeMap(_ pairs: [(String, Reply)], version: ProtocolVersion) {
        if version == .resp3 {
            writeHeader(UInt8(ascii: "%"), Int64(pairs.count))
        } else {
            writeHeader(UInt8(ascii: "*"), Int64(pairs.count * 2))
        }
        for (key, value) in pairs {
            writeReply(.bulk(Bytes(key)), version: version)
            writeReply(value, version: version)
        }
    }

    /// A type byte, a decimal and CRLF, written without making a String.
    mutating func writeHeader(_ type: UInt8, _ value: Int64) {
        writeInteger(type)
        if value >= 0 && value < 10 {
            writeInteger(UInt8(48 + value))
        } else {
            // At most 20 digits and a sign, filled from the end.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var magnitude = value.magnitude
                var start = 20
                repeat {
                    start -= 1
                    digits[start] = UInt8(48 + magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if value < 0 { writeInteger(UInt8(ascii: "-")) }
                writeBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[start...])))
            }
        }
        writeCRLF()
    }

    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }
}
