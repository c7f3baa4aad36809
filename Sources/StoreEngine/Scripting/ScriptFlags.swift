/// What a script declares it does, in its `#!lua flags=...` shebang (EVAL)
/// or to `redis.register_function` (functions), as Redis 7.0's `scriptFlag`s.
struct ScriptFlags: OptionSet, Sendable {
    let rawValue: Int

    static let noWrites = ScriptFlags(rawValue: 1 << 0)
    static let allowOOM = ScriptFlags(rawValue: 1 << 1)
    static let allowStale = ScriptFlags(rawValue: 1 << 2)
    static let noCluster = ScriptFlags(rawValue: 1 << 3)
    /// No shebang: a script as before Redis 7.0, whose flags come from its commands.
    static let evalCompatibility = ScriptFlags(rawValue: 1 << 4)
    static let allowCrossSlotKeys = ScriptFlags(rawValue: 1 << 5)

    /// The names Redis gives the flags a script may declare.
    static let names: [(String, ScriptFlags)] = [
        ("no-writes", .noWrites), ("allow-oom", .allowOOM), ("allow-stale", .allowStale),
        ("no-cluster", .noCluster), ("allow-cross-slot-keys", .allowCrossSlotKeys),
    ]

    /// Redis's `evalExtractShebangFlags`: the flags of a script's
    /// `#!lua flags=a,b` line and that line's length (0 without one).
    static func parseShebang(_ body: Bytes) throws(CommandError) -> (flags: ScriptFlags, length: Int) {
        let bytes = body.array
        guard bytes.starts(with: [35, 33]) else { return (.evalCompatibility, 0) }
        // Redis reads the body as a C string: a NUL ends it.
        let text = bytes.prefix { $0 != 0 }
        guard let end = text.firstIndex(of: 10) else { throw CommandError("ERR Invalid script shebang") }
        guard let parts = InlineCommand.split(bytes[..<end]), let engine = parts.first else {
            throw CommandError("ERR Invalid engine in script shebang")
        }
        guard engine == "#!lua" else { throw CommandError("ERR Unexpected engine in script shebang: \(engine.cString)") }
        var flags: ScriptFlags = []
        for part in parts.dropFirst() {
            guard part.array.starts(with: Array("flags=".utf8)) else {
                throw CommandError("ERR Unknown lua shebang option: \(part.cString)")
            }
            let list = part.array.dropFirst(6)
            guard !list.isEmpty else { continue }
            for name in list.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let name = String(decoding: name, as: UTF8.self)
                guard let flag = names.first(where: { $0.0 == name })?.1 else {
                    throw CommandError("ERR Unexpected flag in script shebang: \(name)")
                }
                flags.insert(flag)
            }
        }
        return (flags, end)
    }
}

extension Bytes {
    /// The bytes up to the first NUL as text: what Redis's `%s` prints of an sds.
    var cString: String {
        String(decoding: array.prefix { $0 != 0 }, as: UTF8.self)
    }
}
