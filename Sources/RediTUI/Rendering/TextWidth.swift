import CNcursesw

/// How many columns text takes in a terminal, as `wcwidth` says (the
/// locale must be set with `setlocale(LC_ALL, "")` first).
///
/// A character (a grapheme cluster) takes the columns of its scalars, as
/// ncurses and terminals that advance by `wcwidth` count them: a ZWJ family
/// `👨‍👩‍👧‍👦` takes four emoji's columns, a flag `🇺🇸` two letters', and a
/// variation selector or a combining mark none. Terminals disagree on
/// joined emoji (tmux joins a ZWJ sequence into one 2-column cell and keeps
/// only its first 21 bytes, xterm draws each emoji): so the joiner itself
/// is not drawn, and every terminal shows each person in the columns
/// ncurses counts, with every column after them where ncurses puts it.
public enum TextWidth {
    /// The columns of one scalar: 0 for combining marks, joiners and
    /// selectors, 2 for wide ones; control characters count 1 (they are
    /// escaped before display).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let width = redi_wcwidth(wchar_t(bitPattern: scalar.value))
        if width < 0 { return 1 }
        return min(Int(width), 2)
    }

    /// The columns of one character: the sum of its scalars'.
    public static func of(_ character: Character) -> Int {
        if character.unicodeScalars.count == 1 { return of(character.unicodeScalars.first!) }
        return character.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    /// The columns of a string.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    static let zeroWidthJoiner: Unicode.Scalar = "\u{200D}"

    /// Scalars a cell holds at most: one that takes columns and the zero-width
    /// ones after it (ncurses's `CCHARW_MAX`).
    public static let scalarsPerCell = 5

    /// The cells a character is drawn in: each scalar that takes columns
    /// starts one and keeps the zero-width scalars after it (up to
    /// `scalarsPerCell` in all; marks beyond that are not drawn). A cluster
    /// of zero-width scalars only is one cell of width 0, which joins the
    /// cell before it; zero-width scalars before the first that takes
    /// columns have no cell to join and are not drawn.
    public static func cells(of character: Character) -> [(symbol: String, width: Int)] {
        let scalars = character.unicodeScalars
        if scalars.count == 1 { return [(String(character), of(scalars.first!))] }
        var cells: [(symbol: String, width: Int)] = []
        var count = 0
        for scalar in scalars {
            if scalar == zeroWidthJoiner { continue }
            let width = of(scalar)
            if width > 0 {
                cells.append((String(scalar), width))
                count = 1
            } else if !cells.isEmpty && count < scalarsPerCell {
                cells[cells.count - 1].symbol.unicodeScalars.append(scalar)
                count += 1
            }
        }
        if cells.isEmpty {
            return [(String(String.UnicodeScalarView(scalars.prefix(scalarsPerCell))), 0)]
        }
        return cells
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
