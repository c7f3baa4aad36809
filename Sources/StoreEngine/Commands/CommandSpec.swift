/// One command's entry in the command table (`Resources/commands.json`),
/// after Redis's `src/commands/*.json`.
public struct CommandSpec: Sendable, Decodable, Equatable {
    /// The name in upper case, as Redis documents it.
    public var name: String
    public var summary: String
    /// `string`, `generic`, `server` or `connection`.
    public var group: String
    /// The Redis version that introduced the command (redi's own: redi's version).
    public var since: String
    public var complexity: String
    /// Redis's arity: positive means exactly, negative means at least, the command name included.
    public var arity: Int
    /// `write`, `readonly`, `fast`, `denyoom`, `admin`, `frontend` (handled by the front end).
    public var flags: [String]
    /// Which arguments are keys.
    public var keys: KeyPositions?
    public var arguments: [ArgumentSpec]

    /// Positions of key arguments: `first` to `last` (negative counts from the end) by `step`.
    public struct KeyPositions: Sendable, Decodable, Equatable {
        public var first: Int
        public var last: Int
        public var step: Int
    }

    /// Whether a command line of `count` words, the name included, has a valid arity.
    public func acceptsArity(_ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The syntax line after the name, as redis-cli's help prints it:
    /// `key value [NX | XX] [GET] [EX seconds | ...]`.
    public var syntax: String {
        arguments.map(\.syntax).joined(separator: " ")
    }
}

/// One argument in a command's syntax.
public struct ArgumentSpec: Sendable, Decodable, Equatable {
    public var name: String
    /// `key`, `string`, `integer`, `pattern`, `unix-time`, `pure-token`, `oneof` or `block`.
    public var type: String
    /// A keyword that introduces the argument, such as `EX`.
    public var token: String?
    public var optional: Bool?
    public var multiple: Bool?
    public var since: String?
    /// The choices of a `oneof`, or the parts of a `block`.
    public var arguments: [ArgumentSpec]?

    public var isOptional: Bool { optional ?? false }
    public var isMultiple: Bool { multiple ?? false }

    /// The argument as a syntax fragment.
    public var syntax: String {
        var core: String
        switch type {
        case "pure-token":
            core = token ?? name
        case "oneof":
            core = (arguments ?? []).map(\.syntax).joined(separator: " | ")
        case "block":
            core = (arguments ?? []).map(\.syntax).joined(separator: " ")
        default:
            core = token.map { "\($0) \(name)" } ?? name
        }
        if isMultiple {
            core = "\(core) [\(core) ...]"
        }
        if isOptional {
            return "[\(core)]"
        }
        return type == "oneof" ? "<\(core)>" : core
    }
}
