/// The command bar's text and cursor, with readline's editing: Left/Right,
/// Home/End (Ctrl-A/E), Backspace/Delete, Ctrl-K/U/W, Alt-B/F.
public struct LineEditor: Sendable, Equatable {
    public private(set) var characters: [Character] = []
    /// The cursor, as an index into `characters` (0...count).
    public private(set) var cursor = 0

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    public mutating func insert(_ character: Character) {
        characters.insert(character, at: cursor)
        cursor += 1
    }

    public mutating func moveLeft() { cursor = max(cursor - 1, 0) }
    public mutating func moveRight() { cursor = min(cursor + 1, characters.count) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = characters.count }

    /// Backspace.
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        cursor -= 1
        characters.remove(at: cursor)
    }

    /// Delete.
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Ctrl-K.
    public mutating func killToEnd() { characters.removeSubrange(cursor...) }

    /// Ctrl-U.
    public mutating func killToStart() {
        characters.removeSubrange(..<cursor)
        cursor = 0
    }

    /// Ctrl-W: the word before the cursor and the spaces after it.
    public mutating func deleteWordBackward() {
        let start = wordStart(before: cursor)
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Alt-B.
    public mutating func moveWordLeft() { cursor = wordStart(before: cursor) }

    /// Alt-F.
    public mutating func moveWordRight() {
        var index = cursor
        while index < characters.count && characters[index] == " " { index += 1 }
        while index < characters.count && characters[index] != " " { index += 1 }
        cursor = index
    }

    /// Replaces the text, cursor at the end (history, completion).
    public mutating func replace(with text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    private func wordStart(before position: Int) -> Int {
        var index = position
        while index > 0 && characters[index - 1] == " " { index -= 1 }
        while index > 0 && characters[index - 1] != " " { index -= 1 }
        return index
    }

    /// Applies a dialog line's editing key (characters, Backspace, Delete,
    /// the arrows, Home/End, Ctrl-A/E/U/K).
    /// - Returns: whether the key was one of them.
    public mutating func edit(_ key: Key) -> Bool {
        switch key {
        case .character(let character): insert(character)
        case .backspace: deleteBackward()
        case .delete: deleteForward()
        case .left: moveLeft()
        case .right: moveRight()
        case .home, .control("a"): moveHome()
        case .end, .control("e"): moveEnd()
        case .control("u"): killToStart()
        case .control("k"): killToEnd()
        default: return false
        }
        return true
    }
}
