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
            // Status texts are redi's own, never client input.
            writeLine(UInt8(ascii: "+"), text, sanitize: false)
        case .error(let text):
            writeLine(UInt8(ascii: "-"), text, sanitize: true)
        case .integer(let value):
            writeHeader(UInt8(ascii: ":"), value)
        case .bulk(let bytes):
            // One reservation for the header, the bytes and the CRLF.
            bytes.withUnsafeBytes { source in
                _ = writeWithUnsafeMutableBytes(minimumWritableBytes: source.count + 24) { target in
                    var position = Self.header(UInt8(ascii: "$"), Int64(source.count), into: target)
                    if let base = source.baseAddress {
                        (target.baseAddress! + position).copyMemory(from: base, byteCount: source.count)
                    }
                    position += source.count
                    target[position] = 13
                    target[position + 1] = 10
                    return position + 2
                }
            }
        case .null:
            if version == .resp3 {
                writeStaticString("_\r\n")
            } else {
                writeStaticString("$-1\r\n")
            }
        case .nullArray:
            if version == .resp3 {
                writeStaticString("_\r\n")
            } else {
                writeStaticString("*-1\r\n")
            }
        case .double(let value):
            let digits = Score.format(value)
            if version == .resp3 {
                writeInteger(UInt8(ascii: ","))
                digits.withUnsafeBytes { _ = writeBytes($0) }
                writeCRLF()
            } else {
                writeReply(.bulk(digits), version: version)
            }
        case .boolean(let value):
            if version == .resp3 {
                writeStaticString(value ? "#t\r\n" : "#f\r\n")
            } else {
                writeHeader(UInt8(ascii: ":"), value ? 1 : 0)
            }
        case .bigNumber(let digits):
            if version == .resp3 {
                writeLine(UInt8(ascii: "("), digits, sanitize: true)
            } else {
                writeReply(.bulk(Bytes(digits)), version: version)
            }
        case .verbatim(let format, let text):
            if version == .resp3 {
                writeHeader(UInt8(ascii: "="), Int64(text.count + 4))
                writeString(format)
                writeInteger(UInt8(ascii: ":"))
                text.withUnsafeBytes { _ = writeBytes($0) }
                writeCRLF()
            } else {
                writeReply(.bulk(text), version: version)
            }
        case .array(let elements), .map(let elements), .push(let elements), .set(let elements):
            writeAggregateHeader(of: reply, version: version)
            for element in elements { writeReply(element, version: version) }
        case .pairs(let elements):
            writeAggregateHeader(of: reply, version: version)
            for (index, element) in elements.enumerated() {
                if version == .resp3 && index % 2 == 0 { writeHeader(UInt8(ascii: "*"), 2) }
                writeReply(element, version: version)
            }
        }
    }

    /// A type byte, a one-line text and CRLF, with one reservation. A CR
    /// or LF in the text (errors quote client input) becomes a space, as in
    /// Redis, so a reply can never split into two.
    private mutating func writeLine(_ type: UInt8, _ text: String, sanitize: Bool) {
        var text = text
        if sanitize, text.utf8.contains(where: { $0 == 10 || $0 == 13 }) {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
            text = String(scalars)
        }
        text.withUTF8 { source in
            _ = writeWithUnsafeMutableBytes(minimumWritableBytes: source.count + 3) { target in
                target[0] = type
                if let base = source.baseAddress {
                    (target.baseAddress! + 1).copyMemory(from: base, byteCount: source.count)
                }
                target[source.count + 1] = 13
                target[source.count + 2] = 10
                return source.count + 3
            }
        }
    }

    /// The header of an array, map or push, whose elements follow.
    mutating func writeAggregateHeader(of reply: Reply, version: ProtocolVersion) {
        switch reply {
        case .array(let elements):
            writeHeader(UInt8(ascii: "*"), Int64(elements.count))
        case .map(let elements):
            if version == .resp3 {
                writeHeader(UInt8(ascii: "%"), Int64(elements.count / 2))
            } else {
                writeHeader(UInt8(ascii: "*"), Int64(elements.count))
            }
        case .push(let elements):
            writeHeader(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), Int64(elements.count))
        case .pairs(let elements):
            writeHeader(UInt8(ascii: "*"), Int64(version == .resp3 ? elements.count / 2 : elements.count))
        case .set(let elements):
            writeHeader(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), Int64(elements.count))
        default:
            preconditionFailure("not an aggregate")
        }
    }

    /// A type byte, a decimal and CRLF, written without making a String.
    mutating func writeHeader(_ type: UInt8, _ value: Int64) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 24) { Self.header(type, value, into: $0) }
    }

    /// Writes a type byte, a decimal and CRLF at the start of `target`
    /// (at least 24 bytes); returns how many bytes it wrote.
    private static func header(_ type: UInt8, _ value: Int64, into target: UnsafeMutableRawBufferPointer) -> Int {
        target[0] = type
        var position = 1
        if value < 0 { target[1] = UInt8(ascii: "-"); position = 2 }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20 && magnitude >= scale {
            digits += 1
            scale = scale &* 10
        }
        var index = position + digits - 1
        repeat {
            target[index] = UInt8(48 + magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        position += digits
        target[position] = 13
        target[position + 1] = 10
        return position + 2
    }

    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }
}
