import NIOCore
@testable import RediServer
import StoreEngine
import Testing

@Suite("RESP reply encoder")
struct ReplyEncoderTests {
    static func encode(_ reply: Reply, _ version: ProtocolVersion = .resp2) -> String {
        var buffer = ByteBuffer()
        buffer.writeReply(reply, version: version)
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test func everyReplyTypeInRESP2AndRESP3() {
        #expect(Self.encode(.status("OK")) == "+OK\r\n")
        #expect(Self.encode(.error("ERR bad")) == "-ERR bad\r\n")
        for value: Int64 in [0, 7, 10, -1, 1234567890, .max, .min] {
            #expect(Self.encode(.integer(value)) == ":\(value)\r\n")
        }
        #expect(Self.encode(.bulk("")) == "$0\r\n\r\n")
        #expect(Self.encode(.bulk(Bytes([0, 13, 10]))) == "$3\r\n\0\r\n\r\n")
        let long = Bytes(String(repeating: "x", count: 100_000))
        #expect(Self.encode(.bulk(long)) == "$100000\r\n" + String(repeating: "x", count: 100_000) + "\r\n")
        #expect(Self.encode(.null) == "$-1\r\n")
        #expect(Self.encode(.null, .resp3) == "_\r\n")
        #expect(Self.encode(.array([.integer(1), .array([]), .null, .bulk("a")])) == "*4\r\n:1\r\n*0\r\n$-1\r\n$1\r\na\r\n")
        let pairs = Reply.pairs([.bulk("f"), .bulk("v"), .bulk("g"), .bulk("w")])
        #expect(Self.encode(pairs) == "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n", "RESP2: flat")
        #expect(Self.encode(pairs, .resp3) == "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\ng\r\n$1\r\nw\r\n", "RESP3: pairs")
    }
}
