/// Constants of Redis's RDB format, version 10 (Redis 7.0), from `rdb.h`.
enum RDBFormat {
    static let magic = Array("REDIS".utf8)
    /// The version redi writes and the newest it reads.
    static let version = 10

    enum Opcode {
        static let function2: UInt8 = 245
        static let function: UInt8 = 246
        static let moduleAux: UInt8 = 247
        static let idle: UInt8 = 248
        static let frequency: UInt8 = 249
        static let aux: UInt8 = 250
        static let resizeDB: UInt8 = 251
        static let expireTimeMilliseconds: UInt8 = 252
        static let expireTimeSeconds: UInt8 = 253
        static let selectDB: UInt8 = 254
        static let eof: UInt8 = 255
    }

    static let typeString: UInt8 = 0
    static let typeList: UInt8 = 1
    static let typeListZiplist: UInt8 = 10
    static let typeListQuicklist: UInt8 = 14
    static let typeListQuicklist2: UInt8 = 18
    static let typeSet: UInt8 = 2
    static let typeSetIntset: UInt8 = 11
    static let typeHash: UInt8 = 4
    static let typeHashZipmap: UInt8 = 9
    static let typeHashZiplist: UInt8 = 13
    static let typeHashListpack: UInt8 = 16
    static let typeZSet: UInt8 = 3
    static let typeZSet2: UInt8 = 5
    static let typeZSetZiplist: UInt8 = 12
    static let typeZSetListpack: UInt8 = 17

    /// The value types redi reads: a record of another type is refused by name.
    static let valueTypes: Set<UInt8> = [
        typeString, typeList, typeListZiplist, typeListQuicklist, typeListQuicklist2, typeHash, typeHashZipmap,
        typeHashZiplist, typeHashListpack, typeSet, typeSetIntset, typeZSet, typeZSet2, typeZSetZiplist, typeZSetListpack,
    ]

    /// Names of the value types redi refuses, by type byte.
    static func typeName(_ type: UInt8) -> String? {
        switch type {
        case 20: return "set (listpack, Redis 7.2)"
        case 6, 7: return "module value"
        case 15, 19, 21: return "stream"
        default: return nil
        }
    }

    /// A quicklist node's container in a QUICKLIST_2 record.
    enum Container {
        static let plain: UInt64 = 1
        static let packed: UInt64 = 2
    }

    /// Special string encodings (the top two bits of a length byte set).
    enum Encoding {
        static let int8: UInt8 = 0
        static let int16: UInt8 = 1
        static let int32: UInt8 = 2
        static let lzf: UInt8 = 3
    }
}
