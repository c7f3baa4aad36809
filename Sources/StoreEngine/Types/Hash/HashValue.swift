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

    /// A hash from a packed list of fields and values (a listpack just
    /// loaded), kept packed when `limits` allow, as Redis keeps a loaded
    /// listpack.
    /// - Returns: `nil` when a field comes twice.
    static func make(packed list: PackedList, limits: EncodingLimits) -> HashValue? {
        let fieldCount = list.count / 2
        var fits = fieldCount <= limits.hashMaxListpackEntries
        let unique = !fits || list.buffer.withUnsafeBytes { raw in
            withUnsafeTemporaryAllocation(of: PackedList.Position.self, capacity: fieldCount) { fields -> Bool in
                // The fields' positions, each element's length checked on the way.
                var found = 0
                var isField = true
                PackedList.forEachPosition(in: raw) { position in
                    guard position.bytes.count <= limits.hashMaxListpackValue else {
                        fits = false
                        return false
                    }
                    if isField {
                        (fields.baseAddress! + found).initialize(to: position)
                        found += 1
                    }
                    isField.toggle()
                    return true
                }
                guard fits else { return true }
                let fields = UnsafeBufferPointer(rebasing: fields[..<found])
                // A few fields are compared pairwise (most differ in length or
                // first bytes); more, only where their fingerprints repeat.
                if found <= 16 {
                    for later in 1..<max(found, 1) {
                        for earlier in 0..<later where PackedList.elements(fields[earlier], fields[later], equalIn: raw) { return false }
                    }
                    return true
                }
                var prints = fields.map { (fingerprint: list.fingerprint($0), position: $0) }
                prints.sort { $0.fingerprint < $1.fingerprint }
                var start = 0
                while start < prints.count {
                    var end = start + 1
                    while end < prints.count && prints[end].fingerprint == prints[start].fingerprint { end += 1 }
                    for first in start..<end {
                        for second in first + 1..<end where PackedList.elements(prints[first].position, prints[second].position, equalIn: raw) {
                            return false
                        }
                    }
                    start = end
                }
                return true
            }
        }
        guard fits else {
            let elements = list.elements
            return make(stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }, limits: limits)
        }
        return unique ? HashValue(storage: .packed(list)) : nil
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
