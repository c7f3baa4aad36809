#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scores as Redis reads and prints them (`util.c`'s `string2d`, `%.17g`).
public enum Score {
    /// Redis's `string2d`: the whole argument as a double, no leading space,
    /// infinite allowed, NaN and overflow refused.
    static func parse(_ bytes: Bytes) -> Double? {
        guard !bytes.isEmpty, bytes.count < 5 * 1024 else { return nil }
        // Integers first (most scores are), but not 0, which may be -0.
        if let integer = bytes.int64Value, integer.magnitude < 1 << 53 {
            if integer != 0 { return Double(integer) }
            if bytes.count == 1 { return 0 }
        }
        return convert(bytes, strict: true)
    }

    /// `strtod` as `zslParseRange` calls it on a range's bound: the C
    /// string up to a NUL, leading spaces allowed, an empty string is 0.
    static func parseBound(_ bytes: ArraySlice<UInt8>) -> Double? {
        convert(Bytes(bytes), strict: false)
    }

    private static func convert(_ bytes: Bytes, strict: Bool) -> Double? {
        if strict, bytes.withUnsafeBytes({ $0.contains(0) }) { return nil }
        // A C string of the bytes, on the stack.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer -> Double? in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            buffer[bytes.count] = 0
            let start = UnsafePointer(buffer.baseAddress!)
            if strict, isspace(Int32(start.pointee)) != 0 { return nil }
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(start, &end)
            guard let end, end.pointee == 0, !value.isNaN else { return nil }
            if strict, errno == ERANGE, value.isInfinite || value == 0 { return nil }
            return value
        }
    }

    /// The score as Redis 7.0 replies with it: `%.17g`, and `inf`/`-inf`.
    public static func format(_ score: Double) -> Bytes {
        if score.isInfinite { return score > 0 ? "inf" : "-inf" }
        // Whole numbers below 1e17 print as their digits under %.17g.
        if score == score.rounded(.towardZero), score.magnitude < 1e17, !(score == 0 && score.sign == .minus) {
            return Bytes(Int64(score))
        }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = withVaList([score]) { vsnprintf(&buffer, buffer.count, "%.17g", $0) }
        return Bytes(buffer.prefix(Int(max(length, 0))).map { UInt8(bitPattern: $0) })
    }
}

extension Score {
    /// A score as Redis's `d2string` writes it into a listpack: a whole
    /// number in the range of a 64-bit integer as its digits (so that the
    /// listpack stores an integer), `inf`, else `%.17g`.
    static func packedText(_ score: Double) -> Bytes {
        if score == score.rounded(.towardZero), score > -9.2e18, score < 9.2e18 { return Bytes(Int64(score)) }
        return format(score)
    }
}

/// ZRANGEBYSCORE's `min max`: `(` makes a bound exclusive; `-inf`/`+inf`.
struct ScoreRange {
    var min: Double
    var max: Double
    var minExclusive = false
    var maxExclusive = false

    /// Redis's `zslParseRange`; `nil` for what it refuses ("min or max is
    /// not a float").
    init?(min: Bytes, max: Bytes) {
        guard let (low, lowExclusive) = Self.bound(min), let (high, highExclusive) = Self.bound(max) else { return nil }
        (self.min, minExclusive, self.max, maxExclusive) = (low, lowExclusive, high, highExclusive)
    }

    private static func bound(_ bytes: Bytes) -> (Double, Bool)? {
        let array = bytes.array
        // As C reads it: the string ends at the first NUL.
        let text = array.prefix { $0 != 0 }
        if text.first == UInt8(ascii: "(") {
            return Score.parseBound(text.dropFirst()).map { ($0, true) }
        }
        return Score.parseBound(text).map { ($0, false) }
    }

    /// Whether `score` is at or above the minimum (past it, if exclusive).
    func isAboveMin(_ score: Double) -> Bool { minExclusive ? score > min : score >= min }

    /// Whether `score` is at or below the maximum.
    func isBelowMax(_ score: Double) -> Bool { maxExclusive ? score < max : score <= max }
}

/// ZRANGEBYLEX's `min max`: `[a` inclusive, `(a` exclusive, `-` and `+`
/// the ends.
struct LexRange {
    enum Bound {
        case lowest, highest
        case inclusive(Bytes), exclusive(Bytes)
    }

    var min: Bound
    var max: Bound

    /// Redis's `zslParseLexRange`; `nil` for what it refuses ("min or max
    /// not valid string range item").
    init?(min: Bytes, max: Bytes) {
        guard let low = Self.bound(min), let high = Self.bound(max) else { return nil }
        self.min = low
        self.max = high
    }

    private static func bound(_ bytes: Bytes) -> Bound? {
        let array = bytes.array
        guard let first = array.first else { return nil }
        switch first {
        case UInt8(ascii: "+"): return array.count == 1 || array[1] == 0 ? .highest : nil
        case UInt8(ascii: "-"): return array.count == 1 || array[1] == 0 ? .lowest : nil
        case UInt8(ascii: "("): return .exclusive(Bytes(array.dropFirst()))
        case UInt8(ascii: "["): return .inclusive(Bytes(array.dropFirst()))
        default: return nil
        }
    }

    /// Whether `member` is past the minimum.
    func isAboveMin(_ member: Bytes) -> Bool {
        switch min {
        case .lowest: return true
        case .highest: return false
        case .inclusive(let bound): return member.compare(to: bound) >= 0
        case .exclusive(let bound): return member.compare(to: bound) > 0
        }
    }

    /// Whether `member` is before the maximum.
    func isBelowMax(_ member: Bytes) -> Bool {
        switch max {
        case .lowest: return false
        case .highest: return true
        case .inclusive(let bound): return member.compare(to: bound) <= 0
        case .exclusive(let bound): return member.compare(to: bound) < 0
        }
    }
}
