import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// Redis's compact encodings as RDB carries them: what redi writes reads
/// back, and damaged bytes are refused, never a crash.
@Suite("Listpack, intset, ziplist and zipmap")
struct PackedEncodingTests {
    static func randomElement(_ generator: inout SeededGenerator) -> Bytes {
        let integers: [Int64] = [0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 32768, -8_388_608, 8_388_607,
                                 -2_147_483_648, 2_147_483_647, 2_147_483_648, .max, .min]
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return Bytes(integers.randomElement(using: &generator)!)
        case 1: return Bytes((0..<Int.random(in: 0...70, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case 2: return Bytes(String(repeating: "x", count: [63, 64, 4095, 4096, 20_000].randomElement(using: &generator)!))
        default: return Bytes("007")
        }
    }

    @Test func listpacksRoundTripAndDamageIsRefused() throws {
        var generator = SeededGenerator(state: 7016)
        for _ in 0..<300 {
            let elements = (0..<Int.random(in: 0...40, using: &generator)).map { _ in Self.randomElement(&generator) }
            let blob = PackedEncodings.listpack(elements)
            #expect(try PackedEncodings.elements(ofListpack: Bytes(blob)) == elements)
            // Damage: flip bytes, cut the end; the decoder answers, never traps.
            for _ in 0..<20 {
                var damaged = blob
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                _ = try? PackedEncodings.elements(ofListpack: Bytes(damaged))
                _ = try? PackedEncodings.elements(ofZiplist: Bytes(damaged))
                _ = try? PackedEncodings.elements(ofZipmap: Bytes(damaged))
                _ = try? PackedEncodings.integers(ofIntset: Bytes(damaged))
            }
            #expect(throws: PackedEncodings.Invalid.self) { try PackedEncodings.elements(ofListpack: Bytes(blob.dropLast())) }
        }
    }

    @Test func intsetsRoundTripAtEveryWidth() throws {
        for integers: [Int64] in [[1, 2, 3], [-40000, 5], [.min, 0, .max], [-2_147_483_648, 2_147_483_647]] {
            #expect(try PackedEncodings.integers(ofIntset: Bytes(PackedEncodings.intset(integers))) == integers)
        }
    }
}
