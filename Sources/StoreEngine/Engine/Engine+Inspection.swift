/// What a front end shows of one key.
public struct KeyInfo: Sendable, Equatable {
    public var key: Bytes
    /// `string`, as TYPE answers.
    public var typeName: String
    /// The value's size in bytes.
    public var size: Int
    /// Its elements: a string's bytes, a hash's fields, a set's members.
    public var length: Int
    /// Absolute Unix milliseconds, or `nil` for a key without a deadline.
    public var deadline: Int64?
    /// The start of the value, at most `Engine.previewLength` bytes.
    public var preview: Bytes
    /// Whether `preview` is cut short of the whole value (a front end shows `…`).
    public var previewIsCut: Bool

    public init(key: Bytes, typeName: String, size: Int, deadline: Int64?, preview: Bytes, length: Int? = nil) {
        self.key = key
        self.typeName = typeName
        self.size = size
        self.length = length ?? size
        self.deadline = deadline
        self.preview = preview
        previewIsCut = size > preview.count
    }
}

extension Engine {
    /// How much of a value `KeyInfo.preview` holds.
    public static let previewLength = 256

    /// The key as a front end shows it, or `nil` if it is absent or past its
    /// deadline. Only looks: no lazy expiry, no events.
    public func info(for key: Bytes, in database: Int) -> KeyInfo? {
        let keyspace = keys(of: database)
        guard let slot = keyspace.find(key) else { return nil }
        let entry = keyspace[slot: slot]
        if isExpired(entry, at: clock.now()) { return nil }
        return KeyInfo(entry)
    }

    /// Every live key of a database, in no particular order: a front end's first load.
    /// - Complexity: O(n).
    public func allKeyInfos(in database: Int) -> [KeyInfo] {
        let now = clock.now()
        let keyspace = keys(of: database)
        var infos: [KeyInfo] = []
        infos.reserveCapacity(keyspace.count)
        for entry in keyspace.occupiedSlots where !isExpired(entry, at: now) {
            infos.append(KeyInfo(entry))
        }
        return infos
    }
}

extension KeyInfo {
    init(_ slot: KeyTable.Slot) {
        key = slot.key!
        typeName = slot.value.typeName
        size = slot.value.byteCount
        length = slot.value.length
        deadline = slot.deadline == KeyTable.Slot.persistent ? nil : slot.deadline
        (preview, previewIsCut) = slot.value.preview
    }
}

extension Engine {
    /// A live key's whole value, for a detail view. Only looks: no lazy
    /// expiry, no events.
    public func peekValue(_ key: Bytes, in database: Int) -> Value? {
        let keyspace = keys(of: database)
        guard let slot = keyspace.find(key), !isExpired(keyspace[slot: slot], at: clock.now()) else { return nil }
        return keyspace.value(at: slot)
    }
}
