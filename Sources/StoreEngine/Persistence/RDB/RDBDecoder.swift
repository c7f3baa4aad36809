/// Reads an RDB file (versions 1 to 10) into databases 0 to 15: strings
/// (raw, integer or LZF encoded), lists, hashes, sets and sorted sets in
/// each of their records, with their deadlines. Aux fields, resize hints and
/// LRU/LFU data are read and ignored; other value types, modules, functions
/// and database numbers past 15 are refused by name. Every byte is
/// bounds-checked, every packed value validated and the CRC-64 trailer
/// verified, so a truncated or damaged file is an error, never a partial
/// load. A hash is packed or not as `limits` say, as Redis decides on load.
struct RDBDecoder {
    private let data: UnsafeRawBufferPointer
    private let path: String
    private let limits: EncodingLimits
    private var offset = 0
    /// Where `blob()` inflates a compressed string.
    private let scratch = Scratch()

    init(_ data: UnsafeRawBufferPointer, path: String, limits: EncodingLimits = EncodingLimits()) {
        self.data = data
        self.path = path
        self.limits = limits
    }

    struct Result {
        /// Every database, by number.
        var databases: [Keyspace]
        var skippedExpired: Int
        /// The function libraries' code, in the file's order.
        var functions: [Bytes] = []
        /// Bytes read, up to the checksum's end (an AOF's commands may follow).
        var length = 0
    }

    mutating func decode(now: Int64) throws(SnapshotError) -> Result {
        let header = try take(9)
        guard Array(header.prefix(5)) == RDBFormat.magic else {
            throw corrupt(at: 0, "not an RDB file (no REDIS header)")
        }
        guard let version = Int(String(decoding: header.suffix(4), as: UTF8.self)), version >= 1 else {
            throw corrupt(at: 5, "unreadable RDB version")
        }
        guard version <= RDBFormat.version else {
            throw SnapshotError.unsupported(path: path, reason: "RDB version \(version) is newer than redi reads (\(RDBFormat.version))")
        }

        // A large file's checksum is computed meanwhile on the other core,
        // assuming it ends the file, as it does but for an AOF's preamble.
        let checksum = version >= 5 && data.count >= 1 << 20
            ? BackgroundChecksum(of: UnsafeRawBufferPointer(rebasing: data[0..<data.count - 8])) : nil
        defer { _ = checksum?.value() }
        var databases = [Keyspace](repeating: Keyspace(), count: Engine.databaseCount)
        // Keys before any SELECTDB belong to database 0, as in Redis.
        var current = 0
        var skipped = 0
        var deadline = KeyTable.Slot.persistent
        var functions: [Bytes] = []
        while true {
            let typeOffset = offset
            let type = try byte()
            switch type {
            case RDBFormat.Opcode.expireTimeMilliseconds:
                deadline = Int64(bitPattern: try littleEndian(UInt64.self))
                continue
            case RDBFormat.Opcode.expireTimeSeconds:
                deadline = Int64(try littleEndian(Int32.self)) * 1000
                continue
            case RDBFormat.Opcode.idle:
                _ = try length()
                continue
            case RDBFormat.Opcode.frequency:
                _ = try byte()
                continue
            case RDBFormat.Opcode.aux:
                _ = try string()
                _ = try string()
                continue
            case RDBFormat.Opcode.resizeDB:
                let size = try length()
                _ = try length()
                databases[current].reserve(Int(min(size, UInt64(data.count / 3))))
                continue
            case RDBFormat.Opcode.selectDB:
                let database = try length()
                guard database < UInt64(Engine.databaseCount) else {
                    throw SnapshotError.unsupported(
                        path: path, reason: "it holds database \(database); redi has databases 0 to \(Engine.databaseCount - 1)")
                }
                current = Int(database)
                continue
            case RDBFormat.Opcode.moduleAux:
                throw SnapshotError.unsupported(path: path, reason: "it holds module data")
            case RDBFormat.Opcode.function2:
                functions.append(try string())
                continue
            case RDBFormat.Opcode.function:
                throw SnapshotError.unsupported(path: path, reason: "it holds functions in Redis 7.0's release candidates' format")
            case RDBFormat.Opcode.eof:
                try verifyChecksum(version: version, computed: checksum)
                return Result(databases: databases, skippedExpired: skipped, functions: functions, length: offset)
            case _ where RDBFormat.valueTypes.contains(type):
                let key = try string()
                // Where the key belongs comes into the cache while its value decodes.
                let hash = databases[current].prefetch(key)
                let value = try self.value(of: type, key: key, at: typeOffset)
                let expired = deadline != KeyTable.Slot.persistent && deadline < now
                if let value, !expired {
                    guard databases[current].insertIfAbsent(key, hash: hash, value: value, deadline: deadline) else {
                        throw corrupt(at: typeOffset, "duplicate key '\(key.escaped)'")
                    }
                } else if databases[current].find(key) != nil {
                    throw corrupt(at: typeOffset, "duplicate key '\(key.escaped)'")
                }
                if expired { skipped += 1 }
                deadline = KeyTable.Slot.persistent
            default:
                guard let name = RDBFormat.typeName(type) else {
                    throw corrupt(at: typeOffset, "unknown record type \(type)")
                }
                let key = try string()
                throw SnapshotError.unsupported(path: path, reason: "key '\(key.escaped)' holds a \(name); redi stores strings, lists, hashes, sets and sorted sets")
            }
        }
    }

    /// The libraries' code in FUNCTION DUMP's payload body (its footer checked).
    static func functionsPayload(_ payload: Bytes) throws(CommandError) -> [Bytes] {
        let body = try Engine.dumpPayloadBody(payload)
        let decoded: Swift.Result<[Bytes], CommandError> = body.withUnsafeBytes { raw in
            var decoder = RDBDecoder(raw, path: "the FUNCTION RESTORE payload")
            var codes: [Bytes] = []
            while decoder.offset < raw.count {
                guard let type = try? decoder.byte() else { return .failure(CommandError("ERR can not read data type")) }
                guard type == RDBFormat.Opcode.function2 else { return .failure(CommandError("ERR given type is not a function")) }
                guard let code = try? decoder.string() else { return .failure(CommandError("ERR failed loading the given functions payload")) }
                codes.append(code)
            }
            return .success(codes)
        }
        return try decoded.get()
    }

    /// The value in a DUMP payload's body (record type, then the value as a
    /// snapshot holds it; the caller checked the version and checksum after
    /// it): `nil` for an empty collection.
    static func restoredValue(_ body: UnsafeRawBufferPointer, key: Bytes, limits: EncodingLimits) throws(SnapshotError) -> Value? {
        var decoder = RDBDecoder(body, path: "the DUMP payload", limits: limits)
        let type = try decoder.byte()
        guard RDBFormat.valueTypes.contains(type) else { throw decoder.corrupt(at: 0, "unknown record type \(type)") }
        return try decoder.value(of: type, key: key, at: 0)
    }

    /// The value of a record of `type`; `nil` for an empty collection, which
    /// Redis skips on load.
    private mutating func value(of type: UInt8, key: Bytes, at position: Int) throws(SnapshotError) -> Value? {
        switch type {
        case RDBFormat.typeList, RDBFormat.typeListZiplist, RDBFormat.typeListQuicklist, RDBFormat.typeListQuicklist2:
            return try list(of: type, key: key, at: position)
        case RDBFormat.typeHash:
            let count = try count()
            var pairs: [(Bytes, Bytes)] = []
            pairs.reserveCapacity(min(count, data.count / 2))
            for _ in 0..<count { pairs.append((try string(), try string())) }
            return try hash(pairs, key: key, at: position)
        case RDBFormat.typeHashListpack:
            let listpack = try blob()
            let loaded: HashValue.Loaded
            do {
                loaded = try HashValue.load(listpack: listpack, limits: limits)
            } catch {
                throw corrupt(at: position, "hash '\(key.escaped)': \(error.reason)")
            }
            switch loaded {
            case .hash(let hash): return .hash(hash)
            case .empty: return nil
            case .fieldWithoutValue: throw corrupt(at: position, "hash '\(key.escaped)' has a field without a value")
            case .repeatedField: throw corrupt(at: position, "hash '\(key.escaped)' has a field twice")
            }
        case RDBFormat.typeHashZiplist, RDBFormat.typeHashZipmap:
            let blob = try string()
            let elements: [Bytes]
            do {
                switch type {
                case RDBFormat.typeHashZiplist: elements = try PackedEncodings.elements(ofZiplist: blob)
                default: elements = try PackedEncodings.elements(ofZipmap: blob)
                }
            } catch {
                throw corrupt(at: position, "hash '\(key.escaped)': \(error.reason)")
            }
            guard elements.count % 2 == 0 else { throw corrupt(at: position, "hash '\(key.escaped)' has a field without a value") }
            return try hash(stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }, key: key, at: position)
        case RDBFormat.typeSet:
            let count = try count()
            var members: [Bytes] = []
            members.reserveCapacity(min(count, data.count))
            for _ in 0..<count { members.append(try string()) }
            return try set(members, key: key, at: position)
        case RDBFormat.typeSetIntset:
            let blob = try string()
            let integers: [Int64]
            do {
                integers = try PackedEncodings.integers(ofIntset: blob)
            } catch {
                throw corrupt(at: position, "set '\(key.escaped)': \(error.reason)")
            }
            return try set(integers.map { Bytes($0) }, key: key, at: position)
        case RDBFormat.typeZSet, RDBFormat.typeZSet2:
            let count = try count()
            var entries: [ScoredMember] = []
            entries.reserveCapacity(min(count, data.count / 2))
            for _ in 0..<count {
                let member = try string()
                let scoreOffset = offset
                let score = type == RDBFormat.typeZSet2 ? Double(bitPattern: try littleEndian(UInt64.self)) : try textScore()
                guard !score.isNaN else { throw corrupt(at: scoreOffset, "sorted set '\(key.escaped)' has a NaN score") }
                entries.append(ScoredMember(score: score, member: member))
            }
            return try sortedSet(entries, key: key, at: position)
        case RDBFormat.typeZSetListpack, RDBFormat.typeZSetZiplist:
            let blob = try string()
            let elements: [Bytes]
            do {
                elements = type == RDBFormat.typeZSetListpack
                    ? try PackedEncodings.elements(ofListpack: blob) : try PackedEncodings.elements(ofZiplist: blob)
            } catch {
                throw corrupt(at: position, "sorted set '\(key.escaped)': \(error.reason)")
            }
            guard elements.count % 2 == 0 else { throw corrupt(at: position, "sorted set '\(key.escaped)' has a member without a score") }
            var entries: [ScoredMember] = []
            entries.reserveCapacity(elements.count / 2)
            for index in stride(from: 0, to: elements.count, by: 2) {
                guard let score = Score.parse(elements[index + 1]) else {
                    throw corrupt(at: position, "sorted set '\(key.escaped)' has an invalid score")
                }
                entries.append(ScoredMember(score: score, member: elements[index]))
            }
            return try sortedSet(entries, key: key, at: position)
        default:
            return .string(try string())
        }
    }

    /// A list in any of its records: QUICKLIST_2 (Redis 7.0's, listpack
    /// nodes kept as they are), QUICKLIST and ZIPLIST (ziplists, Redis 3.2
    /// to 6.2) and LIST (each element a string).
    private mutating func list(of type: UInt8, key: Bytes, at position: Int) throws(SnapshotError) -> Value? {
        /// What a blob holds, or the error naming the key.
        func decoded<T>(_ decode: () throws(PackedEncodings.Invalid) -> T) throws(SnapshotError) -> T {
            do { return try decode() } catch { throw corrupt(at: position, "list '\(key.escaped)': \(error.reason)") }
        }
        var list = ListValue(fill: limits.listMaxListpackSize)
        switch type {
        case RDBFormat.typeListQuicklist2:
            var nodes: [Listpack] = []
            for _ in 0..<(try count()) {
                let containerOffset = offset
                let container = try length()
                let blob = try string()
                switch container {
                case RDBFormat.Container.packed: nodes.append(try decoded { () throws(PackedEncodings.Invalid) in try Listpack(validating: blob) })
                case RDBFormat.Container.plain: nodes.append(Listpack([blob]))
                default: throw corrupt(at: containerOffset, "list '\(key.escaped)' has a node of unknown container \(container)")
                }
            }
            list = ListValue(fill: limits.listMaxListpackSize, nodes: nodes)
        case RDBFormat.typeListQuicklist, RDBFormat.typeListZiplist:
            for _ in 0..<(type == RDBFormat.typeListZiplist ? 1 : try count()) {
                let blob = try string()
                for element in try decoded({ () throws(PackedEncodings.Invalid) in try PackedEncodings.elements(ofZiplist: blob) }) {
                    list.push(element, atFront: false)
                }
            }
        default:
            for _ in 0..<(try count()) { list.push(try string(), atFront: false) }
        }
        return list.isEmpty ? nil : .list(list)
    }

    /// A score of the old ZSET record: a length byte, then that many ASCII
    /// characters (253, 254, 255: NaN, +inf, -inf).
    private mutating func textScore() throws(SnapshotError) -> Double {
        let start = offset
        switch try byte() {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        case let length:
            guard let score = Score.parse(Bytes(try take(Int(length)))) else { throw corrupt(at: start, "invalid score") }
            return score
        }
    }

    /// A sorted set from its entries: duplicates refused, as Redis's loader does.
    private func sortedSet(_ entries: [ScoredMember], key: Bytes, at position: Int) throws(SnapshotError) -> Value? {
        guard !entries.isEmpty else { return nil }
        guard let sortedSet = SortedSetValue.make(entries, limits: limits) else {
            throw corrupt(at: position, "sorted set '\(key.escaped)' has a member twice")
        }
        return .sortedSet(sortedSet)
    }

    /// A set from its members: duplicates refused, as Redis's loader does.
    private func set(_ members: [Bytes], key: Bytes, at position: Int) throws(SnapshotError) -> Value? {
        guard !members.isEmpty else { return nil }
        guard let set = SetValue.make(members, limits: limits) else { throw corrupt(at: position, "set '\(key.escaped)' has a member twice") }
        return .set(set)
    }

    /// A hash from its pairs: duplicate fields refused, as Redis's loader does.
    private func hash(_ pairs: [(Bytes, Bytes)], key: Bytes, at position: Int) throws(SnapshotError) -> Value? {
        guard !pairs.isEmpty else { return nil }
        guard let hash = HashValue.make(pairs, limits: limits) else {
            throw corrupt(at: position, "hash '\(key.escaped)' has a field twice")
        }
        return .hash(hash)
    }

    private func corrupt(at position: Int, _ reason: String) -> SnapshotError {
        .corrupt(path: path, offset: position, reason: reason)
    }

    private mutating func take(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard count >= 0, data.count - offset >= count else {
            throw corrupt(at: data.count, "unexpected end of file (truncated?)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: data[offset..<offset + count])
    }

    private mutating func byte() throws(SnapshotError) -> UInt8 {
        try take(1)[0]
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotError) -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    private mutating func bigEndian<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotError) -> T {
        T(bigEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// A length prefix, or the special encoding it announces.
    private enum Length {
        case plain(UInt64)
        case encoded(UInt8)
    }

    private mutating func lengthOrEncoding() throws(SnapshotError) -> Length {
        let start = offset
        let first = try byte()
        switch first >> 6 {
        case 0: return .plain(UInt64(first & 0x3F))
        case 1: return .plain(UInt64(first & 0x3F) << 8 | UInt64(try byte()))
        case 2:
            if first == 0x80 { return .plain(UInt64(try bigEndian(UInt32.self))) }
            if first == 0x81 { return .plain(try bigEndian(UInt64.self)) }
            throw corrupt(at: start, "invalid length byte \(first)")
        default: return .encoded(first & 0x3F)
        }
    }

    private mutating func length() throws(SnapshotError) -> UInt64 {
        let start = offset
        guard case .plain(let value) = try lengthOrEncoding() else {
            throw corrupt(at: start, "an encoded string where a length belongs")
        }
        return value
    }

    private mutating func count() throws(SnapshotError) -> Int {
        let start = offset
        let value = try length()
        guard value <= UInt64(data.count) else { throw corrupt(at: start, "length \(value) runs past the end of the file") }
        return Int(value)
    }

    /// A string in any of RDB's encodings where it lies: in the file, or
    /// inflated into the decoder's scratch buffer until the next call (a
    /// packed value read once, where `string()` would allocate its copy).
    private mutating func blob() throws(SnapshotError) -> UnsafeRawBufferPointer {
        let start = offset
        switch try lengthOrEncoding() {
        case .plain(let length):
            return try plain(length, at: start)
        case .encoded(RDBFormat.Encoding.lzf):
            let (compressed, length) = try compressed(at: start)
            let target = scratch.reserve(length)
            guard LZF.decompress(compressed, into: target) else { throw corrupt(at: start, "invalid LZF data") }
            return UnsafeRawBufferPointer(target)
        default:
            // An integer: its digits.
            offset = start
            let digits = try string()
            let target = scratch.reserve(digits.count)
            digits.withUnsafeBytes { target.copyMemory(from: $0) }
            return UnsafeRawBufferPointer(target)
        }
    }

    /// A string in any of RDB's encodings.
    private mutating func string() throws(SnapshotError) -> Bytes {
        let start = offset
        switch try lengthOrEncoding() {
        case .plain(let length):
            return Bytes(try plain(length, at: start))
        case .encoded(RDBFormat.Encoding.int8):
            return Bytes(Int64(Int8(bitPattern: try byte())))
        case .encoded(RDBFormat.Encoding.int16):
            return Bytes(Int64(try littleEndian(Int16.self)))
        case .encoded(RDBFormat.Encoding.int32):
            return Bytes(Int64(try littleEndian(Int32.self)))
        case .encoded(RDBFormat.Encoding.lzf):
            let (compressed, length) = try compressed(at: start)
            guard let expanded = LZF.decompress(compressed, length: length) else {
                throw corrupt(at: start, "invalid LZF data")
            }
            return Bytes(expanded)
        case .encoded(let other):
            throw corrupt(at: start, "unknown string encoding \(other)")
        }
    }

    /// The bytes of a plain string of `length`, where they lie.
    private mutating func plain(_ length: UInt64, at start: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard length <= UInt64(data.count) else { throw corrupt(at: start, "length \(length) runs past the end of the file") }
        return try take(Int(length))
    }

    /// An LZF string after its encoding byte: the compressed bytes, and the
    /// length they expand to.
    private mutating func compressed(at start: Int) throws(SnapshotError) -> (UnsafeRawBufferPointer, length: Int) {
        let compressedLength = try count()
        let length = try length()
        guard length <= UInt64(Engine.maxStringLength) else {
            throw corrupt(at: start, "compressed string of \(length) bytes is too long")
        }
        return (try take(compressedLength), Int(length))
    }

    /// Checks the CRC-64 of everything before the trailer. Files before
    /// version 5 have none; a zero trailer means the writer disabled it.
    private mutating func verifyChecksum(version: Int, computed: BackgroundChecksum?) throws(SnapshotError) {
        guard version >= 5 else { return }
        let covered = offset
        let stored = try littleEndian(UInt64.self)
        guard stored != 0 else { return }
        let actual: UInt64
        if let computed, covered == data.count - 8 {
            actual = computed.value()
        } else {
            var crc = CRC64()
            crc.update(UnsafeRawBufferPointer(rebasing: data[0..<covered]))
            actual = crc.value
        }
        guard actual == stored else {
            throw corrupt(at: covered, "checksum mismatch (file damaged)")
        }
    }
}

/// A buffer a decoder reuses, grown as needed, freed with the decoder.
private final class Scratch {
    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// The first `count` bytes of the buffer, grown to hold them; what it
    /// held before is gone.
    func reserve(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if buffer.count < count {
            buffer.deallocate()
            buffer = .allocate(byteCount: max(count, 2 * buffer.count), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
    }

    deinit { buffer.deallocate() }
}
