import StoreEngine

/// Tab completion in the command bar: command names for the first word;
/// then the command's option keywords and the keys of the live keyspace.
/// A key that cannot be typed as it is (a space, a quote, a control or
/// non-UTF-8 byte) completes in double quotes with the escapes the bar
/// reads back (`InlineCommand`): `"my key"`, `"a\x00b"`.
public enum Completion {
    /// At most this many candidates are gathered.
    public static let limit = 200

    /// The candidates for the word before the cursor of `text`.
    public static func candidates(for text: String, keys: some Sequence<Bytes>, catalog: CommandCatalog = .local) -> [String] {
        let (words, partial) = split(text)
        if words.isEmpty && !partial.hasPrefix("\"") && !partial.hasPrefix("'") {
            let lower = partial == partial.lowercased() && !partial.isEmpty
            return catalog.names
                .filter { $0.lowercased().hasPrefix(partial.lowercased()) }
                .map { lower ? $0.lowercased() : $0.uppercased() }
        }
        var found: [String] = []
        if let name = words.first, let arguments = catalog.arguments(of: name) {
            found += tokens(in: arguments).filter { $0.lowercased().hasPrefix(partial.lowercased()) }
        }
        let quoted = partial.hasPrefix("\"") || partial.hasPrefix("'")
        let typed = unquoted(partial)
        for key in keys where found.count < limit && key.hasPrefix(typed) {
            found.append(quoted ? quote(key) : typable(key))
        }
        return Array(Set(found)).sorted()
    }

    /// Completes the word before the end of `text`: a single candidate in
    /// full with a space after it, several up to their common prefix.
    public static func complete(_ text: String, keys: some Sequence<Bytes>, catalog: CommandCatalog = .local) -> String {
        let candidates = candidates(for: text, keys: keys, catalog: catalog)
        let (_, partial) = split(text)
        let base = String(text.dropLast(partial.count))
        if candidates.count == 1 { return base + candidates[0] + " " }
        guard var common = candidates.first else { return text }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        return common.count > partial.count ? base + common : text
    }

    /// The complete words before the last one, and the last (partial) word
    /// as typed, its opening quote included. Spaces inside quotes do not
    /// split words, as the bar reads them.
    static func split(_ text: String) -> (words: [String], partial: String) {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        for character in text {
            if let open = quote {
                current.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if character == "\"" || character == "'" { quote = character }
                current.append(character)
            }
        }
        return (words.map { InlineCommand.split(Array($0.utf8))?.first.map(\.description) ?? $0 }, current)
    }

    /// The bytes a partly typed word stands for: what is inside an opening
    /// quote, escapes read as the bar reads them.
    static func unquoted(_ partial: String) -> Bytes {
        guard let open = partial.first, open == "\"" || open == "'" else { return Bytes(partial) }
        let closed = partial.count > 1 && partial.hasSuffix(String(open)) && !partial.hasSuffix("\\\(open)")
        let line = Array((closed ? partial : partial + String(open)).utf8)
        // A cut escape (`"a\x4`) reads as far as it can.
        for end in stride(from: line.count, through: 1, by: -1) {
            let attempt = Array(line[..<end]) + (end == line.count ? [] : Array(String(open).utf8))
            if let words = InlineCommand.split(attempt), words.count == 1 { return words[0] }
        }
        return Bytes()
    }

    /// The key as it can be typed: as it is when that reads back the same
    /// bytes, else quoted.
    static func typable(_ key: Bytes) -> String {
        let text = key.description
        let plain = !key.isEmpty && Bytes(text) == key && text.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
                && scalar != "\"" && scalar != "'" && scalar != "\\"
        }
        return plain ? text : quote(key)
    }

    /// The key in double quotes, escaped as `InlineCommand` reads it back.
    static func quote(_ key: Bytes) -> String {
        var result = "\""
        for piece in key.displayText.unicodeScalars {
            if piece == "\"" { result += "\\\"" } else { result.unicodeScalars.append(piece) }
        }
        return result + "\""
    }

    /// Every keyword (`EX`, `NX`, `MATCH`...) in an argument list.
    static func tokens(in arguments: [ArgumentSpec]) -> [String] {
        arguments.flatMap { argument in
            (argument.token.map { [$0] } ?? []) + tokens(in: argument.arguments ?? [])
        }
    }
}
