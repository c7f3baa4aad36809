#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// INCRBYFLOAT and LCS, after Redis's `t_string.c`.
extension Engine {
    /// Redis's `string2ld`: the whole argument as a long double, no leading
    /// space, finite or infinite but never NaN.
    static func longDouble(_ bytes: Bytes) -> Float80? {
        guard !bytes.isEmpty, bytes.count < 5 * 1024 else { return nil }
        var text = bytes.array
        // strtold stops at a NUL, which then is not the end: refused, as in Redis.
        if text.contains(0) { return nil }
        text.append(0)
        return text.withUnsafeBufferPointer { buffer -> Float80? in
            let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            guard isspace(Int32(start.pointee)) == 0 else { return nil }
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtold(start, &end)
            guard let end, end.pointee == 0 else { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            if errno == EINVAL || value.isNaN { return nil }
            return value
        }
    }

    /// Redis's `ld2string` in its human-friendly mode: `%.17Lf` without
    /// trailing zeroes (or the point), and `0` for negative zero.
    static func format(_ value: Float80) -> Bytes {
        var buffer = [CChar](repeating: 0, count: 5 * 1024)
        let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.17Lf", $0) }
        var text = Array(buffer.prefix(Int(max(length, 0))).map { UInt8(bitPattern: $0) })
        if text.contains(UInt8(ascii: ".")) {
            while text.last == UInt8(ascii: "0") { text.removeLast() }
            if text.last == UInt8(ascii: ".") { text.removeLast() }
        }
        if text == Array("-0".utf8) { text = [UInt8(ascii: "0")] }
        return Bytes(text)
    }

    func incrbyfloat(_ args: [Bytes]) throws(CommandError) -> Reply {
        let key = args[1]
        let slot = lookup(key)
        var current: Float80 = 0
        let notFloat = Reply.error("ERR value is not a valid float")
        if let slot {
            let bytes = try keyspace.value(at: slot).stringBytes()
            guard let parsed = Engine.longDouble(bytes) else { return notFloat }
            current = parsed
        }
        guard let increment = Engine.longDouble(args[2]) else { return notFloat }
        let result = current + increment
        if result.isNaN || result.isInfinite { return .error("ERR increment would produce NaN or Infinity") }
        let text = Engine.format(result)
        store(key, .plainString(text), at: slot, keepTTL: true)
        signalWrite(.incrbyfloat, key)
        // The result, not the sum: float formatting never differs between copies.
        rewritePropagation(["SET", key, text, "KEEPTTL"])
        return .bulk(text)
    }

    func substr(_ args: [Bytes]) throws(CommandError) -> Reply { try getrange(args) }

    /// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], with
    /// Redis's dynamic programming and its walk back through the table.
    func lcs(_ args: [Bytes]) throws(CommandError) -> Reply {
        let first = value(of: args[1]), second = value(of: args[2])
        if first.map({ $0.string == nil }) == true || second.map({ $0.string == nil }) == true {
            throw CommandError("ERR The specified keys must contain string values")
        }
        let a = first?.string ?? Bytes(), b = second?.string ?? Bytes()
        var getLength = false, getIndexes = false, withMatchLength = false
        var minimum: Int64 = 0
        var index = 3
        while index < args.count {
            let option = args[index]
            if option.equalsIgnoringCase("IDX") {
                getIndexes = true
            } else if option.equalsIgnoringCase("LEN") {
                getLength = true
            } else if option.equalsIgnoringCase("WITHMATCHLEN") {
                withMatchLength = true
            } else if option.equalsIgnoringCase("MINMATCHLEN"), index + 1 < args.count {
                guard let value = args[index + 1].int64Value else { return .notInteger }
                minimum = max(value, 0)
                index += 1
            } else {
                return .syntaxError
            }
            index += 1
        }
        if getLength && getIndexes { return .error("ERR If you want both the length and indexes, please just use IDX.") }
        let x = a.array, y = b.array
        let width = y.count + 1
        let cells = (x.count + 1) * width
        if cells * 4 > Int(Engine.maxStringLength) {
            return .error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        var table = [UInt32](repeating: 0, count: cells)
        for i in 0...x.count {
            for j in 0...y.count where i > 0 && j > 0 {
                table[i * width + j] = x[i - 1] == y[j - 1]
                    ? table[(i - 1) * width + j - 1] + 1
                    : max(table[(i - 1) * width + j], table[i * width + j - 1])
            }
        }
        let length = Int(table[x.count * width + y.count])
        if getLength { return .integer(Int64(length)) }
        var result = [UInt8](repeating: 0, count: length)
        var matches: [Reply] = []
        var (i, j, position) = (x.count, y.count, length)
        var aStart = x.count, aEnd = 0, bStart = 0, bEnd = 0
        while i > 0 && j > 0 {
            var emit = false
            if x[i - 1] == y[j - 1] {
                result[position - 1] = x[i - 1]
                if aStart == x.count {
                    (aStart, aEnd, bStart, bEnd) = (i - 1, i - 1, j - 1, j - 1)
                } else if aStart == i && bStart == j {
                    aStart -= 1
                    bStart -= 1
                } else {
                    emit = true
                }
                if aStart == 0 || bStart == 0 { emit = true }
                position -= 1; i -= 1; j -= 1
            } else {
                if table[(i - 1) * width + j] > table[i * width + j - 1] { i -= 1 } else { j -= 1 }
                if aStart != x.count { emit = true }
            }
            if emit {
                let matchLength = aEnd - aStart + 1
                if minimum == 0 || matchLength >= minimum {
                    var match: [Reply] = [.array([.integer(Int64(aStart)), .integer(Int64(aEnd))]),
                                          .array([.integer(Int64(bStart)), .integer(Int64(bEnd))])]
                    if withMatchLength { match.append(.integer(Int64(matchLength))) }
                    matches.append(.array(match))
                }
                aStart = x.count
            }
        }
        if getIndexes {
            return .map([.bulk("matches"), .array(matches), .bulk("len"), .integer(Int64(length))])
        }
        return .bulk(Bytes(result))
    }
}

extension Engine {
    /// This file's commands, by name, for the dispatch table.
    static let moreStringCommands: [(String, Handler)] = [
        ("incrbyfloat", { engine, args throws(CommandError) in try engine.incrbyfloat(args) }),
        ("lcs", { engine, args throws(CommandError) in try engine.lcs(args) }),
        ("substr", { engine, args throws(CommandError) in try engine.substr(args) }),
    ]
}
