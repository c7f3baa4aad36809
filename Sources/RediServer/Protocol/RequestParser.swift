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
                guard let first = buffer.readableBytesView.first else { return .needMoreData }
                if first != UInt8(ascii: "*") {
                    switch inline(&buffer) {
                    case .command(let words) where words.isEmpty: continue
                    case let outcome: return outcome
                    }
                }
                switch countLine(&buffer, prefix: "*", tooLong: "too big mbulk count string") {
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
                    switch countLine(&buffer, prefix: "$", tooLong: "too big bulk count string") {
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

    private enum CountLine {
        case count(Int?)
        case needMoreData
        case error(String)
    }

    /// Reads a `*N` or `$N` line: `nil` for a malformed number.
    private func countLine(_ buffer: inout ByteBuffer, prefix: Character, tooLong: String) -> CountLine {
        let view = buffer.readableBytesView
        guard let carriageReturn = view.firstIndex(of: 13) else {
            return view.count > Self.inlineLimit ? .error("ERR Protocol error: \(tooLong)") : .needMoreData
        }
        // The line feed must be in too.
        guard carriageReturn + 1 < view.endIndex else { return .needMoreData }
        guard view.first == prefix.asciiValue else {
            let got = view.first.map { String(decoding: [$0], as: UTF8.self) } ?? ""
            return .error("ERR Protocol error: expected '$', got '\(got)'")
        }
        let number = Bytes(view[(view.startIndex + 1)..<carriageReturn]).int64Value
        buffer.moveReaderIndex(to: carriageReturn + 2)
        return .count(number.flatMap { Int(exactly: $0) })
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
