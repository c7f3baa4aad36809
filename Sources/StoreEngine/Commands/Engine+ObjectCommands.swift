#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OBJECT and TIME.
extension Engine {
    /// OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP key.
    ///
    /// ENCODING follows Redis: a string as SET stores it is `int` for an
    /// integer of at most 20 characters, `embstr` up to 44 bytes, `raw`
    /// beyond; one changed in place by APPEND, SETRANGE or SETBIT is `raw`;
    /// one made by INCRBYFLOAT or DEBUG POPULATE is never `int`.
    func object(_ args: [Bytes]) -> Reply {
        let sub = args[1]
        if sub.equalsIgnoringCase("HELP") && args.count == 2 {
            return .lines([
                "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
                "    <key>.",
                "HELP", "    Prints this help.",
            ])
        }
        guard args.count == 3 else {
            return Engine.subcommandSyntaxError(args).reply
        }
        let encoding = sub.equalsIgnoringCase("ENCODING"), refcount = sub.equalsIgnoringCase("REFCOUNT")
        let idle = sub.equalsIgnoringCase("IDLETIME"), frequency = sub.equalsIgnoringCase("FREQ")
        guard encoding || refcount || idle || frequency else {
            return .error("ERR unknown subcommand '\(sub.description)'. Try OBJECT HELP.")
        }
        guard let slot = lookup(args[2]) else { return .null }
        let value = keyspace.value(at: slot)
        if encoding { return .bulk(Bytes(value.encodingName)) }
        if refcount { return .integer(Int64(value.referenceCount)) }
        if frequency {
            return .error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
        return .error("ERR redi does not track when keys were last accessed (OBJECT IDLETIME)")
    }

    /// DEBUG OBJECT key: Redis's line about a value (its encoding, references
    /// and RDB length; redi tracks no access time, so `lru` is 0).
    func debugObject(_ key: Bytes) -> Reply {
        guard let slot = lookup(key) else { return .noSuchKey }
        let value = keyspace.value(at: slot)
        // No object has an address in redi: the slot stands in for one.
        let address = String(0x7F00_0000_0000 + slot * 64, radix: 16)
        return .status("Value at:0x\(address) refcount:\(value.referenceCount) encoding:\(value.encodingName) "
            + "serializedlength:\(RDBEncoder.serializedLength(of: value)) lru:0 lru_seconds_idle:0")
    }

    /// TIME: Unix seconds and microseconds, as bulk strings.
    func time(_ args: [Bytes]) -> Reply {
        var now = timeval()
        gettimeofday(&now, nil)
        return .array([.bulk(Bytes(Int64(now.tv_sec))), .bulk(Bytes(Int64(now.tv_usec)))])
    }
}

extension Engine {
    /// MEMORY USAGE key [SAMPLES count] | HELP: the bytes a key takes in
    /// redi, estimated from its parts: its slot in the table (kept at most
    /// half full), the key's and value's heap storage when they are longer
    /// than the 14 bytes kept inline, and an entry in the deadline heap.
    func memory(_ args: [Bytes]) -> Reply {
        let sub = args[1]
        if sub.equalsIgnoringCase("HELP") && args.count == 2 {
            return .lines([
                "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "USAGE <key> [SAMPLES <count>]",
                "    Return memory in bytes used by <key> and its value. Nested values are",
                "    sampled up to <count> times (default: 5, 0 means sample all).",
                "HELP", "    Prints this help.",
            ])
        }
        guard sub.equalsIgnoringCase("USAGE"), args.count == 3 || args.count == 5 else {
            return Engine.subcommandSyntaxError(args).reply
        }
        if args.count == 5 {
            guard args[3].equalsIgnoringCase("SAMPLES") else { return .syntaxError }
            guard let samples = args[4].int64Value, samples >= 0 else { return .notInteger }
            _ = samples
        }
        guard let slot = lookup(args[2]) else { return .null }
        // The entry and the index slots a key has at the table's average load.
        let slotBytes = MemoryLayout<KeyEntry>.stride + 2 * MemoryLayout<UInt32>.stride
        let value = keyspace.value(at: slot).memoryBytes
        let deadline = keyspace.deadline(at: slot) == KeyTable.Slot.persistent ? 0 : MemoryLayout<Int64>.stride + 16
        return .integer(Int64(slotBytes + args[2].heapBytes + value + deadline))
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let objectCommands: [(String, Handler)] = [
        ("memory", { $0.memory($1) }),
        ("object", { $0.object($1) }),
        ("time", { $0.time($1) }),
    ]
}
