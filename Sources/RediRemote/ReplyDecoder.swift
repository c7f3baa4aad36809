import NIOCore
import StoreEngine

/// Reads Redis's replies, RESP2 and RESP3, off the bytes a server sent: the
/// client side of `ReplyEncoder`. A reply not yet complete is left for more
/// bytes; a malformed one is an error (the connection cannot be trusted).
struct ReplyDecoder {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The next whole reply at the front of `buffer`, which is consumed; `nil`
    /// (and `buffer` untouched) when more bytes are needed.
    static func next(_ buffer: inout ByteBuffer) throws(Malformed) -> Reply? {
        let result: Result<(Reply, Int)?, Malformed> = buffer.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes)
            do throws(Malformed) {
                guard let reply = try reader.reply() else { return .success(nil) }
                return .success((reply, reader.position))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let parsed?):
            buffer.moveReaderIndex(forwardBy: parsed.1)
            return parsed.0
        case .success(nil):
            return nil
        case .failure(let error):
            throw error
        }
    }

    /// A cursor over the bytes; every method returns `nil` for "incomplete".
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        /// The line at `position` without its CRLF.
        mutating func line() -> UnsafeRawBufferPointer? {
            var end = position
            while end + 1 < bytes.count {
                if bytes[end] == 13 && bytes[end + 1] == 10 {
                    let text = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
                    position = end + 2
                    return text
                }
                end += 1
            }
            return nil
        }

        mutating func number() throws(Malformed) -> Int64? {
            guard let text = line() else { return nil }
            if text.count == 2 && text[0] == 45 && text[1] == 49 { return -1 }
            guard let value = Bytes.int64(text) else { throw Malformed(description: "a bad length or integer in a reply") }
            return value
        }

        mutating func blob() throws(Malformed) -> Bytes?? {
            guard let length = try number() else { return nil }
            if length < 0 { return .some(nil) }
            guard bytes.count - position >= Int(length) + 2 else { return nil }
            let value = Bytes(UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)]))
            position += Int(length) + 2
            return .some(value)
        }

        mutating func elements(_ count: Int64) throws(Malformed) -> [Reply]? {
            var elements: [Reply] = []
            elements.reserveCapacity(Int(min(count, 1024)))
            for _ in 0..<count {
                guard let element = try reply() else { return nil }
                elements.append(element)
            }
            return elements
        }

        mutating func reply() throws(Malformed) -> Reply? {
            guard position < bytes.count else { return nil }
            let type = bytes[position]
            position += 1
            switch type {
            case UInt8(ascii: "+"):
                return line().map { .status(String(decoding: $0, as: UTF8.self)) }
            case UInt8(ascii: "-"), UInt8(ascii: "!"):
                if type == UInt8(ascii: "!") {
                    guard let text = try blob() else { return nil }
                    return .error(String(decoding: (text ?? Bytes()).array, as: UTF8.self))
                }
                return line().map { .error(String(decoding: $0, as: UTF8.self)) }
            case UInt8(ascii: ":"):
                return try number().map { .integer($0) }
            case UInt8(ascii: "$"):
                guard let value = try blob() else { return nil }
                return value.map { .bulk($0) } ?? .null
            case UInt8(ascii: "="):
                guard let value = try blob() else { return nil }
                let text = value ?? Bytes()
                guard text.count >= 4 else { return .bulk(text) }
                let array = text.array
                return .verbatim(format: String(decoding: array[0..<3], as: UTF8.self), text: Bytes(array[4...]))
            case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
                guard let count = try number() else { return nil }
                if count < 0 { return .nullArray }
                let pairs = type == UInt8(ascii: "%") || type == UInt8(ascii: "|")
                guard let elements = try elements(pairs ? count * 2 : count) else { return nil }
                switch type {
                case UInt8(ascii: "~"): return .set(elements)
                case UInt8(ascii: ">"): return .push(elements)
                case UInt8(ascii: "%"): return .map(elements)
                case UInt8(ascii: "|"):
                    // An attribute describes the reply after it, which is what counts.
                    return try reply()
                default: return .array(elements)
                }
            case UInt8(ascii: "_"):
                return line().map { _ in .null }
            case UInt8(ascii: "#"):
                guard let text = line() else { return nil }
                return .boolean(text.first == UInt8(ascii: "t"))
            case UInt8(ascii: ","):
                guard let text = line() else { return nil }
                let string = String(decoding: text, as: UTF8.self)
                switch string {
                case "inf": return .double(.infinity)
                case "-inf": return .double(-.infinity)
                case "nan": return .double(.nan)
                default:
                    guard let value = Double(string) else { throw Malformed(description: "a bad double in a reply") }
                    return .double(value)
                }
            case UInt8(ascii: "("):
                return line().map { .bigNumber(String(decoding: $0, as: UTF8.self)) }
            default:
                // Another protocol (HTTP, TLS...): quote what it said.
                let start = bytes[(position - 1)...].prefix(24).prefix { $0 >= 32 && $0 < 127 }
                throw Malformed(description: "it does not speak Redis's protocol (it answered \"\(String(decoding: start, as: UTF8.self))\")")
            }
        }
    }
}

extension ByteBuffer {
    /// Writes a command as a RESP array of bulk strings, as every client sends one.
    mutating func writeCommand(_ words: [Bytes]) {
        writeString("*\(words.count)\r\n")
        for word in words {
            writeString("$\(word.count)\r\n")
            word.withUnsafeBytes { _ = writeBytes($0) }
            writeStaticString("\r\n")
        }
    }
}
