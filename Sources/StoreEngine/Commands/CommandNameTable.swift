/// Finds a value by command name in any case, without hashing or
/// lower-casing the name: names are grouped by length and first letter, and
/// the few in a group are compared byte by byte. Runs once per command, so
/// it is lean.
///
/// Inlinable, so that other modules' tables are specialized, not generic at
/// run time.
public struct CommandNameTable<Value: Sendable>: Sendable {
    @usableFromInline static var longest: Int { 32 }
    /// Index: length * 32 + (first letter & 31): a letter and its capital
    /// differ in bit 0x20 only, so both land in one group.
    @usableFromInline let groups: [[(name: [UInt8], value: Value)]]

    /// A table of `(lower-case name, value)` pairs.
    public init(_ entries: [(String, Value)]) {
        var groups = [[(name: [UInt8], value: Value)]](repeating: [], count: (Self.longest + 1) * 32)
        for (name, value) in entries {
            let bytes = Array(name.lowercased().utf8)
            guard let first = bytes.first, bytes.count <= Self.longest else { continue }
            groups[Self.group(length: bytes.count, first: first)].append((bytes, value))
        }
        self.groups = groups
    }

    @inlinable
    static func group(length: Int, first: UInt8) -> Int {
        length * 32 + Int(first & 31)
    }

    /// The value for `name`, in any case.
    @inlinable
    public subscript(name: Bytes) -> Value? {
        name.withUnsafeBytes { raw -> Value? in
            guard let first = raw.first, raw.count <= Self.longest else { return nil }
            for entry in groups[Self.group(length: raw.count, first: first)] {
                var index = 0
                while index < raw.count, Self.lower(raw[index]) == entry.name[index] { index += 1 }
                if index == raw.count { return entry.value }
            }
            return nil
        }
    }

    @inlinable
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}
