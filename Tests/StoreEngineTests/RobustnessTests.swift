import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// Bad input never crashes: random commands, random command lines, damaged snapshots.
@Suite("Robustness")
struct RobustnessTests {
    @Test func randomCommandsAlwaysGetAReply() {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        var random = SeededGenerator(state: 42)
        let names = CommandTable.all.map(\.name).filter { $0 != "DEBUG" } + ["nosuch", "", "set\0x"]
        let words: [Bytes] = [
            "k", "k2", "key:1", "", "0", "1", "-1", "10", "100", "1.5", "abc", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT",
            "GET", "KEEPTTL", "PERSIST", "MATCH", "COUNT", "TYPE", "*", "k*", "[", "\\", "SYNC", "ASYNC",
            "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "9223372036854775", "0.001",
            Bytes([0, 0xFF, 10]), Bytes(String(repeating: "long", count: 10)),
        ]
        for step in 0..<30_000 {
            let argumentCount = Int.random(in: 0...5, using: &random)
            let command = [Bytes(names.randomElement(using: &random)!)]
                + (0..<argumentCount).map { _ in words.randomElement(using: &random)! }
            if case .error(let text) = engine.execute(command) {
                #expect(!text.contains("\n") && !text.contains("\r"), "one protocol line: \(text)")
            }
            clock.advance(by: Int64.random(in: 0...3, using: &random))
            if step % 500 == 0 { engine.expireDueKeys() }
        }
        // The keyspace is still consistent: every key found by KEYS can be read.
        guard case .array(let keys) = engine.run("KEYS *") else { Issue.record("KEYS"); return }
        for case .bulk(let key) in keys {
            switch engine.execute(["TYPE", key]) {
            case .status("string"): #expect(engine.execute(["GET", key]) != .null)
            case .status("hash"): #expect(engine.execute(["HLEN", key]) != .zero, "no empty hash is left")
            case .status("set"): #expect(engine.execute(["SCARD", key]) != .zero, "no empty set is left")
            case .status("zset"): #expect(engine.execute(["ZCARD", key]) != .zero, "no empty sorted set is left")
            case .status("list"): #expect(engine.execute(["LLEN", key]) != .zero, "no empty list is left")
            case let other: Issue.record("TYPE \(key): \(other)")
            }
        }
        #expect(keys.count == engine.keyCount)
    }

    /// Random commands in sessions that may block, sent even while one
    /// waits (no front end does): every wait is counted once, and a push
    /// serves or leaves each consistently.
    @Test func randomBlockingCommandsKeepTheirBookkeeping() {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        var random = SeededGenerator(state: 77)
        let sessions = (0..<4).map { _ in engine.openSession() }
        for session in sessions { session.canBlock = true }
        let commands = ["BLPOP a b 0", "BRPOP b 0.01", "BLMOVE a b LEFT RIGHT 0", "BZPOPMIN z 0", "BLMPOP 0 2 a b LEFT COUNT 2",
                        "RPUSH a x y", "LPUSH b z", "ZADD z 1 m", "DEL a b z", "SET a string", "MULTI", "EXEC", "BRPOPLPUSH b a 0.005"]
        for _ in 0..<5000 {
            let session = sessions.randomElement(using: &random)!
            _ = engine.execute(InlineCommand.split(Array(commands.randomElement(using: &random)!.utf8))!, in: session)
            clock.advance(by: Int64.random(in: 0...3, using: &random))
            engine.unblockTimedOut()
            #expect(engine.blockedSessionCount == sessions.filter(\.isBlocked).count)
        }
        for session in sessions { engine.unblock(session.id) }
        #expect(engine.blockedSessionCount == 0 && engine.blockedOn.isEmpty)
    }

    @Test func patternsThatWouldRecurseTooDeepMatchNothing() {
        let engine = Engine()
        engine.execute(["SET", Bytes(String(repeating: "a", count: 20_000)), "v"])
        let pattern = Bytes(String(repeating: "*a", count: 5_000) + "b")
        #expect(engine.execute(["KEYS", pattern]) == .array([]))
        #expect(engine.execute(["KEYS", "*a"]) != .array([]))
    }

    @Test func aHugeSleepArgumentIsParsedQuickly() {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let start = ContinuousClock.now
        #expect(engine.execute(["DEBUG", "SLEEP", Bytes("0.25" + String(repeating: "9", count: 1_000_000))]) == .status("OK"))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(Engine.sleepMilliseconds("0.3abc") == 300)
        #expect(Engine.sleepMilliseconds("inf") == 0 && Engine.sleepMilliseconds("nan") == 0)
        #expect(Engine.sleepMilliseconds("1e300") == 86_400_000)
    }

    @Test func randomCommandLinesSplitOrFailCleanly() {
        var random = SeededGenerator(state: 7)
        let alphabet = Array("ab \"'\\x0f9\t\n".utf8) + [0, 0xFF]
        for _ in 0..<20_000 {
            let line = (0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            if let words = InlineCommand.split(line) {
                #expect(words.allSatisfy { $0.count <= line.count })
            }
        }
        #expect(InlineCommand.split(Array("a \"b".utf8)) == nil)
        #expect(InlineCommand.split(Array("'a'b".utf8)) == nil)
        #expect(InlineCommand.split(Array("  SET  \"a\\x41\\n\" 'it''s'".utf8)) == nil)
        #expect(InlineCommand.split(Array("  SET  \"a\\x41\\n\" 'it\\'s' x\"y z\"".utf8)) == ["SET", "aA\n", "it's", "xy z"])
    }

    @Test func damagedSnapshotsAreRefusedNeverCrash() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let engine = Engine(persistence: PersistenceSettings(path: path, rules: []))
        engine.run("DEBUG POPULATE 200")
        engine.run("SET long \(String(repeating: "x", count: 100))")
        engine.run("SET t v EX 100")
        engine.run("SAVE")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var random = SeededGenerator(state: 2026)
        for _ in 0..<3000 {
            var damaged = original
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: damaged[index] = UInt8.random(in: 0...255, using: &random)
                case 1: damaged.insert(UInt8.random(in: 0...255, using: &random), at: index)
                default: damaged.remove(at: index)
                }
            }
            let loaded: Result<Int, SnapshotError> = damaged.withUnsafeBytes { raw in
                var decoder = RDBDecoder(raw, path: path)
                return Result { () throws(SnapshotError) -> Int in try decoder.decode(now: 0).databases.reduce(0) { $0 + $1.count } }
            }
            if case .success(let keys) = loaded {
                // Only damage the checksum cannot see (a trailer zeroed, which
                // turns the check off) may load, and then nothing is missing.
                #expect(keys == 202)
            }
        }
    }
}
