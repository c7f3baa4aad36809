extension Bytes {
    /// The decimal digits of `value`, as Redis's `ll2string` writes them.
    public init(_ value: Int64) {
        // At most 20 characters (a sign and 19 digits), written backwards
        // into a stack buffer: no allocation, as the result is inline.
        self = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = 20
            var magnitude = value.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = 45
            }
            return Bytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start...])))
        }
    }

    /// The value as a strict signed 64-bit decimal, as Redis's `string2ll`
    /// reads it: no spaces, no `+`, no leading zeros, no overflow; `nil` otherwise.
    public var int64Value: Int64? {
        withUnsafeBytes(Bytes.int64)
    }

    /// `raw` read as `int64Value` reads a string: for callers that hold
    /// bytes in place, such as a request parser.
    public static func int64(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let length = raw.count
        guard length > 0, length < 21 else { return nil }
        if length == 1 && raw[0] == 48 { return 0 }
        var index = 0
        let negative = raw[0] == 45
        if negative {
            index = 1
            if length == 1 { return nil }
        }
        guard raw[index] >= 49 && raw[index] <= 57 else { return nil }
        var magnitude = UInt64(raw[index] - 48)
        index += 1
        while index < length {
            let byte = raw[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 48))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude > UInt64(Int64.max) ? nil : Int64(magnitude)
    }
}
