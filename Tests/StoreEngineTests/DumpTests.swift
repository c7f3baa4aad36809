import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("DUMP and RESTORE")
struct DumpTests {
    let clock = ManualClock()

    /// Every type dumps and restores to the same value, encoding and TTL;
    /// RESTORE's events, propagation (a relative TTL as ABSTTL) and dirty.
    @Test func everyTypeRoundTrips() {
        let engine = Engine(clock: clock)
        engine.run("SET s text")
        engine.run("RPUSH l a 1 -4097")
        engine.run("HSET h f v")
        engine.run("SADD i 1 2")
        engine.run("ZADD z 1.5 m")
        for key in ["s", "l", "h", "i", "z"] {
            guard case .bulk(let payload) = engine.execute(["DUMP", Bytes(key)]) else { Issue.record("DUMP \(key)"); continue }
            #expect(engine.execute(["RESTORE", Bytes(key + "2"), "0", payload]) == .status("OK"))
            #expect(engine.execute(["OBJECT", "ENCODING", Bytes(key + "2")]) == engine.execute(["OBJECT", "ENCODING", Bytes(key)]))
            #expect(engine.execute(["DEBUG", "OBJECT", Bytes(key + "2")]) != .null)
        }
        #expect(engine.run("LRANGE l2 0 -1") == engine.run("LRANGE l 0 -1") && engine.run("ZSCORE z2 m") == .double(1.5))
        var names: [String] = []
        _ = engine.subscribe(.keys) { for case .key(let event, let key, _) in $0 { names.append("\(event.rawValue) \(key)") } }
        var propagated: [[Bytes]] = []
        engine.propagate = { batch in propagated += batch.map(\.command) }
        guard case .bulk(let payload) = engine.run("DUMP s") else { return }
        #expect(engine.execute(["RESTORE", "t", "5000", payload]) == .status("OK"))
        #expect(engine.run("PTTL t") == .integer(5000))
        #expect(propagated == [["RESTORE", "t", Bytes(clock.now() + 5000), payload, "ABSTTL"]])
        #expect(engine.execute(["RESTORE", "s", "0", payload]) == .error("BUSYKEY Target key name already exists."))
        #expect(engine.execute(["RESTORE", "s", "1", payload, "ABSTTL", "REPLACE"]) == .status("OK"))
        #expect(engine.run("EXISTS s") == .zero && propagated.last == ["DEL", "s"], "a TTL already past deletes what it replaced")
        #expect(names == ["new t", "restore t", "del s"])
    }

    /// A list node whose back length has its high bit on its first byte
    /// (valid forwards, wrong read backwards, as Redis's `lpValidateNext`
    /// refuses it) is refused: accepted, an RPOP walked out of the node.
    @Test func aBackLengthThatDoesNotStopIsRefused() {
        let engine = Engine(clock: clock)
        var body: [UInt8] = [18, 1, 2, 9, 9, 0, 0, 0, 1, 0, 5, 0x81, 0xFF]
        body += [UInt8(RDBFormat.version), 0]
        withUnsafeBytes(of: CRC64.checksum(body).littleEndian) { body += $0 }
        #expect(engine.execute(["RESTORE", "k", "0", Bytes(body)]) == .error("ERR Bad data format"))
        #expect(engine.run("RPOP k") == .null)
    }

    /// Seeded damage to payloads whose footer is then made right again (so
    /// that the body is what gets read): RESTORE answers, never crashes,
    /// changes nothing when it refuses, and what it accepts reads and saves.
    @Test(arguments: [31, 32])
    func damagedPayloadsAreRefusedNeverACrash(seed: UInt64) {
        let engine = Engine(clock: clock)
        engine.execute(["RPUSH", "list"] + (0..<300).map { Bytes("e\($0)") })
        engine.run("HSET hash a 1 b 2")
        engine.execute(["ZADD", "zset"] + (0..<200).flatMap { [Bytes("\($0)"), Bytes("m\($0)")] })
        engine.run("SADD ints 1 2 3")
        engine.execute(["SET", "long", Bytes(String(repeating: "abc", count: 100))])
        let payloads: [[UInt8]] = ["list", "hash", "zset", "ints", "long"].compactMap {
            if case .bulk(let payload) = engine.execute(["DUMP", Bytes($0)]) { payload.array } else { nil }
        }
        var generator = SeededGenerator(state: seed)
        var (accepted, refused) = (0, 0)
        for round in 0..<600 {
            var body = Array(payloads.randomElement(using: &generator)!.dropLast(10))
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                if Bool.random(using: &generator) {
                    body[index] ^= UInt8.random(in: 1...255, using: &generator)
                } else {
                    body.removeSubrange(index..<min(index + Int.random(in: 1...8, using: &generator), body.count))
                }
            }
            guard !body.isEmpty else { continue }
            var payload = body + [UInt8(RDBFormat.version), 0]
            withUnsafeBytes(of: CRC64.checksum(payload).littleEndian) { payload += $0 }
            let key = Bytes("r\(round)")
            switch engine.execute(["RESTORE", key, "0", Bytes(payload)]) {
            case .status("OK"):
                accepted += 1
                _ = engine.execute(["TYPE", key])
                _ = engine.execute(["DUMP", key])
            case .error(let text):
                #expect(text == "ERR Bad data format", "\(text)")
                #expect(engine.execute(["EXISTS", key]) == .zero)
                refused += 1
            case let other:
                Issue.record("RESTORE answered \(other)")
            }
        }
        #expect(refused > 100, "the damage reached the bodies: \(accepted) accepted, \(refused) refused")
        #expect(engine.execute(["DUMP", "list"]) != .null && engine.run("LLEN list") == .integer(300))
    }
}
