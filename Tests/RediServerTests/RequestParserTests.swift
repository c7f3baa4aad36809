import Foundation
import NIOCore
@testable import RediServer
import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("RESP request parser")
struct RequestParserTests {
    /// Every outcome of parsing `input`, fed in the given pieces, until it
    /// needs more data or fails.
    static func parse(_ pieces: [[UInt8]], unauthenticated: Bool = false) -> [RequestParser.Outcome] {
        var parser = RequestParser()
        parser.unauthenticated = unauthenticated
        var buffer = ByteBuffer()
        var outcomes: [RequestParser.Outcome] = []
        for piece in pieces {
            buffer.writeBytes(piece)
            while true {
                let outcome = parser.next(&buffer)
                if outcome == .needMoreData { break }
                outcomes.append(outcome)
                if case .error = outcome { return outcomes }
            }
        }
        return outcomes
    }

    static func parse(_ text: String, unauthenticated: Bool = false) -> [RequestParser.Outcome] {
        parse([Array(text.utf8)], unauthenticated: unauthenticated)
    }

    static func encode(_ command: [Bytes]) -> [UInt8] {
        var bytes = Array("*\(command.count)\r\n".utf8)
        for argument in command {
            bytes += Array("$\(argument.count)\r\n".utf8) + argument.array + [13, 10]
        }
        return bytes
    }

    @Test func multibulkInlineAndEmptyRequests() {
        #expect(Self.parse("*2\r\n$3\r\nGET\r\n$5\r\nna\r\ne\r\n") == [.command(["GET", "na\r\ne"])], "binary-safe bulk")
        #expect(Self.parse("SET a \"b c\"\r\nPING\n") == [.command(["SET", "a", "b c"]), .command(["PING"])])
        #expect(Self.parse("\r\n\n*0\r\n*-1\r\nPING\r\n") == [.command(["PING"])], "empty requests are skipped")
        #expect(Self.parse("*1\r\n$0\r\n\r\n") == [.command([""])])
        #expect(Self.parse("*1\r\n$4\r\nPIN") == [], "waits for the rest")
    }

    @Test func redisErrorTexts() {
        func error(_ input: String, unauthenticated: Bool = false) -> String? {
            if case .error(let text)? = Self.parse(input, unauthenticated: unauthenticated).last { return text }
            return nil
        }
        #expect(error("*x\r\n") == "ERR Protocol error: invalid multibulk length")
        #expect(error("*2147483648\r\n") == "ERR Protocol error: invalid multibulk length")
        #expect(error("*+1\r\n") == "ERR Protocol error: invalid multibulk length")
        #expect(error("*1\r\n:1\r\n") == "ERR Protocol error: expected '$', got ':'")
        #expect(error("*1\r\n\r\n") == "ERR Protocol error: expected '$', got ' '")
        #expect(error("*1\r\n$\r\n") == "ERR Protocol error: invalid bulk length")
        #expect(error("*1\r\n$-1\r\n") == "ERR Protocol error: invalid bulk length")
        #expect(error("*1\r\n$536870913\r\n") == "ERR Protocol error: invalid bulk length")
        #expect(error("SET a \"b\r\n") == "ERR Protocol error: unbalanced quotes in request")
        #expect(error(String(repeating: "a", count: 64 * 1024 + 1)) == "ERR Protocol error: too big inline request")
        #expect(error("*" + String(repeating: "1", count: 64 * 1024 + 1)) == "ERR Protocol error: too big mbulk count string")
        #expect(error("*1\r\n$" + String(repeating: "1", count: 64 * 1024 + 1)) == "ERR Protocol error: too big bulk count string")
        #expect(error("*11\r\n", unauthenticated: true) == "ERR Protocol error: unauthenticated multibulk length")
        #expect(error("*1\r\n$16385\r\n", unauthenticated: true) == "ERR Protocol error: unauthenticated bulk length")
        #expect(error("*10\r\n", unauthenticated: true) == nil)
        #expect(error("*1\r\n$536870912\r\n") == nil, "512 MB is allowed")
    }

    @Test func splitAndMergedFramesGiveTheSameCommands() {
        var generator = SeededGenerator(state: 6379)
        for _ in 0..<200 {
            let commands: [[Bytes]] = (0..<Int.random(in: 1...30, using: &generator)).map { _ in
                (0..<Int.random(in: 1...5, using: &generator)).map { _ in
                    Bytes((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                }
            }
            let stream = commands.flatMap(Self.encode)
            // Merged: one read.
            #expect(Self.parse([stream]) == commands.map { .command($0) })
            // Split at random places, down to single bytes.
            var pieces: [[UInt8]] = []
            var index = 0
            while index < stream.count {
                let length = Int.random(in: 1...max(1, Int.random(in: 1...64, using: &generator)), using: &generator)
                pieces.append(Array(stream[index..<min(stream.count, index + length)]))
                index += length
            }
            #expect(Self.parse(pieces) == commands.map { .command($0) })
        }
    }

    /// A million random inputs, biased toward the protocol's own bytes: the
    /// parser never crashes and never returns more than it was given. (Leaks:
    /// run this test under `--sanitize=address`, whose leak checker reports
    /// any at exit; see BENCHMARKS.md.)
    @Test func aMillionRandomInputs() {
        var generator = SeededGenerator(state: 1_000_000)
        let alphabet: [UInt8] = Array("*$\r\n0123456789-+\"' \\xab".utf8) + [0, 255]
        var outcomes = 0
        var bytes: [UInt8] = []
        var buffer = ByteBuffer()
        for _ in 0..<1_000_000 {
            bytes.removeAll(keepingCapacity: true)
            for _ in 0..<Int.random(in: 0...48, using: &generator) {
                let random = generator.next()
                bytes.append(random & 1 == 0 ? alphabet[Int(random >> 8) % alphabet.count] : UInt8(truncatingIfNeeded: random >> 16))
            }
            buffer.clear()
            buffer.writeBytes(bytes)
            var parser = RequestParser()
            while true {
                let outcome = parser.next(&buffer)
                outcomes += 1
                if case .command(let words) = outcome, words.reduce(0, { $0 + $1.count }) > bytes.count {
                    Issue.record("a command longer than its input: \(bytes)")
                }
                if outcome == .needMoreData { break }
                if case .error = outcome { break }
            }
        }
        #expect(outcomes >= 1_000_000)
    }
}
