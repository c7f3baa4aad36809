import CNcursesw

/// How many columns text takes in a terminal, as `wcwidth` says (the
/// locale must be set with `setlocale(LC_ALL, "")` first).
public enum TextWidth {
    /// The columns of one character: 0 for combining marks, 2 for wide ones;
    /// control characters count 1 (they are escaped before display).
    public static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let width = redi_wcwidth(wchar_t(bitPattern: first.value))
        if width < 0 { return 1 }
        return min(Int(width), 2)
    }

    /// The columns of a string.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The longest prefix of `text` that fits in `columns`, ending with `…`
    /// when cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        return result + "…"
    }
}
