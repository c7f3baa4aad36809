/// Serializes the databases as an RDB version 10 file, as Redis 7.0 writes
/// one: header, aux fields, then for each database with keys SELECTDB and
/// RESIZEDB and each key with its
/// millisecond deadline before it, EOF and the CRC-64 trailer. Strings are
/// integer-encoded or LZF-compressed where Redis would do so.
struct RDBEncoder {
    /// Receives each full buffer; throws to abort.
    let sink: (UnsafeRawBufferPointer) throws -> Void
    private var buffer: [UInt8] = []
    private var crc = CRC64()
    private static let flushThreshold = 1 << 20

    init(reserving capacity: Int = RDBEncoder.flushThreshold + 4096, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(capacity)
    }

    /// Redis's DUMP payload (`createDumpPayload`): the value's record type
    /// and body as a snapshot holds them, the RDB version in two bytes,
    /// then a CRC-64 of all that.
    static func dumpPayload(of value: Value) -> [UInt8] {
        var encoder = RDBEncoder(reserving: 64) { _ in }
        encoder.buffer.append(recordType(of: value))
        encoder.object(value)
        return withFooter(encoder.buffer)
    }

    /// FUNCTION DUMP's payload: each library's code as a snapshot holds it
    /// (`RDB_OPCODE_FUNCTION2` and a string), then the version and CRC-64 as DUMP's.
    static func functionsPayload(_ codes: [Bytes]) -> [UInt8] {
        var encoder = RDBEncoder(reserving: 64) { _ in }
        encoder.functions(codes)
        return withFooter(encoder.buffer)
    }

    private static func withFooter(_ body: [UInt8]) -> [UInt8] {
        var payload = body
        payload += [UInt8(RDBFormat.version), 0]
        withUnsafeBytes(of: CRC64.checksum(payload).littleEndian) { payload += $0 }
        return payload
    }

    /// The libraries' records, as Redis writes them before the databases.
    private mutating func functions(_ codes: [Bytes]) {
        for code in codes {
            buffer.append(RDBFormat.Opcode.function2)
            string(code)
        }
    }

    /// Writes the whole file. Keys already expired are written too, as Redis
    /// does; loaders skip them.
    /// - Returns: the number of keys written.
    mutating func encode(_ databases: [Keyspace], functions codes: [Bytes] = [], createdAt: Int64, appendOnlyBase: Bool = false) throws -> Int {
        buffer.append(contentsOf: RDBFormat.magic)
        let version = String(RDBFormat.version)
        buffer.append(contentsOf: (String(repeating: "0", count: 4 - version.count) + version).utf8)
        auxiliary("redi-ver", string: Bytes(rediVersion))
        auxiliary("redis-bits", string: Bytes(Int64(64)))
        auxiliary("ctime", string: Bytes(createdAt / 1000))
        auxiliary("aof-base", string: Bytes(Int64(appendOnlyBase ? 1 : 0)))
        functions(codes)

        var written = 0
        for (number, keyspace) in databases.enumerated() where keyspace.count > 0 {
            buffer.append(RDBFormat.Opcode.selectDB)
            length(UInt64(number))
            buffer.append(RDBFormat.Opcode.resizeDB)
            length(UInt64(keyspace.count))
            length(UInt64(keyspace.volatileCount))
            for slot in keyspace.occupiedSlots {
                if slot.deadline != KeyTable.Slot.persistent {
                    buffer.append(RDBFormat.Opcode.expireTimeMilliseconds)
                    withUnsafeBytes(of: UInt64(bitPattern: slot.deadline).littleEndian) { buffer.append(contentsOf: $0) }
                }
                value(slot.value, key: slot.key)
                written += 1
                if buffer.count >= RDBEncoder.flushThreshold { try flush() }
            }
        }
        buffer.append(RDBFormat.Opcode.eof)
        try flush()
        let checksum = crc.value.littleEndian
        try withUnsafeBytes(of: checksum) { try sink($0) }
        return written
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { raw in
            crc.update(raw)
            try sink(raw)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func auxiliary(_ name: String, string value: Bytes) {
        buffer.append(RDBFormat.Opcode.aux)
        string(Bytes(name))
        string(value)
    }

    /// A key and its value, in the record type Redis 7.0 writes for the
    /// value's encoding.
    private mutating func value(_ value: Value, key: Bytes) {
        buffer.append(Self.recordType(of: value))
        string(key)
        object(value)
    }

    /// The record type Redis 7.0 writes for a value's encoding.
    private static func recordType(of value: Value) -> UInt8 {
        switch value {
        case .list:
            return RDBFormat.typeListQuicklist2
        case .hash(let hash):
            if case .packed = hash.storage { return RDBFormat.typeHashListpack }
            return RDBFormat.typeHash
        case .set(let set):
            if case .integers = set.storage { return RDBFormat.typeSetIntset }
            return RDBFormat.typeSet
        case .sortedSet(let sortedSet):
            if case .packed = sortedSet.storage { return RDBFormat.typeZSetListpack }
            return RDBFormat.typeZSet2
        default:
            return RDBFormat.typeString
        }
    }

    /// The value's bytes after its record type and key (Redis's `rdbSaveObject`).
    private mutating func object(_ value: Value) {
        switch value {
        case .list(let list):
            // Each node as its listpack, byte for byte.
            length(UInt64(list.nodes.count))
            for node in list.nodes {
                length(RDBFormat.Container.packed)
                string(Bytes(node.bytes))
            }
        case .hash(let hash):
            switch hash.storage {
            case .packed(let list):
                string(Bytes(PackedEncodings.listpack(list.elements)))
            case .table:
                length(UInt64(hash.count))
                hash.forEach { field, value in
                    string(field)
                    string(value)
                }
            }
        case .set(let set):
            switch set.storage {
            case .integers(let integers):
                string(Bytes(PackedEncodings.intset(integers)))
            case .table:
                length(UInt64(set.count))
                set.forEach { string($0) }
            }
        case .sortedSet(let sortedSet):
            switch sortedSet.storage {
            case .packed:
                string(Bytes(PackedEncodings.listpack(sortedSet.entries.flatMap { [$0.member, Score.packedText($0.score)] })))
            case .indexed:
                // Highest first, as Redis writes it (so that it loads by prepending).
                length(UInt64(sortedSet.count))
                sortedSet.forEach(ranks: 0..<sortedSet.count, reverse: true) { entry in
                    string(entry.member)
                    withUnsafeBytes(of: entry.score.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
                    return true
                }
            }
        default:
            // A string, raw or not: the file holds the bytes.
            string(value.string ?? Bytes())
        }
    }

    /// The bytes a value takes in a snapshot after its type and key
    /// (Redis's `rdbSavedObjectLen`, which DEBUG OBJECT reports).
    static func serializedLength(of value: Value) -> Int {
        var encoder = RDBEncoder { _ in }
        encoder.object(value)
        return encoder.buffer.count
    }

    /// RDB's length prefix: 6, 14, 32 or 64 bits.
    private mutating func length(_ value: UInt64) {
        if value < 1 << 6 {
            buffer.append(UInt8(value))
        } else if value < 1 << 14 {
            buffer.append(UInt8(value >> 8) | 0x40)
            buffer.append(UInt8(value & 0xFF))
        } else if value <= UInt64(UInt32.max) {
            buffer.append(0x80)
            withUnsafeBytes(of: UInt32(value).bigEndian) { buffer.append(contentsOf: $0) }
        } else {
            buffer.append(0x81)
            withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
        }
    }

    /// A string, as Redis's `rdbSaveRawString`: small integers as integers,
    /// strings over 20 bytes compressed when that saves space.
    private mutating func string(_ value: Bytes) {
        if value.count <= 11, let integer = value.int64Value {
            if let small = Int8(exactly: integer) {
                buffer.append(0xC0 | RDBFormat.Encoding.int8)
                buffer.append(UInt8(bitPattern: small))
                return
            }
            if let medium = Int16(exactly: integer) {
                buffer.append(0xC0 | RDBFormat.Encoding.int16)
                withUnsafeBytes(of: medium.littleEndian) { buffer.append(contentsOf: $0) }
                return
            }
            if let large = Int32(exactly: integer) {
                buffer.append(0xC0 | RDBFormat.Encoding.int32)
                withUnsafeBytes(of: large.littleEndian) { buffer.append(contentsOf: $0) }
                return
            }
        }
        value.withUnsafeBytes { raw in
            if raw.count > 20, let compressed = LZF.compress(raw) {
                buffer.append(0xC0 | RDBFormat.Encoding.lzf)
                length(UInt64(compressed.count))
                length(UInt64(raw.count))
                buffer.append(contentsOf: compressed)
            } else {
                length(UInt64(raw.count))
                buffer.append(contentsOf: raw)
            }
        }
    }
}
