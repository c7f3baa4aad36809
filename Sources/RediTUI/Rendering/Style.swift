/// A colour by name; `Palette` says how a terminal shows it. `default` is
/// the terminal's own; `grey` exists only where 256 colours do.
public enum Color: Sendable, Hashable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white, grey
}

/// Text attributes.
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = Attributes(rawValue: 1 << 0)
    public static let dim = Attributes(rawValue: 1 << 1)
    public static let reverse = Attributes(rawValue: 1 << 2)
    public static let underline = Attributes(rawValue: 1 << 3)
}

/// How a cell looks.
public struct Style: Sendable, Hashable {
    public var foreground: Color
    public var attributes: Attributes

    public init(foreground: Color = .default, attributes: Attributes = []) {
        self.foreground = foreground
        self.attributes = attributes
    }

    public static let plain = Style()
}
