/// Where the snapshot lives and when it is saved on its own.
public struct PersistenceSettings: Sendable, Equatable {
    /// The snapshot file.
    public var path: String
    /// Redis's `save` rules; empty turns automatic saves off.
    public var rules: [SaveRule]

    public init(path: String, rules: [SaveRule] = SaveRule.defaults) {
        self.path = path
        self.rules = rules
    }
}

/// Save after `seconds` if at least `changes` writes happened, as Redis's `save` setting.
public struct SaveRule: Sendable, Equatable {
    /// Seconds since the last save.
    public var seconds: Int64
    /// Changes since the last save.
    public var changes: Int

    public init(seconds: Int64, changes: Int) {
        self.seconds = seconds
        self.changes = changes
    }

    /// Redis's default: `3600 1 300 100 60 10000`.
    public static let defaults = [
        SaveRule(seconds: 3600, changes: 1),
        SaveRule(seconds: 300, changes: 100),
        SaveRule(seconds: 60, changes: 10000),
    ]

    /// Redis's syntax for a list of rules, as CONFIG GET save shows it.
    public static func format(_ rules: [SaveRule]) -> String {
        rules.map { "\($0.seconds) \($0.changes)" }.joined(separator: " ")
    }

    /// Parses Redis's syntax, pairs of numbers such as `"3600 1 300 100"`; `""` means none.
    public static func parse(_ text: String) -> [SaveRule]? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count % 2 == 0 else { return nil }
        var rules: [SaveRule] = []
        for index in stride(from: 0, to: words.count, by: 2) {
            guard let seconds = Int64(words[index]), let changes = Int(words[index + 1]),
                  seconds > 0, changes >= 0 else { return nil }
            rules.append(SaveRule(seconds: seconds, changes: changes))
        }
        return rules
    }

}
