/// A key press, decoded from the terminal.
public enum Key: Sendable, Hashable {
    case character(Character)
    /// Ctrl with a letter: `.control("a")` is Ctrl-A.
    case control(Character)
    /// Alt (Meta) with a character: ESC then the character.
    case alt(Character)
    case up, down, left, right, home, end, pageUp, pageDown
    case backspace, delete, enter, tab, escape
    case function(Int)
    /// The terminal changed size.
    case resize
}
