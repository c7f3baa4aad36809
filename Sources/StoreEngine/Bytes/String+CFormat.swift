#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// `value` as C's `printf` writes it with `format`, one conversion of a
    /// double such as `%.2f` or `%.17g` (Redis's own formatting).
    public init(cFormat format: String, _ value: Double) {
        // Room for `%f` of the largest double: 309 digits and the decimals.
        var buffer = [CChar](repeating: 0, count: 512)
        let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        self = String(decoding: buffer.prefix(Swift.min(Int(Swift.max(length, 0)), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
