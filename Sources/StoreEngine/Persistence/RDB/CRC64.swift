/// Redis's CRC-64 (Jones polynomial, reflected, no final xor), the RDB
/// trailer's checksum: `crc64("123456789") == 0xe9c6d914c4b8d9ca`.
/// Eight bytes a step (slicing-by-8).
struct CRC64: Sendable {
    private(set) var value: UInt64 = 0

    init() {}

    private static let tables: [[UInt64]] = {
        let polynomial: UInt64 = 0x95AC_9329_AC4B_C9B5  // 0xad93d23594c935a9 reflected
        var first = [UInt64](repeating: 0, count: 256)
        for index in 0..<256 {
            var crc = UInt64(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            first[index] = crc
        }
        var tables = [first]
        for level in 1..<8 {
            tables.append((0..<256).map { index in
                let previous = tables[level - 1][index]
                return (previous >> 8) ^ first[Int(previous & 0xFF)]
            })
        }
        return tables
    }()

    /// Adds bytes to the checksum.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = value
        var index = 0
        let count = bytes.count
        CRC64.tables.withUnsafeBufferPointer { tables in
            let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
            let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
            while count - index >= 8 {
                crc ^= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                crc = t7[Int(crc & 0xFF)] ^ t6[Int((crc >> 8) & 0xFF)]
                    ^ t5[Int((crc >> 16) & 0xFF)] ^ t4[Int((crc >> 24) & 0xFF)]
                    ^ t3[Int((crc >> 32) & 0xFF)] ^ t2[Int((crc >> 40) & 0xFF)]
                    ^ t1[Int((crc >> 48) & 0xFF)] ^ t0[Int(crc >> 56)]
                index += 8
            }
            while index < count {
                crc = t0[Int((crc ^ UInt64(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        value = crc
    }

    /// The checksum of a byte sequence.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var crc = CRC64()
        Array(bytes).withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}
