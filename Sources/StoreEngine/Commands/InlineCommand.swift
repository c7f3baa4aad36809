/// Splits a typed command line into words as redis-cli and Redis's inline
/// protocol do (`sdssplitargs`): whitespace separates words; in double
/// quotes `\" \\ \n \r \t \b \a` and `\xHH` are escapes; in single quotes
/// only `\'` is. A closing quote must end the word. Unlike C, a NUL byte is
/// an ordinary byte, so every byte string can be typed.
public enum InlineCommand {
    /// The words of `line`, or `nil` when a quote is unbalanced or a closing
    /// quote is followed by something other than a space.
    public static func split(_ line: some Collection<UInt8>) -> [Bytes]? {
        let input = Array(line)
        var words: [Bytes] = []
        var index = 0
        func at(_ position: Int) -> UInt8? { position < input.count ? input[position] : nil }
        func isSpace(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte == 32 || (9...13).contains(byte)
        }

        while true {
            while isSpace(at(index)) { index += 1 }
            guard index < input.count else { return words }
            var current: [UInt8] = []
            var quote: UInt8?
            var done = false
            while !done {
                let byte = at(index)
                if let open = quote {
                    guard let byte else { return nil }
                    let next = at(index + 1)
                    if open == doubleQuote, byte == backslash, next == UInt8(ascii: "x"),
                       let high = hexValue(at(index + 2)), let low = hexValue(at(index + 3)) {
                        current.append(high << 4 | low)
                        index += 3
                    } else if byte == backslash, let next, open == doubleQuote || next == singleQuote {
                        current.append(open == doubleQuote ? unescaped(next) : next)
                        index += 1
                    } else if byte == open {
                        if let next, !isSpace(next) { return nil }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else {
                    switch byte {
                    case nil, 32, 10, 13, 9: done = true
                    case doubleQuote, singleQuote: quote = byte
                    case let byte?: current.append(byte)
                    }
                }
                if byte != nil { index += 1 }
            }
            words.append(Bytes(current))
        }
    }

    private static let backslash = UInt8(ascii: "\\")
    private static let doubleQuote = UInt8(ascii: "\"")
    private static let singleQuote = UInt8(ascii: "'")

    /// The byte a backslash escape stands for inside double quotes.
    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): return 10
        case UInt8(ascii: "r"): return 13
        case UInt8(ascii: "t"): return 9
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "a"): return 7
        default: return byte
        }
    }

    private static func hexValue(_ byte: UInt8?) -> UInt8? {
        switch byte {
        case let b? where b >= 48 && b <= 57: return b - 48
        case let b? where b >= 97 && b <= 102: return b - 87
        case let b? where b >= 65 && b <= 70: return b - 55
        default: return nil
        }
    }
}
