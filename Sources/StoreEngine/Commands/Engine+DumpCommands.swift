/// DUMP and RESTORE, after Redis's `cluster.c`: a value moves between
/// servers as its DUMP payload (`RDBEncoder.dumpPayload`), byte for byte
/// what Redis 7.0 makes and reads.
extension Engine {
    /// DUMP key: the payload, or a null for no key.
    func dump(_ args: [Bytes]) -> Reply {
        guard let value = value(of: args[1]) else { return .null }
        return .bulk(Bytes(RDBEncoder.dumpPayload(of: value)))
    }

    /// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
    /// [FREQ frequency]. A relative TTL is propagated as ABSTTL; one already
    /// past restores nothing (and deletes what REPLACE replaced).
    func restore(_ args: [Bytes]) throws(CommandError) -> Reply {
        var (replace, absoluteTTL, idle, frequency): (Bool, Bool, Int64?, Int64?) = (false, false, nil, nil)
        var index = 4
        while index < args.count {
            let option = args[index]
            let hasValue = index + 1 < args.count
            if option.equalsIgnoringCase("REPLACE") {
                replace = true
            } else if option.equalsIgnoringCase("ABSTTL") {
                absoluteTTL = true
            } else if option.equalsIgnoringCase("IDLETIME"), hasValue, frequency == nil {
                guard let seconds = args[index + 1].int64Value else { throw .notInteger }
                guard seconds >= 0 else { throw CommandError("ERR Invalid IDLETIME value, must be >= 0") }
                idle = seconds
                index += 1
            } else if option.equalsIgnoringCase("FREQ"), hasValue, idle == nil {
                guard let count = args[index + 1].int64Value else { throw .notInteger }
                guard (0...255).contains(count) else { throw CommandError("ERR Invalid FREQ value, must be >= 0 and <= 255") }
                frequency = count
                index += 1
            } else {
                throw .syntax
            }
            index += 1
        }
        let key = args[1]
        if !replace && lookup(key) != nil { throw CommandError("BUSYKEY Target key name already exists.") }
        guard var ttl = args[2].int64Value else { throw .notInteger }
        guard ttl >= 0 else { throw CommandError("ERR Invalid TTL value, must be >= 0") }
        guard let value = try Self.restoredValue(args[3], key: key, limits: encodingLimits) else {
            throw CommandError("ERR Bad data format")
        }
        let existing = replace ? lookup(key) : nil
        if let existing { keyspace.remove(at: existing) }
        if ttl != 0 && !absoluteTTL { ttl = ttl &+ now }
        if ttl != 0 && isPast(ttl) {
            if existing != nil {
                rewritePropagation(["DEL", key])
                signalWrite(.del, key)
            }
            return .ok
        }
        let slot = store(key, value, at: nil)
        if ttl != 0 {
            keyspace.setDeadline(at: slot, to: ttl)
            if !absoluteTTL { rewritePropagation(Array(args[0...1]) + [Bytes(ttl)] + args[3...] + ["ABSTTL"]) }
        }
        signalWrite(.restore, key)
        return .ok
    }

    /// The value a DUMP payload holds, after checking its footer as Redis's
    /// `verifyDumpPayload` does (an RDB version redi reads, the CRC-64);
    /// `nil` for a payload that holds no value Redis would restore.
    static func restoredValue(_ payload: Bytes, key: Bytes, limits: EncodingLimits) throws(CommandError) -> Value? {
        let body = try dumpPayloadBody(payload)
        return body.withUnsafeBytes { raw in try? RDBDecoder.restoredValue(raw, key: key, limits: limits) } ?? nil
    }

    /// A DUMP payload's body (FUNCTION DUMP's too), after checking its
    /// footer as Redis's `verifyDumpPayload` does: an RDB version redi
    /// reads, then the CRC-64 of all before it.
    static func dumpPayloadBody(_ payload: Bytes) throws(CommandError) -> [UInt8] {
        let wrong = CommandError("ERR DUMP payload version or checksum are wrong")
        let bytes = payload.array
        guard bytes.count >= 10 else { throw wrong }
        let version = Int(bytes[bytes.count - 10]) | Int(bytes[bytes.count - 9]) << 8
        guard version <= RDBFormat.version else { throw wrong }
        let checksum = bytes[(bytes.count - 8)...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard CRC64.checksum(bytes[..<(bytes.count - 8)]) == checksum else { throw wrong }
        return Array(bytes[..<(bytes.count - 10)])
    }
}

/// What MIGRATE (a server's command: it needs the network) asks of the
/// store while it runs.
extension Engine {
    /// A live key's DUMP payload and the milliseconds it has left (`nil`: no TTL).
    public func migrationPayload(of key: Bytes) -> (bytes: Bytes, remaining: Int64?)? {
        guard let slot = lookupRead(key) else { return nil }
        let deadline = keyspace.deadline(at: slot)
        let remaining = deadline == KeyTable.Slot.persistent ? nil : deadline - now
        return (Bytes(RDBEncoder.dumpPayload(of: keyspace.value(at: slot))), remaining)
    }

    /// Deletes the keys the target accepted; the MIGRATE propagates as their DEL.
    public func removeMigrated(_ keys: [Bytes]) {
        var removed: [Bytes] = []
        for key in keys {
            guard let slot = lookup(key) else { continue }
            keyspace.remove(at: slot)
            signalWrite(.del, key)
            removed.append(key)
        }
        if !removed.isEmpty { rewritePropagation(["DEL"] + removed) }
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let dumpCommands: [(String, Handler)] = [
        ("dump", { $0.dump($1) }),
        ("restore", { engine, args throws(CommandError) in try engine.restore(args) }),
    ]
}
