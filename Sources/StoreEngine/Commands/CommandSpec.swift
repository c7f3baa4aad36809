/// One command's entry in the command table (`Resources/commands.json`),
/// after Redis's `src/commands/*.json`. A class: every command a server
/// runs looks its entry up, and passing a reference costs one count where
/// copying the fields would cost one per field.
public final class CommandSpec: Sendable, Decodable {
    /// The name in upper case, as Redis documents it.
    public let name: String
    public let summary: String
    /// `string`, `generic`, `server` or `connection`.
    public let group: String
    /// The Redis version that introduced the command (redi's own: redi's version).
    public let since: String
    public let complexity: String
    /// Redis's arity: positive means exactly, negative means at least, the command name included.
    public let arity: Int
    /// `write`, `readonly`, `fast`, `denyoom`, `admin`, `frontend` (handled by the front end).
    public let flags: [String]
    /// Which arguments are keys.
    public let keys: KeyPositions?
    public let arguments: [ArgumentSpec]
    /// The flags Redis 7.0's COMMAND INFO lists (`redis_flags`); `nil` for redi's own commands.
    public let redisFlags: [String]?
    /// Redis's ACL categories (`@read`, `@string`...).
    public let aclCategories: [String]?
    /// Redis's hints for clients and proxies (`request_policy:all_shards`...).
    public let tips: [String]?
    /// Where the keys are, as Redis 7.0's key specs say (cluster clients and proxies read them).
    public let keySpecs: [KeySpec]?
    /// A container's subcommands (OBJECT ENCODING is `object|encoding`), each
    /// with its own arity.
    public let subcommands: [CommandSpec]?

    enum CodingKeys: String, CodingKey {
        case name, summary, group, since, complexity, arity, flags, keys, arguments, tips, subcommands
        case redisFlags = "redis_flags"
        case aclCategories = "acl_categories"
        case keySpecs = "key_specs"
    }

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

    /// The subcommand `name` of a container, in any case.
    public func subcommand(named name: Bytes) -> CommandSpec? {
        let full = self.name.lowercased() + "|" + name.description.lowercased()
        return subcommands?.first { $0.name == full }
    }

    /// Redis's checks before a command runs (`processCommand`): its arity,
    /// and for a container, that the subcommand exists and has its own
    /// arity (`wrong number of arguments for 'object|encoding' command`).
    /// - Returns: the error reply, or `nil` when the line may run.
    public func refusal(of words: [Bytes]) -> Reply? {
        if let subcommands, !subcommands.isEmpty, words.count >= 2 {
            guard let sub = subcommand(named: words[1]) else {
                let text = String(decoding: words[1].array.prefix(128).prefix { $0 != 0 }, as: UTF8.self)
                return .error("ERR unknown subcommand '\(text)'. Try \(name.uppercased()) HELP.")
            }
            return sub.acceptsArity(words.count) ? nil : .wrongArity(sub.name)
        }
        return acceptsArity(words.count) ? nil : .wrongArity(name.lowercased())
    }

    /// The syntax line after the name, as redis-cli's help prints it:
    /// `key value [NX | XX] [GET] [EX seconds | ...]`.
    public var syntax: String {
        arguments.map(\.syntax).joined(separator: " ")
    }
}

/// One of Redis 7.0's key specs: how to find a command's keys.
public struct KeySpec: Sendable, Decodable, Equatable {
    public var notes: String?
    /// `RW`, `RO`, `OW`, `RM`, `access`, `update`, `insert`, `delete`...
    public var flags: [String]
    public var beginSearch: BeginSearch
    public var findKeys: FindKeys

    /// Where the search for keys starts: at an index, or after a keyword.
    public struct BeginSearch: Sendable, Decodable, Equatable {
        /// `index`, `keyword` or `unknown`.
        public var type: String
        public var index: Int?
        public var keyword: String?
        public var startfrom: Int?
    }

    /// Which arguments from there are keys: a range, or a count then keys.
    public struct FindKeys: Sendable, Decodable, Equatable {
        /// `range`, `keynum` or `unknown`.
        public var type: String
        public var lastkey: Int?
        public var keystep: Int?
        public var limit: Int?
        public var keynumidx: Int?
        public var firstkey: Int?
    }

    enum CodingKeys: String, CodingKey {
        case notes, flags
        case beginSearch = "begin_search"
        case findKeys = "find_keys"
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

    public init(
        name: String, type: String, token: String? = nil, optional: Bool? = nil, multiple: Bool? = nil,
        since: String? = nil, arguments: [ArgumentSpec]? = nil
    ) {
        self.name = name
        self.type = type
        self.token = token
        self.optional = optional
        self.multiple = multiple
        self.since = since
        self.arguments = arguments
    }

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
            core = name
        }
        if isMultiple {
            core = "\(core) [\(core) ...]"
        }
        // The keyword comes once, before what it introduces (`LIMIT offset count`, `WEIGHTS weight [weight ...]`).
        if type != "pure-token", let token {
            core = type == "oneof" ? "\(token) <\(core)>" : "\(token) \(core)"
        }
        if isOptional {
            return "[\(core)]"
        }
        return type == "oneof" && token == nil ? "<\(core)>" : core
    }
}

extension CommandSpec {
    /// The positions of a command line's keys, with their spec's flags, by
    /// Redis's key specs (`getKeysUsingKeySpecs`); `nil` when a spec cannot
    /// be followed (a key count that is not a number).
    public func keyPositions(in command: [Bytes]) -> [(position: Int, flags: [String])]? {
        var keys: [(position: Int, flags: [String])] = []
        let count = command.count
        for spec in keySpecs ?? [] {
            var first = 0
            switch spec.beginSearch.type {
            case "index":
                first = spec.beginSearch.index ?? 0
            case "keyword":
                guard let keyword = spec.beginSearch.keyword, let from = spec.beginSearch.startfrom else { continue }
                let start = from > 0 ? from : count + from
                let end = from > 0 ? count - 1 : 1
                var index = start
                while index >= 1 && index < count {
                    if command[index].asciiLowercased() == Bytes(keyword.lowercased()) {
                        first = index + 1
                        break
                    }
                    if index == end { break }
                    index += start <= end ? 1 : -1
                }
                guard first != 0 else { continue }
            default:
                continue
            }
            var last: Int
            var step: Int
            switch spec.findKeys.type {
            case "range":
                let lastKey = spec.findKeys.lastkey ?? 0
                let limit = spec.findKeys.limit ?? 0
                if lastKey >= 0 {
                    last = first + lastKey
                } else if limit == 0 {
                    last = count + lastKey
                } else {
                    last = first + ((count - first) / limit + lastKey)
                }
                step = spec.findKeys.keystep ?? 1
            case "keynum":
                let index = first + (spec.findKeys.keynumidx ?? 0)
                guard index < count, let keyCount = command[index].int64Value, keyCount >= 0 else { return nil }
                first += spec.findKeys.firstkey ?? 0
                last = first + Int(clamping: keyCount) - 1
                step = spec.findKeys.keystep ?? 1
            default:
                continue
            }
            guard step > 0 else { continue }
            var position = first
            while position <= last {
                // A line too short for its keys (variable arity) gives none past its end.
                if position < count { keys.append((position, spec.flags)) }
                position += step
            }
        }
        return keys
    }
}
