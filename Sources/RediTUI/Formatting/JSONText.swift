/// JSON re-indented for reading, without parsing it into values: every token
/// stays as the value spells it (key order, duplicate keys, `1.0`, `-0`,
/// `1e300`), only the white space between tokens changes. Works in one pass
/// with a stack of its own, so no nesting depth can exhaust the call stack.
enum JSONText {
    /// The value's lines, indented by two spaces a level; `nil` when the
    /// bytes are not one valid JSON object or array.
    static func reindent(_ bytes: [UInt8]) -> [String]? {
        var scanner = Scanner(bytes: bytes)
        var lines: [String] = []
        var line: [UInt8] = []
        // Open containers: true for an object.
        var stack: [Bool] = []
        var expect = Expect.value

        func newLine() {
            lines.append(String(decoding: line, as: UTF8.self))
            line = Array(repeating: 32, count: min(stack.count, 40) * 2)
        }

        scanner.skipSpace()
        guard let first = scanner.peek, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        while true {
            scanner.skipSpace()
            if expect == .commaOrClose && stack.isEmpty {
                guard scanner.peek == nil else { return nil }
                lines.append(String(decoding: line, as: UTF8.self))
                return lines
            }
            guard let byte = scanner.peek else { return nil }
            switch expect {
            case .value:
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    scanner.advance()
                    let isObject = byte == UInt8(ascii: "{")
                    line.append(byte)
                    stack.append(isObject)
                    scanner.skipSpace()
                    if scanner.peek == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        scanner.advance()
                        stack.removeLast()
                        line.append(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                        expect = .commaOrClose
                    } else {
                        newLine()
                        expect = isObject ? .key : .value
                    }
                } else if let token = scanner.scalar() {
                    line += token
                    expect = .commaOrClose
                } else {
                    return nil
                }
            case .key:
                guard byte == UInt8(ascii: "\""), let token = scanner.string() else { return nil }
                line += token
                expect = .colon
            case .colon:
                guard byte == UInt8(ascii: ":") else { return nil }
                scanner.advance()
                line += [UInt8(ascii: ":"), 32]
                expect = .value
            case .commaOrClose:
                guard let isObject = stack.last else { return nil }
                if byte == UInt8(ascii: ",") {
                    scanner.advance()
                    line.append(byte)
                    newLine()
                    expect = isObject ? .key : .value
                } else if byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    scanner.advance()
                    stack.removeLast()
                    newLine()
                    line.append(byte)
                } else {
                    return nil
                }
            }
        }
    }

    private enum Expect { case value, key, colon, commaOrClose }

    /// Reads JSON's tokens from bytes, checking each against the grammar.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func advance() { index += 1 }

        mutating func skipSpace() {
            while let byte = peek, byte == 32 || byte == 9 || byte == 10 || byte == 13 { index += 1 }
        }

        /// A string, a number, `true`, `false` or `null`, as spelt.
        mutating func scalar() -> [UInt8]? {
            guard let byte = peek else { return nil }
            if byte == UInt8(ascii: "\"") { return string() }
            for literal in ["true", "false", "null"] where bytes[index...].starts(with: literal.utf8) {
                index += literal.utf8.count
                return Array(literal.utf8)
            }
            return number()
        }

        /// A string with valid escapes, UTF-8 and no control characters.
        mutating func string() -> [UInt8]? {
            let start = index
            index += 1
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    let token = Array(bytes[start..<index])
                    guard String(validating: token, as: UTF8.self) != nil else { return nil }
                    return token
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return nil }
                    index += 1
                    if escaped == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            guard let hex = peek, isHexDigit(hex) else { return nil }
                            index += 1
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(escaped) {
                        return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    break
                }
            }
            return nil
        }

        /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
        mutating func number() -> [UInt8]? {
            let start = index
            func digits() -> Int {
                let from = index
                while let byte = peek, (48...57).contains(byte) { index += 1 }
                return index - from
            }
            if peek == UInt8(ascii: "-") { index += 1 }
            if peek == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                return nil
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            return Array(bytes[start..<index])
        }

        private func isHexDigit(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
    }
}
