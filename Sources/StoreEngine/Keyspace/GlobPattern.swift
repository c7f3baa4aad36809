/// Redis's glob (`stringmatchlen`): `*`, `?`, `[abc]`, `[^a]`, `[a-z]` and
/// `\` escapes, byte-wise and case-sensitive, with Redis's treatment of
/// malformed patterns and its early exit that keeps `*a*a*a*b` linear.
public struct GlobPattern: Sendable {
    /// The pattern as written.
    public let pattern: Bytes
    /// Whether the pattern is `*`, which matches everything and needs no test.
    public let matchesAll: Bool

    static let maximumNesting = 1000

    /// A matcher for `pattern`; every byte string is a valid pattern.
    public init(_ pattern: Bytes) {
        self.pattern = pattern
        matchesAll = pattern == "*"
    }

    /// Whether `string` matches the pattern.
    public func matches(_ string: Bytes) -> Bool {
        if matchesAll { return true }
        return pattern.withUnsafeBytes { p in
            string.withUnsafeBytes { s in
                var skipLongerMatches = false
                return Self.match(p, 0, s, 0, &skipLongerMatches, nesting: 0)
            }
        }
    }

    private static func match(
        _ pattern: UnsafeRawBufferPointer, _ patternStart: Int,
        _ string: UnsafeRawBufferPointer, _ stringStart: Int,
        _ skipLongerMatches: inout Bool,
        nesting: Int
    ) -> Bool {
        // Each `*` recurses; later Redis versions give up past 1000 levels
        // rather than overflow the stack, and so does redi.
        if nesting > GlobPattern.maximumNesting { return false }
        var p = patternStart
        var s = stringStart
        // Reads past the end see NUL, as C's terminated strings do.
        func at(_ index: Int) -> UInt8 { index < pattern.count ? pattern[index] : 0 }

        while p < pattern.count && s < string.count {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while p + 1 < pattern.count && pattern[p + 1] == UInt8(ascii: "*") { p += 1 }
                if p + 1 == pattern.count { return true }
                while s < string.count {
                    if match(pattern, p + 1, string, s, &skipLongerMatches, nesting: nesting + 1) { return true }
                    if skipLongerMatches { return false }
                    s += 1
                }
                skipLongerMatches = true
                return false
            case UInt8(ascii: "?"):
                s += 1
            case UInt8(ascii: "["):
                p += 1
                let negate = at(p) == UInt8(ascii: "^")
                if negate { p += 1 }
                var matched = false
                // Redis compares `char`s, signed on x86-64: bytes from 0x80 sort first.
                let c = Int8(bitPattern: string[s])
                while true {
                    if at(p) == UInt8(ascii: "\\") && pattern.count - p >= 2 {
                        p += 1
                        if Int8(bitPattern: pattern[p]) == c { matched = true }
                    } else if at(p) == UInt8(ascii: "]") {
                        break
                    } else if p >= pattern.count {
                        p -= 1
                        break
                    } else if pattern.count - p >= 3 && pattern[p + 1] == UInt8(ascii: "-") {
                        let start = Int8(bitPattern: pattern[p]), end = Int8(bitPattern: pattern[p + 2])
                        let low = min(start, end), high = max(start, end)
                        p += 2
                        if c >= low && c <= high { matched = true }
                    } else if Int8(bitPattern: pattern[p]) == c {
                        matched = true
                    }
                    p += 1
                }
                if negate { matched.toggle() }
                if !matched { return false }
                s += 1
            default:
                if pattern[p] == UInt8(ascii: "\\") && pattern.count - p >= 2 { p += 1 }
                if pattern[p] != string[s] { return false }
                s += 1
            }
            p += 1
            if s == string.count {
                while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
                break
            }
        }
        return p >= pattern.count && s == string.count
    }
}
