/// The keys terminals send as escape sequences, decoded whatever TERM says:
/// xterm's and VT100's (`\e[A`, `\eOH`, `\e[1;5C`), tmux's and screen's
/// (`\e[1~`, `\e[4~`), the Linux console's (`\e[[A` for F1) and rxvt's
/// (`\e[7~`, `\e[a`). ncurses decodes what the terminfo entry names; this
/// decodes the rest, and a sequence it does not know is dropped whole, never
/// typed as text.
enum EscapeSequence {
    enum Outcome: Equatable {
        case key(Key)
        /// Not a key redi uses (a mouse report, a modified key...): drop it.
        case unknown
        /// More must follow.
        case incomplete
    }

    /// Characters after ESC past which a sequence is given up.
    static let maximumLength = 32

    /// Decodes the characters that followed ESC.
    static func decode(_ sequence: [UInt32]) -> Outcome {
        guard let first = sequence.first else { return .incomplete }
        switch first {
        case 0x5B: // [ : CSI
            guard sequence.count > 1 else { return .incomplete }
            if sequence[1] == 0x5B {
                // The Linux console's F1 to F5: \e[[A to \e[[E.
                guard sequence.count > 2 else { return .incomplete }
                guard sequence.count == 3, (0x41...0x45).contains(sequence[2]) else { return .unknown }
                return .key(.function(Int(sequence[2] - 0x40)))
            }
            return controlSequence(Array(sequence.dropFirst()))
        case 0x4F: // O : SS3
            guard sequence.count > 1 else { return .incomplete }
            return sequence.count == 2 ? singleShift(sequence[1]) : .unknown
        case 27:
            return .key(.escape)
        default:
            guard sequence.count == 1, let scalar = Unicode.Scalar(first) else { return .unknown }
            return .key(.alt(Character(scalar)))
        }
    }

    /// What a sequence cut short means: ESC alone, Alt with `[` or `O`
    /// (nothing followed them), or nothing.
    static func decodeCut(_ sequence: [UInt32]) -> Key? {
        switch sequence.count {
        case 0: return .escape
        case 1: return Unicode.Scalar(sequence[0]).map { .alt(Character($0)) }
        default: return nil
        }
    }

    /// `\e[` parameters (digits and `;`), then a final character.
    private static func controlSequence(_ body: [UInt32]) -> Outcome {
        guard let final = body.last else { return .incomplete }
        if body.first == 0x3C { return mouseReport(Array(body.dropFirst())) }
        let parameters = body.dropLast()
        guard parameters.allSatisfy({ (0x30...0x3F).contains($0) }) else { return .unknown }
        // rxvt ends modified keys with $ or ^ (\e[7^ is Ctrl-Home).
        let rxvtFinal = (final == 0x24 || final == 0x5E) && !parameters.isEmpty
        if (0x30...0x3F).contains(final) { return .incomplete }
        guard (0x40...0x7E).contains(final) || rxvtFinal else { return .unknown }
        let numbers = String(decoding: parameters.map { UInt8($0) }, as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false)
        if let key = Unicode.Scalar(final).flatMap({ letterKey(Character($0)) }) { return .key(key) }
        guard final == 0x7E || final == 0x24 || final == 0x5E || final == 0x40,
              let code = numbers.first.flatMap({ Int($0) }), let key = tilde(code) else { return .unknown }
        return .key(key)
    }

    /// An SGR mouse report after `\e[<`: `b;x;y` then `M` (pressed) or
    /// `m` (released).
    static func mouseReport(_ body: [UInt32]) -> Outcome {
        guard let final = body.last else { return .incomplete }
        if (0x30...0x3B).contains(final) { return .incomplete }
        let numbers = String(decoding: body.dropLast().map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
            .split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        guard final == 0x4D || final == 0x6D, numbers.count == 3, let button = numbers[0], let column = numbers[1], let row = numbers[2],
              column > 0, row > 0 else { return .unknown }
        return .key(.mouse(.sgr(button: button, column: column, row: row, pressed: final == 0x4D)))
    }

    /// The keys both `\e[` and `\eO` end with a letter: the arrows (rxvt's
    /// modified ones in lower case), Home, End and F1 to F4.
    private static func letterKey(_ letter: Character) -> Key? {
        switch letter {
        case "A", "a": return .up
        case "B", "b": return .down
        case "C", "c": return .right
        case "D", "d": return .left
        case "H": return .home
        case "F": return .end
        case "P": return .function(1)
        case "Q": return .function(2)
        case "R": return .function(3)
        case "S": return .function(4)
        default: return nil
        }
    }

    /// `\e[N~`: the keys of the editing pad and the function keys.
    private static func tilde(_ code: Int) -> Key? {
        switch code {
        case 1, 7: return .home
        case 3: return .delete
        case 4, 8: return .end
        case 5: return .pageUp
        case 6: return .pageDown
        case 11...15: return .function(code - 10)
        case 17...21: return .function(code - 11)
        case 23, 24: return .function(code - 12)
        default: return nil
        }
    }

    /// `\eO` and one character: VT100's cursor keys, F1 to F4, and the
    /// keypad in application mode.
    private static func singleShift(_ character: UInt32) -> Outcome {
        guard let scalar = Unicode.Scalar(character) else { return .unknown }
        if let key = letterKey(Character(scalar)) { return .key(key) }
        switch Character(scalar) {
        case "M": return .key(.enter)
        default:
            // The keypad's digits and signs: \eOp is 0 ... \eOy is 9, \eOj is *.
            let keypad = Array("*+,-./0123456789")
            let index = Int(character) - 0x6A
            return keypad.indices.contains(index) ? .key(.character(keypad[index])) : .unknown
        }
    }
}
