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

    /// A listpack of `elements` as an RDB string (under 16 KB).
    static func listpack(_ elements: [Bytes]) -> [UInt8] {
        let blob = PackedEncodings.listpack(elements)
        let length: [UInt8] = blob.count < 64 ? [UInt8(blob.count)] : [0x40 | UInt8(blob.count >> 8), UInt8(blob.count & 0xFF)]
        return length + blob
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
