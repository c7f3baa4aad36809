import StoreEngine

extension Bytes {
    /// The bytes for display on one line: valid, printable UTF-8 as it is
    /// (wide characters included); `\n \r \t \a \b`, `\\` and other control
    /// or invalid bytes escaped as redis-cli writes them (`\xHH`).
    public var displayText: String { displayText(escapingBackslash: true) }

    /// `displayText`, with a backslash left as it is when `escapingBackslash`
    /// is false (text whose own escapes must read as written, such as JSON).
    public func displayText(escapingBackslash: Bool) -> String {
        withUnsafeBytes { raw in
            var result = ""
            var index = 0
            while index < raw.count {
                let byte = raw[index]
                if let (scalar, length) = Bytes.decodeScalar(raw, at: index), scalar.value >= 0x20, scalar.value != 0x7F,
                   !(0x80..<0xA0).contains(scalar.value) {
                    if scalar == "\\" && escapingBackslash { result += "\\\\" } else { result.unicodeScalars.append(scalar) }
                    index += length
                    continue
                }
                switch byte {
                case 10: result += "\\n"
                case 13: result += "\\r"
                case 9: result += "\\t"
                case 7: result += "\\a"
                case 8: result += "\\b"
                default:
                    let hex = Array("0123456789abcdef")
                    result += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
                }
                index += 1
            }
            return result
        }
    }

    /// The Unicode scalar encoded at `index`, if the bytes there are valid UTF-8.
    private static func decodeScalar(_ raw: UnsafeRawBufferPointer, at index: Int) -> (Unicode.Scalar, Int)? {
        let first = raw[index]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard index + length <= raw.count else { return nil }
        var decoder = UTF8()
        var iterator = UnsafeRawBufferPointer(rebasing: raw[index..<index + length]).makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return nil }
        return (scalar, length)
    }
}
