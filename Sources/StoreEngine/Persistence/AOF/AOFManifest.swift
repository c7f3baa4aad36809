/// Redis 7.0's AOF manifest (`appendonly.aof.manifest`): which files make up
/// the append-only file, one line each, `file <name> seq <n> type b|h|i`.
/// The base (an RDB or a file of commands) first, then history files (left
/// by a rewrite, deleted once it is persisted), then the incr files in
/// order of their sequence numbers. As Redis's `aof.c`.
struct AOFManifest: Equatable {
    enum Kind: Character {
        case base = "b", history = "h", incr = "i"
    }

    struct File: Equatable {
        var name: String
        var sequence: Int64
        var kind: Kind
    }

    var base: File?
    var history: [File] = []
    var incr: [File] = []
    /// The last sequence numbers given, to a base and to an incr file.
    var baseSequence: Int64 = 0
    var incrSequence: Int64 = 0

    /// The files to load, in order: the base, then the incr files.
    var loadOrder: [File] { (base.map { [$0] } ?? []) + incr }

    /// Reads a manifest as Redis's `aofLoadManifestFromFile` does, with its
    /// error texts: comment lines (`#`) skipped, keys in any case, extra
    /// pairs ignored for forward compatibility, names quoted as `sdssplitargs`
    /// reads them and never paths.
    static func parse(_ text: [UInt8]) throws(AppendOnlyError.ManifestProblem) -> AOFManifest {
        var manifest = AOFManifest()
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A final newline ends the last line rather than starting another.
        let count = text.last == UInt8(ascii: "\n") ? lines.count - 1 : lines.count
        if text.isEmpty || count <= 0 { throw .init(line: 0, text: "", reason: "Found an empty AOF manifest") }
        for (index, raw) in lines.prefix(count).enumerated() {
            let number = index + 1
            if raw.first == UInt8(ascii: "#") { continue }
            let isBlank: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 }
            let line = String(decoding: raw.drop(while: isBlank).reversed().drop(while: isBlank).reversed(), as: UTF8.self)
            func fail(_ reason: String) -> AppendOnlyError.ManifestProblem { .init(line: number, text: line, reason: reason) }
            if raw.count > 1024 || (index == count - 1 && text.last != UInt8(ascii: "\n") && raw.count >= 1024) {
                throw fail("The AOF manifest file contains too long line")
            }
            guard !line.isEmpty else { throw fail("Invalid AOF manifest file format") }
            guard let words = InlineCommand.split(line.utf8), words.count >= 6, words.count % 2 == 0 else {
                throw fail("Invalid AOF manifest file format")
            }
            var name: String?
            var sequence: Int64 = 0
            var type: Character?
            for pair in stride(from: 0, to: words.count, by: 2) {
                let key = words[pair].description.lowercased()
                let value = words[pair + 1].description
                switch key {
                case "file":
                    guard !value.contains("/") else { throw fail("File can't be a path, just a filename") }
                    name = value
                case "seq":
                    sequence = Int64(value.prefix { $0.isNumber || $0 == "-" }) ?? 0
                case "type":
                    type = value.first
                default:
                    break
                }
            }
            guard let name, !name.isEmpty, sequence != 0, let type else { throw fail("Invalid AOF manifest file format") }
            guard let kind = Kind(rawValue: type) else { throw fail("Unknown AOF file type") }
            let file = File(name: name, sequence: sequence, kind: kind)
            switch kind {
            case .base:
                if manifest.base != nil { throw fail("Found duplicate base file information") }
                manifest.base = file
                manifest.baseSequence = sequence
            case .history:
                manifest.history.append(file)
            case .incr:
                if sequence <= (manifest.incr.last?.sequence ?? 0) { throw fail("Found a non-monotonic sequence number") }
                manifest.incr.append(file)
                manifest.incrSequence = sequence
            }
        }
        return manifest
    }

    /// The manifest's text, as Redis's `getAofManifestAsString` writes it.
    var text: String {
        (base.map { [$0] } ?? []).followedBy(history).followedBy(incr).map { file in
            let name = file.name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
                ? file.name : "\"" + Bytes(file.name).escaped + "\""
            return "file \(name) seq \(file.sequence) type \(file.kind.rawValue)\n"
        }.joined()
    }

    /// Starts a new base (Redis's `getNewBaseFileNameAndMarkPreAsHistory`):
    /// the old one becomes history.
    /// - Returns: the new base's name.
    mutating func newBase(prefix: String, rdb: Bool) -> String {
        if var old = base {
            old.kind = .history
            history.insert(old, at: 0)
        }
        baseSequence += 1
        let name = Self.baseName(prefix: prefix, sequence: baseSequence, rdb: rdb)
        base = File(name: name, sequence: baseSequence, kind: .base)
        return name
    }

    /// A base's file name: `appendonly.aof.N.base.rdb`, or `.aof` for one of commands.
    static func baseName(prefix: String, sequence: Int64, rdb: Bool) -> String {
        "\(prefix).\(sequence).base.\(rdb ? "rdb" : "aof")"
    }

    /// Adds a new incr file after the others (Redis's `getNewIncrAofName`).
    /// - Returns: its name.
    mutating func newIncr(prefix: String) -> String {
        incrSequence += 1
        let name = "\(prefix).\(incrSequence).incr.aof"
        incr.append(File(name: name, sequence: incrSequence, kind: .incr))
        return name
    }

    /// After a rewrite, the incr files its base holds become history: all
    /// of them, or all but the last when it is the one being written
    /// (Redis's `markRewrittenIncrAofAsHistory`).
    mutating func markRewrittenIncrsAsHistory(keepingLast: Bool) {
        let kept = keepingLast ? incr.suffix(1) : []
        for var file in incr.dropLast(kept.count).reversed() {
            file.kind = .history
            history.insert(file, at: 0)
        }
        incr = Array(kept)
    }
}

private extension Array {
    func followedBy(_ other: [Element]) -> [Element] { self + other }
}
