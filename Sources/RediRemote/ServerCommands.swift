import StoreEngine

/// What redi knows of the server's commands, from COMMAND: which ones
/// write, so that `--read-only` refuses them before they are sent.
struct ServerCommands: Sendable {
    /// Lowercased names (`set`, `config|set`) of the commands that change
    /// data or the server.
    private(set) var refused: Set<String> = []
    /// Commands that have subcommands (`config`, `client`).
    private(set) var containers: Set<String> = []

    init() {}

    /// Subcommands of admin and scripting commands that only read.
    private static let readVerbs: Set<String> = [
        "get", "len", "list", "info", "doctor", "latest", "history", "graph", "help", "stats", "dump", "count", "getname",
        "id", "docs", "usage", "encoding", "freq", "idletime", "refcount", "keyslot", "nodes", "slots", "shards", "myid", "exists",
    ]
    /// Stopping a runaway script is let through (it wrote nothing, or it cannot be stopped).
    private static let stops: Set<String> = ["script|kill", "function|kill"]
    /// Messages to subscribers: no data changes, but their work goes.
    private static let messages: Set<String> = ["publish", "spublish"]

    /// Reads COMMAND's reply (RESP2 or RESP3).
    init(_ reply: Reply) {
        guard let entries = reply.elements else { return }
        for entry in entries { add(entry, parent: nil) }
    }

    private mutating func add(_ entry: Reply, parent: String?) {
        guard let fields = entry.elements, fields.count >= 3, let name = fields[0].text?.lowercased() else { return }
        let flags = Set((fields[2].elements ?? []).compactMap(\.text))
        let categories = fields.count > 6 ? Set((fields[6].elements ?? []).compactMap(\.text)) : []
        let verb = name.split(separator: "|").last.map(String.init) ?? name
        let isRead = parent != nil && (Self.readVerbs.contains(verb) || Self.stops.contains(name))
        // Writes, what replicates, the admin commands that are not a read
        // (CONFIG SET, SHUTDOWN, DEBUG...), scripts not marked read-only
        // (EVAL may write; EVAL_RO and FCALL_RO are flagged readonly), and
        // a message to subscribers (it sets their work going).
        if flags.contains("write") || flags.contains("may_replicate") || Self.messages.contains(name)
            || (flags.contains("admin") && !isRead)
            || (categories.contains("@scripting") && !flags.contains("readonly") && !isRead) {
            refused.insert(name)
        }
        if fields.count >= 10, let subcommands = fields[9].elements, !subcommands.isEmpty {
            containers.insert(name)
            for subcommand in subcommands { add(subcommand, parent: name) }
        }
    }

    /// Whether `--read-only` refuses the command line.
    func refuses(_ command: [Bytes]) -> Bool {
        guard let first = command.first else { return false }
        let name = String(decoding: first.array, as: UTF8.self).lowercased()
        if containers.contains(name), command.count > 1 {
            let full = name + "|" + String(decoding: command[1].array, as: UTF8.self).lowercased()
            return refused.contains(full)
        }
        // EVAL_RO and FCALL_RO are reads; a script otherwise may write.
        return refused.contains(name)
    }
}

/// COMMAND DOCS's answer as arguments by command name: what the command
/// bar's hints and completion show for a server's own commands.
enum CommandDocs {
    static func arguments(_ reply: Reply) -> [String: [ArgumentSpec]] {
        var found: [String: [ArgumentSpec]] = [:]
        let elements = reply.elements ?? []
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].text {
                found[name] = elements[index + 1].fields["arguments"].map(arguments(in:)) ?? []
            }
            index += 2
        }
        return found
    }

    private static func arguments(in reply: Reply) -> [ArgumentSpec] {
        (reply.elements ?? []).compactMap { element in
            let fields = element.fields
            guard let name = fields["name"]?.text, let type = fields["type"]?.text else { return nil }
            let flags = Set((fields["flags"]?.elements ?? []).compactMap(\.text))
            return ArgumentSpec(
                name: fields["display_text"]?.text ?? name, type: type, token: fields["token"]?.text,
                optional: flags.contains("optional"), multiple: flags.contains("multiple"), since: fields["since"]?.text,
                arguments: fields["arguments"].map(arguments(in:)))
        }
    }
}

extension Reply {
    /// A RESP3 map's, or a RESP2 flat array's, fields by name.
    var fields: [String: Reply] {
        let elements = elements ?? []
        var fields: [String: Reply] = [:]
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].text { fields[name] = elements[index + 1] }
            index += 2
        }
        return fields
    }

    /// An array's, a set's, a map's or a push's elements.
    var elements: [Reply]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements), .map(let elements), .pairs(let elements): return elements
        default: return nil
        }
    }

    /// A bulk, status or verbatim string as text.
    var text: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes.array, as: UTF8.self)
        case .status(let text): return text
        case .verbatim(_, let bytes): return String(decoding: bytes.array, as: UTF8.self)
        default: return nil
        }
    }

    /// A bulk or status string's bytes.
    var bytes: Bytes? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Bytes(text)
        default: return nil
        }
    }

    /// An integer, or a string of one.
    var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes): return bytes.int64Value
        default: return nil
        }
    }
}
