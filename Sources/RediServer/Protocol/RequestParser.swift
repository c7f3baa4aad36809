import NIOCore
import StoreEngine

/// Splits a client's byte stream into commands as Redis's
/// `processInputBuffer` does: a request starting with `*` is a multibulk
/// (RESP array of bulk strings), anything else an inline command line split
/// with redis-cli's quoting. State is kept between reads, so a large bulk
/// arriving in pieces is never scanned twice.
///
/// Limits and error texts are Redis 7.0's; after an error the connection is
/// closed, and what follows it is never read.
struct RequestParser {
    /// The longest inline request, and the longest count line (64 KB).
    static let inlineLimit = 64 * 1024
    /// The largest multibulk count.
    static let multibulkLimit = Int(Int32.max)

    enum Outcome: Equatable {
        case command([Bytes])
        case needMoreData
        /// A protocol error: reply with it, then close.
        case error(String)
    }

    /// The longest bulk string (`proto-max-bulk-len`, 512 MB by default).
    var maxBulkLength = 512 * 1024 * 1024
    /// Before AUTH, when a password is set: Redis's tighter limits (10
    /// arguments, 16 KB each).
    var unauthenticated = false

    /// Arguments still to read of the multibulk under way.
    private var remaining = 0
    /// The length of the bulk being read, once its `$` line is in.
    private var bulkLength: Int?
    private var arguments: [Bytes] = []

    /// The next whole command in `buffer`, consuming it.
    mutating func next(_ buffer: inout ByteBuffer) -> Outcome {
        while true {
            if remaining == 0 {
                if let (words, length) = buffer.withUnsafeReadableBytes({ wholeMultibulk(in: $0) }) {
                    buffer.moveReaderIndex(forwardBy: length)
                    return .command(words)
                }
                guard let first = buffer.readableBytesView.first else { return .needMoreData }
                if first != UInt8(ascii: "*") {
                    switch inline(&buffer) {
                    case .command(let words) where words.isEmpty: continue
                    case let outcome: return outcome
                    }
                }
                switch countLine(&buffer, prefix: UInt8(ascii: "*"), tooLong: "too big mbulk count string") {
                case .needMoreData: return .needMoreData
                case .error(let text): return .error(text)
                case .count(let count):
                    guard let count, count <= Self.multibulkLimit else {
                        return .error("ERR Protocol error: invalid multibulk length")
                    }
                    if count > 10 && unauthenticated {
                        return .error("ERR Protocol error: unauthenticated multibulk length")
                    }
                    if count <= 0 { continue }
                    remaining = count
                    arguments = []
                    arguments.reserveCapacity(min(count, 1024))
                }
            }
            while remaining > 0 {
                if bulkLength == nil {
                    switch countLine(&buffer, prefix: UInt8(ascii: "$"), tooLong: "too big bulk count string") {
                    case .needMoreData: return .needMoreData
                    case .error(let text): return .error(text)
                    case .count(let length):
                        guard let length, length >= 0, length <= maxBulkLength else {
                            return .error("ERR Protocol error: invalid bulk length")
                        }
                        if length > 16384 && unauthenticated {
                            return .error("ERR Protocol error: unauthenticated bulk length")
                        }
                        bulkLength = length
                    }
                }
                let length = bulkLength!
                // The bulk and its CRLF (which Redis skips without looking).
                guard buffer.readableBytes >= length + 2 else { return .needMoreData }
                let argument = buffer.withUnsafeReadableBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
                buffer.moveReaderIndex(forwardBy: length + 2)
                arguments.append(argument)
                bulkLength = nil
                remaining -= 1
            }
            defer { arguments = [] }
            return .command(arguments)
        }
    }

    /// The common case in one pass over the bytes: a well-formed multibulk
    /// request that is wholly in `raw`, within every limit. `nil` for
    /// anything else, which the step-by-step path then reads (or refuses).
    private func wholeMultibulk(in raw: UnsafeRawBufferPointer) -> ([Bytes], Int)? {
        var position = 0
        func number(after prefix: UInt8) -> Int? {
            guard position < raw.count, raw[position] == prefix else { return nil }
            var value = 0
            var index = position + 1
            // At most 10 digits: counts and lengths beyond that take the slow path.
            while index < raw.count, index - position <= 10, raw[index] >= 48, raw[index] <= 57 {
                value = value * 10 + Int(raw[index] - 48)
                index += 1
            }
            // Digits, no leading zero (but "0"), then CRLF.
            guard index > position + 1, index + 1 < raw.count, raw[index] == 13, raw[index + 1] == 10,
                  raw[position + 1] != 48 || index == position + 2 else { return nil }
            position = index + 2
            return value
        }
        guard let count = number(after: UInt8(ascii: "*")), count > 0,
              count <= (unauthenticated ? 10 : 1024) else { return nil }
        var words: [Bytes] = []
        words.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = number(after: UInt8(ascii: "$")), length <= (unauthenticated ? 16384 : maxBulkLength),
                  position + length + 2 <= raw.count else { return nil }
            words.append(Bytes(UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)])))
            position += length + 2
        }
        return (words, position)
    }

    private enum CountLine {
        case count(Int?)
        case needMoreData
        case error(String)
    }

    /// Reads a `*N` or `$N` line: `nil` for a malformed number (Redis's
    /// `string2ll`: no sign but `-`, no leading zeros, no overflow).
    private func countLine(_ buffer: inout ByteBuffer, prefix: UInt8, tooLong: String) -> CountLine {
        let line = buffer.withUnsafeReadableBytes { raw -> (end: Int, number: Int?)? in
            guard let carriageReturn = raw.firstIndex(of: 13), carriageReturn + 1 < raw.count else { return nil }
            let digits = UnsafeRawBufferPointer(rebasing: raw[min(1, carriageReturn)..<carriageReturn])
            return (carriageReturn, Bytes.int64(digits).map { Int($0) })
        }
        guard let line else {
            // No whole line yet (the line feed must be in too).
            let pending = buffer.readableBytes
            let hasCarriageReturn = buffer.readableBytesView.firstIndex(of: 13) != nil
            return !hasCarriageReturn && pending > Self.inlineLimit ? .error("ERR Protocol error: \(tooLong)") : .needMoreData
        }
        let first = buffer.readableBytesView.first!
        guard first == prefix else {
            // As Redis's addReplyErrorFormat, a line break in the text becomes a space.
            let got = first == 13 || first == 10 ? " " : String(decoding: [first], as: UTF8.self)
            return .error("ERR Protocol error: expected '$', got '\(got)'")
        }
        buffer.moveReaderIndex(forwardBy: line.end + 2)
        return .count(line.number)
    }

    /// Reads an inline command line; an empty line gives no words.
    private func inline(_ buffer: inout ByteBuffer) -> Outcome {
        let view = buffer.readableBytesView
        guard let lineFeed = view.firstIndex(of: 10) else {
            return view.count > Self.inlineLimit ? .error("ERR Protocol error: too big inline request") : .needMoreData
        }
        var end = lineFeed
        if end > view.startIndex && view[end - 1] == 13 { end -= 1 }
        let words = InlineCommand.split(view[view.startIndex..<end])
        buffer.moveReaderIndex(to: lineFeed + 1)
        guard let words else { return .error("ERR Protocol error: unbalanced quotes in request") }
        return .command(words)
    }
}
