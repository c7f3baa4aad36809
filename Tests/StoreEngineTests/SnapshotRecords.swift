import Foundation
@testable import StoreEngine
import StoreEngineTestSupport

/// Hand-made snapshots of one record, for the tests of damaged values: an
/// RDB 10 file holding key `z` of `type` with `payload`, its checksum off.
enum SnapshotRecords {
    static func file(_ type: UInt8, _ payload: [UInt8]) -> Data {
        var bytes = Array("REDIS0010".utf8) + [0xFE, 0, type, 1, UInt8(ascii: "z")] + payload + [0xFF]
        bytes += [UInt8](repeating: 0, count: 8)
        return Data(bytes)
    }

    /// An RDB 10 file of several records, `(key, type, payload)`, in database 0.
    static func snapshot(_ records: [(key: Bytes, type: UInt8, payload: [UInt8])]) -> Data {
        var bytes = Array("REDIS0010".utf8) + [0xFE, 0]
        for record in records { bytes += [record.type] + string(record.key.array) + record.payload }
        bytes += [0xFF] + [UInt8](repeating: 0, count: 8)
        return Data(bytes)
    }

    /// A listpack of `elements` as an RDB string.
    static func listpack(_ elements: [Bytes]) -> [UInt8] {
        string(PackedEncodings.listpack(elements))
    }

    /// A listpack as a file may hold one: integers as Redis stores them,
    /// but those marked `asText` (short) as string entries, which no Redis
    /// writes and a loader must still read as the same element.
    static func mixedListpack(_ elements: [(element: Bytes, asText: Bool)]) -> [UInt8] {
        var body: [UInt8] = []
        for (element, asText) in elements {
            if asText && element.count < 64 {
                body += [0x80 | UInt8(element.count)] + element.array + [UInt8(element.count + 1)]
            } else {
                Listpack.appendEntry(element, to: &body)
            }
        }
        let total = 6 + body.count + 1
        let count = min(elements.count, 65535)
        return (0..<4).map { UInt8(truncatingIfNeeded: total >> (8 * $0)) } + [UInt8(count & 0xFF), UInt8(count >> 8)] + body + [0xFF]
    }

    /// `bytes` as an RDB string, LZF-compressed when asked and smaller.
    static func string(_ bytes: [UInt8], compressed: Bool = false) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            switch count {
            case ..<64: [UInt8(count)]
            case ..<16384: [0x40 | UInt8(count >> 8), UInt8(count & 0xFF)]
            default: [0x80] + (0..<4).reversed().map { UInt8(truncatingIfNeeded: count >> (8 * $0)) }
            }
        }
        if compressed, let packed = bytes.withUnsafeBytes({ LZF.compress($0) }) {
            return [0xC3] + length(packed.count) + length(bytes.count) + packed
        }
        return length(bytes.count) + bytes
    }

    /// Loads `data` as a snapshot in `directory`: the engine, or the error's text.
    static func load(_ data: Data, in directory: String) throws -> Result<Engine, SnapshotError> {
        let path = "\(directory)/record.rdb"
        try data.write(to: URL(fileURLWithPath: path))
        let engine = Engine(clock: ManualClock(), persistence: PersistenceSettings(path: path, rules: []))
        do {
            _ = try engine.loadSnapshot()
            return .success(engine)
        } catch {
            return .failure(error)
        }
    }
}
