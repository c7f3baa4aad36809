/// Whether the terminal's background is dark or light (`--theme`).
public enum Theme: String, Sendable, CaseIterable {
    case dark, light

    /// The theme `COLORFGBG` implies (rxvt's and Konsole's `fg;bg`, as
    /// vim reads it: a background of 0 to 6 or 8 is dark), dark without it.
    public static func detect(colorFGBG: String?) -> Theme {
        guard let last = colorFGBG?.split(separator: ";").last, let background = Int(last) else { return .dark }
        return (0...6).contains(background) || background == 8 ? .dark : .light
    }
}

/// How the UI's colours reach a terminal. Eight colours are all some
/// terminals have (linux, screen, xterm): there, the standard ones. With 256,
/// softer shades of the same hues, and dim text in grey, which reads better
/// than the faint attribute. None with `NO_COLOR` (no-color.org) or on a
/// terminal without colour (vt100): attributes alone then carry the meaning.
/// On a light background, darker shades: yellow and cyan, which do not
/// read on white, become brown and teal with 256 colours, magenta and blue
/// with eight; white text becomes black.
public struct Palette: Sendable, Equatable {
    public enum Depth: Sendable, Equatable {
        case none, eight, many
    }

    public let depth: Depth
    public let theme: Theme

    /// The palette for a terminal with `colors` colours (ncurses' COLORS).
    public init(colors: Int, noColor: Bool, theme: Theme = .dark) {
        depth = noColor || colors < 8 ? .none : colors >= 256 ? .many : .eight
        self.theme = theme
    }

    /// The colours drawn, in the order of their colour pairs (pair i + 1).
    public static let drawn: [Color] = [.black, .red, .green, .yellow, .blue, .magenta, .cyan, .white, .grey]

    /// The terminal's number for `color`; `nil` for the terminal's default
    /// colour, and for every colour without them.
    public func number(for color: Color) -> Int16? {
        switch (depth, theme) {
        case (.none, _):
            return nil
        case (.eight, .light):
            switch color {
            case .default, .grey: return nil
            case .black, .white: return 0
            case .red: return 1
            case .green: return 2
            case .yellow, .magenta: return 5
            case .blue, .cyan: return 4
            }
        case (.many, .light):
            switch color {
            case .default: return nil
            case .black, .white: return 16
            case .red: return 124
            case .green: return 28
            case .yellow: return 130
            case .blue: return 25
            case .magenta: return 127
            case .cyan: return 30
            case .grey: return 242
            }
        case (.eight, .dark):
            switch color {
            case .default, .grey: return nil
            case .black: return 0
            case .red: return 1
            case .green: return 2
            case .yellow: return 3
            case .blue: return 4
            case .magenta: return 5
            case .cyan: return 6
            case .white: return 7
            }
        case (.many, .dark):
            switch color {
            case .default: return nil
            case .black: return 0
            case .red: return 167
            case .green: return 107
            case .yellow: return 179
            case .blue: return 67
            case .magenta: return 133
            case .cyan: return 73
            case .white: return 252
            case .grey: return 244
            }
        }
    }

    /// How `style` is drawn here: with 256 colours, dim text turns grey.
    public func adapt(_ style: Style) -> Style {
        guard depth == .many, style.attributes.contains(.dim), style.foreground == .default else { return style }
        var adapted = style
        adapted.attributes.remove(.dim)
        adapted.foreground = .grey
        return adapted
    }
}
