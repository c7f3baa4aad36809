import StoreEngine

extension Reply {
    /// The reply as redis-cli prints it in a terminal: `"Alice"`,
    /// `(integer) 1`, `(nil)`, `(error) ERR ...`, numbered array elements
    /// with nested arrays indented under their number, `(empty array)`.
    public var typedLines: [String] {
        switch self {
        case .status(let text): return [text]
        case .error(let text): return ["(error) \(text)"]
        case .integer(let value): return ["(integer) \(value)"]
        case .bulk(let bytes): return ["\"" + bytes.displayText.replacing("\"", with: "\\\"") + "\""]
        case .null, .nullArray: return ["(nil)"]
        case .double, .bigNumber, .verbatim: return Reply.bulk(rawLines[0]).typedLines
        case .boolean(let value): return ["(integer) \(value ? 1 : 0)"]
        case .array(let elements), .map(let elements), .push(let elements), .pairs(let elements), .set(let elements):
            if elements.isEmpty { return ["(empty array)"] }
            let width = String(elements.count).count
            var lines: [String] = []
            for (index, element) in elements.enumerated() {
                let number = String(index + 1)
                let label = String(repeating: " ", count: width - number.count) + number + ") "
                let inner = element.typedLines
                lines.append(label + inner[0])
                let indent = String(repeating: " ", count: label.count)
                lines += inner.dropFirst().map { indent + $0 }
            }
            return lines
        }
    }
}
