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
    /// A mouse report (SGR, `\e[<b;x;yM`).
    case mouse(MouseEvent)
}

/// What the mouse did, and where: columns and rows from 0.
public struct MouseEvent: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// The left button went down.
        case click
        /// Another button went down (it does nothing).
        case otherButton
        case wheelUp, wheelDown
        /// A button came up, or the mouse moved with one held: nothing to do.
        case other
    }

    public var action: Action
    public var x: Int
    public var y: Int

    public init(_ action: Action, x: Int, y: Int) {
        self.action = action
        self.x = x
        self.y = y
    }

    /// Decodes an SGR report's button code (xterm's `Cb`), 1-based column
    /// and row, and whether it was a press (`M`) or a release (`m`).
    static func sgr(button: Int, column: Int, row: Int, pressed: Bool) -> MouseEvent {
        // Bits 2 to 4 are Shift, Meta and Control; 32 marks motion; 64 the wheel.
        let code = button & ~0b11100
        let action: Action = switch (code, pressed) {
        case (64, _): .wheelUp
        case (65, _): .wheelDown
        case (0, true): .click
        case (1, true), (2, true): .otherButton
        default: .other
        }
        return MouseEvent(action, x: column - 1, y: row - 1)
    }
}
