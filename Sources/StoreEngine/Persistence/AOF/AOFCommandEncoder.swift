/// A base of commands (`aof-use-rdb-preamble no`, `appendonly.aof.N.base.aof`),
/// as Redis's `rewriteAppendOnlyFileRio`: the function libraries' FUNCTION
/// LOAD, then for each database with keys a SELECT and, per key, the
/// commands that rebuild it (SET, RPUSH, SADD, ZADD, HMSET, at most 64
/// elements each) and PEXPIREAT for its deadline.
struct AOFCommandEncoder {
    /// Receives each full buffer; throws to abort.
    let sink: (UnsafeRawBufferPointer) throws -> Void
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20
    /// Redis's `AOF_REWRITE_ITEMS_PER_CMD`.
    static let itemsPerCommand = 64

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Writes the whole base.
    /// - Returns: the number of keys written.
    mutating func encode(_ databases: [Keyspace], functions: [Bytes]) throws -> Int {
        for code in functions { RESPCommand.append(["FUNCTION", "LOAD", code], to: &buffer) }
        var written = 0
        for (number, keyspace) in databases.enumerated() where keyspace.count > 0 {
            RESPCommand.append(["SELECT", Bytes(Int64(number))], to: &buffer)
            for slot in keyspace.occupiedSlots {
                let key = slot.key
                rebuild(key, slot.value)
                if slot.deadline != KeyTable.Slot.persistent {
                    RESPCommand.append(["PEXPIREAT", key, Bytes(slot.deadline)], to: &buffer)
                }
                written += 1
                if buffer.count >= Self.flushThreshold { try flush() }
            }
        }
        try flush()
        return written
    }

    private mutating func rebuild(_ key: Bytes, _ value: Value) {
        switch value {
        case .list(let list):
            batches("RPUSH", key, list.elements)
        case .hash(let hash):
            var pairs: [Bytes] = []
            hash.forEach { field, value in pairs += [field, value] }
            batches("HMSET", key, pairs, width: 2)
        case .set(let set):
            var members: [Bytes] = []
            set.forEach { members.append($0) }
            batches("SADD", key, members)
        case .sortedSet(let sortedSet):
            var pairs: [Bytes] = []
            sortedSet.forEach(ranks: 0..<sortedSet.count) { entry in
                pairs += [Score.format(entry.score), entry.member]
                return true
            }
            batches("ZADD", key, pairs, width: 2)
        default:
            RESPCommand.append(["SET", key, value.string ?? Bytes()], to: &buffer)
        }
    }

    /// `name key item...`, `itemsPerCommand` items (of `width` words) a command.
    private mutating func batches(_ name: Bytes, _ key: Bytes, _ words: [Bytes], width: Int = 1) {
        let step = Self.itemsPerCommand * width
        for start in stride(from: 0, to: words.count, by: step) {
            RESPCommand.append([name, key] + words[start..<min(start + step, words.count)], to: &buffer)
        }
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { try sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
