/// A command as the append-only file holds it: RESP's array of bulk strings.
enum RESPCommand {
    /// Appends `command` to `buffer`.
    static func append(_ command: [Bytes], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendCount(command.count, to: &buffer)
        for word in command {
            buffer.append(UInt8(ascii: "$"))
            appendCount(word.count, to: &buffer)
            word.withUnsafeBytes { buffer.append(contentsOf: $0) }
            buffer.append(13)
            buffer.append(10)
        }
    }

    /// A count and CRLF.
    private static func appendCount(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            buffer.append(contentsOf: String(value).utf8)
        }
        buffer.append(13)
        buffer.append(10)
    }
}
