#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One field of a hash in its table encoding.
struct FieldEntry: TableEntry {
    var key: Bytes
    var value: Bytes
}

/// Redis's hash: fields and their values. Small hashes are packed as
/// Redis's listpack is (fields and values side by side in one buffer, a
/// `PackedList`, in the order fields were added, searched in a line); a hash past `EncodingLimits` becomes a
/// table (Redis's `hashtable` encoding) and stays one.
///
/// A value type: a copy (a snapshot's, COPY's) shares the storage until
/// either side changes. Mutating methods take the storage out of `self`
/// first, so that a hash in the keyspace changes in place.
public struct HashValue: Sendable {
    enum Storage: Sendable {
        /// Field, value, field, value... (`listpack`).
        case packed(PackedList)
        /// `hashtable`.
        indirect case table(OpenTable<FieldEntry>)
    }

    var storage: Storage

    /// An empty hash, packed.
    public static let empty = HashValue(storage: .packed(PackedList.empty))

    /// OBJECT ENCODING's name for it.
    public var encodingName: String {
        switch storage {
        case .packed: return "listpack"
        case .table: return "hashtable"
        }
    }

    public var count: Int {
        switch storage {
        case .packed(let list): return list.count / 2
        case .table(let table): return table.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The sum of the fields' and values' lengths.
    /// The bytes of its data in O(1), for a front end's size column: the
    /// packed buffer, or the table's slots (fields and values of up to 14
    /// bytes live in them).
    var byteCount: Int {
        switch storage {
        case .packed(let list): return list.buffer.count
        case .table(let table): return table.heapBytes
        }
    }

    /// The value of `field`.
    public func value(of field: Bytes) -> Bytes? {
        switch storage {
        case .packed(let list):
            var found: Bytes?
            var isField = true, matched = false
            list.forEachPosition { position in
                if isField {
                    matched = list.element(position, equals: field)
                } else if matched {
                    found = list.element(position)
                    return false
                }
                isField.toggle()
                return true
            }
            return found
        case .table(let table):
            return table.find(field).map { table[slot: $0].value }
        }
    }

    /// Calls `body` with every field and value, in the hash's order (packed:
    /// as added; a table: its slots').
    public func forEach(_ body: (Bytes, Bytes) throws -> Void) rethrows {
        try forEachWhile { field, value in
            try body(field, value)
            return true
        }
    }

    /// Calls `body` with the fields and values in order while it returns true.
    public func forEachWhile(_ body: (Bytes, Bytes) throws -> Bool) rethrows {
        switch storage {
        case .packed(let list):
            var field: Bytes?
            try list.forEachPosition { position in
                guard let name = field else {
                    field = list.element(position)
                    return true
                }
                field = nil
                return try body(name, list.element(position))
            }
        case .table(let table):
            for entry in table.entries {
                if try !body(entry.key, entry.value) { return }
            }
        }
    }

    /// The positions of `field` and its value in a packed hash.
    private static func positions(of field: Bytes, in list: PackedList) -> (PackedList.Position, PackedList.Position)? {
        var fieldPosition: PackedList.Position?
        var found: (PackedList.Position, PackedList.Position)?
        var isField = true
        list.forEachPosition { position in
            if isField {
                fieldPosition = list.element(position, equals: field) ? position : nil
            } else if let fieldPosition {
                found = (fieldPosition, position)
                return false
            }
            isField.toggle()
            return true
        }
        return found
    }

    /// Sets `field` to `value`, packing or converting as `limits` say.
    /// - Returns: whether the field is new.
    @discardableResult
    public mutating func set(_ field: Bytes, to value: Bytes, limits: EncodingLimits) -> Bool {
        if case .packed = storage, field.count > limits.hashMaxListpackValue || value.count > limits.hashMaxListpackValue {
            convertToTable()
        }
        let isNew = withStorage(packed: { list in
            if let (_, valuePosition) = Self.positions(of: field, in: list) {
                list.replace(valuePosition, with: value)
                return false
            }
            list.append(field)
            list.append(value)
            return true
        }, table: { table in
            if let slot = table.find(field) {
                table.modify(at: slot) { $0.value = value }
                return false
            }
            table.insertNew(FieldEntry(key: field, value: value))
            return true
        })
        if case .packed = storage, count > limits.hashMaxListpackEntries { convertToTable() }
        return isNew
    }

    /// Removes `field`.
    /// - Returns: whether it was there.
    @discardableResult
    public mutating func remove(_ field: Bytes) -> Bool {
        withStorage(packed: { list in
            guard let (fieldPosition, valuePosition) = Self.positions(of: field, in: list) else { return false }
            list.remove(from: fieldPosition, through: valuePosition, elements: 2)
            return true
        }, table: { table in
            guard let slot = table.find(field) else { return false }
            table.remove(at: slot)
            return true
        })
    }

    /// Runs one of the bodies on the storage, taken out of `self` first so
    /// that it is the only reference and changes in place. (A `switch` on
    /// `storage` would hold a second reference for its whole body, and every
    /// change would copy the table: quadratic for a growing hash.)
    private mutating func withStorage<R>(
        packed: (inout PackedList) -> R, table: (inout OpenTable<FieldEntry>) -> R
    ) -> R {
        if case .packed = storage {
            guard case .packed(var list) = storage else { preconditionFailure("checked above") }
            storage = .packed(PackedList.empty)
            defer { storage = .packed(list) }
            return packed(&list)
        }
        guard case .table(var entries) = storage else { preconditionFailure("a hash is packed or a table") }
        storage = .packed(PackedList.empty)
        defer { storage = .table(entries) }
        return table(&entries)
    }

    /// Gives back the room a packed hash's buffer grew into (`PackedList.trim`).
    mutating func trim() {
        guard case .packed = storage else { return }
        withStorage(packed: { $0.trim() }, table: { _ in })
    }

    /// Turns a packed hash into a table (Redis's `hashTypeConvert`).
    mutating func convertToTable() {
        guard case .packed(let list) = storage else { return }
        var table = OpenTable<FieldEntry>(capacity: list.count / 2)
        HashValue(storage: .packed(list)).forEach { field, value in table.insertNew(FieldEntry(key: field, value: value)) }
        storage = .table(table)
    }

    /// The field at a uniformly random position, and its value.
    func randomField<G: RandomNumberGenerator>(using generator: inout G) -> (Bytes, Bytes)? {
        switch storage {
        case .packed(let list):
            guard list.count > 0 else { return nil }
            var skip = Int.random(in: 0..<list.count / 2, using: &generator)
            var picked: (Bytes, Bytes)?
            forEachWhile { field, value in
                if skip == 0 {
                    picked = (field, value)
                    return false
                }
                skip -= 1
                return true
            }
            return picked
        case .table(let table):
            guard let slot = table.randomSlot(using: &generator) else { return nil }
            return (table[slot: slot].key, table[slot: slot].value)
        }
    }

    /// What a hash's listpack loads as.
    enum Loaded {
        case hash(HashValue)
        /// No field: Redis skips the key.
        case empty
        case fieldWithoutValue
        case repeatedField
    }

    /// A hash from the listpack RDB stores (field, value, field, value...),
    /// each entry checked: in one pass, packed into a buffer of its exact
    /// size with its fields' fingerprints taken, then its fields compared
    /// where fingerprints repeat. A hash past `limits` becomes a table.
    static func load(listpack bytes: UnsafeRawBufferPointer, limits: EncodingLimits) throws(PackedEncodings.Invalid) -> Loaded {
        // An entry packs into at most twice and a bit its bytes (a 9-byte
        // integer entry and its back length: 20 digits and a length), and 8
        // bytes more are zeroed; each takes two bytes at least, so there are
        // at most half as many fields.
        let bound = 4 + 3 * bytes.count + 8
        let fieldCapacity = min(limits.hashMaxListpackEntries, bytes.count / 2)
        let outcome = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { output in
            withUnsafeTemporaryAllocation(of: PackedField.self, capacity: max(fieldCapacity, 1)) { fields in
                Result { () throws(PackedEncodings.Invalid) -> Loaded in
                    var packer = ListpackHashPacker(output: output.baseAddress!, fields: fields.baseAddress!, fieldCapacity: fieldCapacity)
                    let count = try PackedEncodings.walkListpack(bytes, &packer)
                    guard count % 2 == 0 else { return .fieldWithoutValue }
                    guard count > 0 else { return .empty }
                    guard count / 2 <= limits.hashMaxListpackEntries && packer.longest <= limits.hashMaxListpackValue else {
                        let elements = try PackedEncodings.elements(ofListpack: Bytes(bytes))
                        let pairs = stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }
                        return make(pairs, limits: limits).map { .hash($0) } ?? .repeatedField
                    }
                    // Zeros after the last element, where a fingerprint's last word may reach.
                    (output.baseAddress! + packer.written).initialize(repeating: 0, count: 8)
                    let packed = UnsafeRawPointer(output.baseAddress!)
                    guard !PackedField.repeats(UnsafeMutableBufferPointer(rebasing: fields[..<(count / 2)]), in: packed) else {
                        return .repeatedField
                    }
                    for index in 0..<4 { output[index] = UInt8(truncatingIfNeeded: count >> (8 * index)) }
                    let buffer = [UInt8](UnsafeBufferPointer(rebasing: output[..<packer.written]))
                    return .hash(HashValue(storage: .packed(PackedList(buffer: buffer))))
                }
            }
        }
        return try outcome.get()
    }

    /// A hash built from pairs, packed or not as `limits` say (as Redis
    /// decides when it loads a hash).
    /// - Returns: `nil` when a field comes twice.
    static func make(_ pairs: [(Bytes, Bytes)], limits: EncodingLimits) -> HashValue? {
        let packs = pairs.count <= limits.hashMaxListpackEntries
            && pairs.allSatisfy { $0.0.count <= limits.hashMaxListpackValue && $0.1.count <= limits.hashMaxListpackValue }
        guard packs else {
            var table = OpenTable<FieldEntry>(capacity: pairs.count)
            for (field, value) in pairs where table.insertIfAbsent(FieldEntry(key: field, value: value)) == nil { return nil }
            return HashValue(storage: .table(table))
        }
        // Packed in one pass; a repeated field is looked for among the few before it.
        var list = PackedList()
        list.reserve(pairs.reduce(0) { $0 + $1.0.count + $1.1.count + 4 })
        for (index, (field, value)) in pairs.enumerated() {
            if pairs[..<index].contains(where: { $0.0 == field }) { return nil }
            list.append(field)
            list.append(value)
        }
        return HashValue(storage: .packed(list))
    }
}

/// A field a loader packed: where its bytes are, and their fingerprint.
private struct PackedField {
    var start: Int
    var count: Int
    var fingerprint: UInt64 = 0

    /// Whether two of `fields` hold the same bytes of `buffer`, which has 8
    /// bytes after the last field's value: each field's fingerprint goes into
    /// a small table, and bytes are compared only where fingerprints meet.
    static func repeats(_ fields: UnsafeMutableBufferPointer<PackedField>, in buffer: UnsafeRawPointer) -> Bool {
        guard fields.count > 1 else { return false }
        var bits = 1
        while 1 << bits < 2 * fields.count { bits += 1 }
        let mask = (1 << bits) - 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 1 << bits) { slots in
            // A slot holds a field's index + 1; 0 when empty.
            slots.initialize(repeating: 0)
            for index in fields.indices {
                let field = fields[index]
                let fingerprint = fingerprint(buffer + field.start, count: field.count)
                var slot = Int(truncatingIfNeeded: (fingerprint &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
                while slots[slot] != 0 {
                    let other = fields[slots[slot] - 1]
                    if other.fingerprint == fingerprint && other.count == field.count
                        && memcmp(buffer + other.start, buffer + field.start, field.count) == 0 {
                        return true
                    }
                    slot = (slot + 1) & mask
                }
                slots[slot] = index + 1
                fields[index].fingerprint = fingerprint
            }
            return false
        }
    }

    /// A 64-bit hash of `count` bytes at `bytes`, which may be read in
    /// whole words up to 7 bytes past them: a field of up to 8 bytes is
    /// its own fingerprint.
    static func fingerprint(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash: UInt64 = 0
        var offset = 0
        while count - offset > 8 {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* multiplier
            hash ^= hash >> 29
            offset += 8
        }
        let tailBits = 8 * (count - offset)
        let tail = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & (tailBits == 64 ? ~0 : (1 << tailBits) - 1)
        return hash ^ tail
    }
}

/// Packs a listpack's elements into a `PackedList` buffer as a walk checks
/// them, taking each field's place and the longest element.
private struct ListpackHashPacker: PackedEncodings.ListpackVisitor {
    let output: UnsafeMutablePointer<UInt8>
    let fields: UnsafeMutablePointer<PackedField>
    /// Fields past it are not taken: the hash is too large to pack.
    let fieldCapacity: Int
    /// Bytes written, after the count's four.
    var written = 4
    var elements = 0
    var longest = 0

    mutating func visit(_ element: PackedEncodings.ListpackElement) {
        let count: Int
        switch element {
        case .bytes(let raw):
            count = raw.count
            written += PackedList.write(raw, to: output + written)
        case .integer(let value):
            let digits = Bytes(value)
            count = digits.count
            written += digits.withUnsafeBytes { PackedList.write($0, to: output + written) }
        }
        longest = max(longest, count)
        if elements & 1 == 0 && elements / 2 < fieldCapacity {
            fields[elements / 2] = PackedField(start: written - count, count: count)
        }
        elements += 1
    }
}
