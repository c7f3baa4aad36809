import StoreEngine

/// Tab completion in the command bar: command names for the first word;
/// then the command's option keywords and the keys of the live keyspace.
public enum Completion {
    /// At most this many candidates are gathered.
    public static let limit = 200

    /// The candidates for the word before the cursor of `text`.
    public static func candidates(for text: String, keys: some Sequence<Bytes>) -> [String] {
        let (words, partial) = split(text)
        if words.isEmpty {
            let lower = partial == partial.lowercased() && !partial.isEmpty
            return CommandTable.all.map(\.name)
                .filter { $0.lowercased().hasPrefix(partial.lowercased()) }
                .map { lower ? $0.lowercased() : $0 }
        }
        var found: [String] = []
        if let spec = CommandTable.spec(named: Bytes(words[0])) {
            found += tokens(in: spec.arguments).filter { $0.lowercased().hasPrefix(partial.lowercased()) }
        }
        for key in keys where found.count < limit {
            let text = key.description
            // Only keys that can be typed back as they are.
            if text.hasPrefix(partial), Bytes(text) == key, !text.contains(" "), !text.contains("\"") {
                found.append(text)
            }
        }
        return Array(Set(found)).sorted()
    }

    /// Completes the word before the end of `text`: a single candidate in
    /// full with a space after it, several up to their common prefix.
    public static func complete(_ text: String, keys: some Sequence<Bytes>) -> String {
        let candidates = candidates(for: text, keys: keys)
        let (_, partial) = split(text)
        let base = String(text.dropLast(partial.count))
        if candidates.count == 1 { return base + candidates[0] + " " }
        guard var common = candidates.first else { return text }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        return common.count > partial.count ? base + common : text
    }

    /// The complete words before the last one, and the last (partial) word.
    static func split(_ text: String) -> (words: [String], partial: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if text.isEmpty || text.hasSuffix(" ") { return (words, "") }
        return (Array(words.dropLast()), words.last ?? "")
    }

    /// Every keyword (`EX`, `NX`, `MATCH`...) in an argument list.
    static func tokens(in arguments: [ArgumentSpec]) -> [String] {
        arguments.flatMap { argument in
            (argument.token.map { [$0] } ?? []) + tokens(in: argument.arguments ?? [])
        }
    }
}
