import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Snapshots")
struct SnapshotTests {
    let clock = ManualClock()

    func engine(at path: String, rules: [SaveRule] = []) -> Engine {
        Engine(clock: clock, persistence: PersistenceSettings(path: path, rules: rules))
    }

    /// Redis stops its save child on FLUSHALL and saves the empty dataset at
    /// once; a crash after FLUSHALL's OK must not bring the keys back, and
    /// the stopped save must not overwrite the empty file when it ends.
    @Test func flushallStopsARunningBackgroundSaveAndSavesTheEmptyDataset() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let engine = engine(at: path, rules: [SaveRule(seconds: 3600, changes: 1)])
        #expect(engine.run("DEBUG POPULATE 1000") == .ok)
        #expect(engine.run("SAVE") == .ok)
        var held: [SnapshotJob] = []
        engine.backgroundSaveRunner = { held.append($0) }
        #expect(engine.run("BGSAVE") == .status("Background saving started"))
        #expect(engine.isSavingInBackground)
        #expect(engine.run("FLUSHALL") == .ok)
        #expect(!engine.isSavingInBackground, "the save is stopped")
        #expect(try SnapshotFile.load(from: path, now: clock.now())?.1.keys == 0, "the empty dataset is on disk at once")
        // The stopped save runs on (its thread had not yet seen the cancel)
        // and reports back: it neither replaces the file nor counts.
        let job = try #require(held.first)
        #expect(job.run() == .failure(.cancelled))
        engine.finishBackgroundSave(.failure(.cancelled), of: job)
        #expect(try SnapshotFile.load(from: path, now: clock.now())?.1.keys == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["dump.rdb"], "no temporary file is left")
        // A save that had already put its file in place before the FLUSHALL
        // is followed by FLUSHALL's own save.
        #expect(engine.run("DEBUG POPULATE 10") == .ok)
        #expect(engine.run("BGSAVE") == .status("Background saving started"))
        let finished = try #require(held.last)
        #expect(finished.run().map(\.keys) == .success(10))
        #expect(engine.run("FLUSHALL") == .ok)
        #expect(try SnapshotFile.load(from: path, now: clock.now())?.1.keys == 0)
        #expect(engine.dirty == 0, "as Redis 7.0: nothing is left unsaved")
    }

    /// A stopped background save may still be writing when the next one
    /// starts: each writes, and on stopping removes, a temporary file of its
    /// own (a shared one made a rewrite after CONFIG SET appendonly no and
    /// yes fail to rename it), and the next start still finds them abandoned.
    @Test func backgroundSavesWriteTemporaryFilesOfTheirOwn() throws {
        let directory = try makeTemporaryDirectory()
        let first = SnapshotFile.temporaryPath(in: directory, for: SaveCancellation())
        let second = SnapshotFile.temporaryPath(in: directory, for: SaveCancellation())
        #expect(first != second)
        #expect(SnapshotFile.temporaryPath(in: directory, for: nil) == "\(directory)/temp-\(getpid()).rdb")
        // Left by a process that is gone (pid 2^22 + 1 is past Linux's pid_max).
        #expect(FileManager.default.createFile(atPath: "\(directory)/temp-4194305-background-7.rdb", contents: Data()))
        #expect(SnapshotFile.removeAbandonedTemporaryFiles(near: "\(directory)/dump.rdb") == 1)
    }

    @Test func crc64MatchesRedis() {
        #expect(CRC64.checksum(Array("123456789".utf8)) == 0xE9C6_D914_C4B8_D9CA)
        var split = CRC64()
        let text = Array("123456789 and a longer tail to cover the eight-byte steps".utf8)
        text.withUnsafeBytes { split.update(UnsafeRawBufferPointer(rebasing: $0[0..<5])); split.update(UnsafeRawBufferPointer(rebasing: $0[5...])) }
        #expect(split.value == CRC64.checksum(text))
    }

    @Test(arguments: [0, 21, 100, 5000, 70000])
    func lzfRoundTrips(_ size: Int) {
        var generator = SeededGenerator(state: 170095)
        let repetitive = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 13) }
        let random = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for input in [repetitive, random] {
            guard let compressed = input.withUnsafeBytes({ LZF.compress($0) }) else {
                #expect(input.count < 100 || input == random, "repetitive data compresses")
                continue
            }
            #expect(compressed.count < input.count - 4)
            #expect(compressed.withUnsafeBytes { LZF.decompress($0, length: input.count) } == input)
        }
    }

    /// LZF as its format reads, one byte at a time: the model the
    /// decompressor (pointers, copies by run) must agree with.
    static func modelDecompress(_ input: [UInt8], length: Int) -> [UInt8]? {
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let control = Int(input[index])
            index += 1
            if control < 32 {
                guard index + control + 1 <= input.count, output.count + control + 1 <= length else { return nil }
                output += input[index...index + control]
                index += control + 1
            } else {
                var run = control >> 5
                if run == 7 {
                    guard index < input.count else { return nil }
                    run += Int(input[index])
                    index += 1
                }
                guard index < input.count else { return nil }
                let start = output.count - ((control & 0x1F) << 8) - 1 - Int(input[index])
                index += 1
                guard start >= 0, output.count + run + 2 <= length else { return nil }
                for offset in 0..<run + 2 { output.append(output[start + offset]) }
            }
        }
        return output.count == length ? output : nil
    }

    /// Seeded random streams (compressed data with bytes changed, cut or
    /// lengthened, and random bytes) against every expected length near the
    /// true one: the decompressor gives what the model gives, `nil` included.
    @Test func lzfDecompressionAgreesWithTheFormatOnDamagedData() {
        var generator = SeededGenerator(state: 0x1A2F)
        var agreed = 0, expanded = 0
        for _ in 0..<2_000 {
            let size = Int.random(in: 0...600, using: &generator)
            let period = Int.random(in: 1...40, using: &generator)
            let input = (0..<size).map { UInt8(truncatingIfNeeded: ($0 % period) &* 7 &+ (Bool.random(using: &generator) ? 1 : 0)) }
            var stream = input.withUnsafeBytes { LZF.compress($0) } ?? (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            switch Int.random(in: 0..<4, using: &generator) {
            case 0 where !stream.isEmpty: stream[Int.random(in: 0..<stream.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1 where !stream.isEmpty: stream.removeLast(Int.random(in: 1...min(3, stream.count), using: &generator))
            case 2: stream.append(UInt8.random(in: 0...255, using: &generator))
            default: break
            }
            for length in Set([0, 1, size - 1, size, size + 1, size + 300].filter { $0 >= 0 }) {
                let model = Self.modelDecompress(stream, length: length)
                #expect(stream.withUnsafeBytes { LZF.decompress($0, length: length) } == model, "\(stream) \(length)")
                agreed += 1
                if model != nil { expanded += 1 }
            }
        }
        #expect(expanded > 500, "valid streams were among them: \(expanded) of \(agreed)")
    }

    @Test func roundTripKeepsBytesDeadlinesAndEncodings() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        let values: [Bytes] = [
            "", "0", "-1", "127", "-128", "32767", "-32768", "2147483647", "-2147483648", "9223372036854775807",
            "007", Bytes([0, 1, 2, 0xFF]), Bytes(String(repeating: "abc", count: 300)),
            Bytes((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }),
        ]
        for (index, value) in values.enumerated() {
            original.execute(["SET", Bytes("key\(index)"), value])
        }
        original.run("SET volatile v PX 5000")
        original.run("SET gone v PX 10")
        clock.advance(by: 20)
        #expect(original.run("SAVE") == .status("OK"))
        #expect(original.dirty == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)

        let loaded = engine(at: path)
        let report = try #require(try loaded.loadSnapshot())
        #expect(report.keys == values.count + 1)
        for (index, value) in values.enumerated() {
            #expect(loaded.execute(["GET", Bytes("key\(index)")]) == .bulk(value))
        }
        #expect(loaded.run("PTTL volatile") == .integer(4980))
        #expect(loaded.run("EXISTS gone") == .integer(0))
    }

    @Test func expiredKeysAreSkippedOnLoad() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        original.run("SET short v PX 100")
        original.run("SET long v PX 100000")
        original.run("SAVE")
        clock.advance(by: 200)
        let loaded = engine(at: path)
        let report = try #require(try loaded.loadSnapshot())
        #expect(report.keys == 1 && report.skippedExpired == 1)
        #expect(loaded.run("KEYS *") == .bulks(["long"]))
    }

    @Test func everyTruncationIsRefusedAndTheFileIsLeftAlone() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        original.run("MSET a 1 b hello c 123456 long \(String(repeating: "z", count: 40))")
        original.run("SET t v EX 1000")
        original.run("SAVE")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = "\(directory)/cut.rdb"
        for length in 0..<bytes.count {
            try bytes.prefix(length).write(to: URL(fileURLWithPath: cut))
            let engine = self.engine(at: cut)
            #expect(throws: SnapshotError.self, "prefix of \(length) bytes") { try engine.loadSnapshot() }
            #expect(try Data(contentsOf: URL(fileURLWithPath: cut)) == bytes.prefix(length))
        }
    }

    @Test func everyFlippedByteIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        original.run("MSET a 1 b hello")
        original.run("SAVE")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let damaged = "\(directory)/damaged.rdb"
        for index in 0..<bytes.count {
            var copy = bytes
            copy[index] ^= 0x55
            try copy.write(to: URL(fileURLWithPath: damaged))
            let engine = self.engine(at: damaged)
            #expect(throws: SnapshotError.self, "byte \(index) flipped") { try engine.loadSnapshot() }
        }
    }

    /// A file of a megabyte or more has its checksum computed on another
    /// thread while it decodes: a byte flipped in a value, which only the
    /// checksum can tell, is refused there as in a small file; an intact
    /// file loads, and so does one whose checksum was turned off.
    @Test func aLargeFilesChecksumIsCheckedAsItLoads() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        var generator = SeededGenerator(state: 4_242)
        for index in 0..<600 {
            let value = Bytes((0..<2_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
            original.execute(["SET", Bytes("key\(index)"), value])
        }
        #expect(original.run("SAVE") == .status("OK"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count >= 1 << 20)
        #expect(try engine(at: path).loadSnapshot()?.keys == 600)
        let damaged = "\(directory)/damaged.rdb"
        for _ in 0..<5 {
            var copy = bytes
            copy[Int.random(in: bytes.count / 4..<bytes.count * 3 / 4, using: &generator)] ^= 0x20
            try copy.write(to: URL(fileURLWithPath: damaged))
            #expect { try self.engine(at: damaged).loadSnapshot() } throws: { "\($0)".contains("checksum mismatch") }
        }
        var unchecked = bytes
        unchecked.replaceSubrange(bytes.count - 8..<bytes.count, with: [UInt8](repeating: 0, count: 8))
        try unchecked.write(to: URL(fileURLWithPath: damaged))
        #expect(try engine(at: damaged).loadSnapshot()?.keys == 600)
        // Cut short, the decoder stops early while the checksum's thread may
        // still read the bytes: it is refused, and the bytes outlive the thread.
        for _ in 0..<5 {
            let cut = bytes.prefix(Int.random(in: 1 << 20..<bytes.count - 1, using: &generator))
            try cut.write(to: URL(fileURLWithPath: damaged))
            #expect(throws: SnapshotError.self) { try self.engine(at: damaged).loadSnapshot() }
        }
    }

    /// The decoders of every type under random damage, with the checksum
    /// turned off (a zero trailer, as Redis writes with `rdbchecksum no`) so
    /// that the damage reaches them: each file loads or is refused with a
    /// `SnapshotError`, never a crash, and what loads answers commands.
    @Test(arguments: [11, 12, 13])
    func damagedCollectionsAreRefusedNeverACrash(seed: UInt64) throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let original = engine(at: path)
        original.run("HSET small a 1 b two")
        original.run("SADD ints 1 2 300 70000")
        original.run("SADD words x y z")
        original.run("ZADD board 1 a 2.5 b -3 c")
        original.execute(["HSET", "wide"] + (0..<40).flatMap { [Bytes("f\($0)"), Bytes(String(repeating: "v", count: 70))] })
        original.execute(["ZADD", "big"] + (0..<200).flatMap { [Bytes(String($0)), Bytes("m\($0)")] })
        original.execute(["SADD", "many"] + (0..<600).map { Bytes("s\($0)") })
        original.execute(["RPUSH", "queue", "a", "1", "-4097", Bytes(String(repeating: "q", count: 70))])
        original.execute(["RPUSH", "longlist"] + (0..<1500).map { Bytes($0 % 5 == 0 ? "\($0)" : "item \($0)") })
        #expect(original.run("SAVE") == .status("OK"))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for index in bytes.count - 8..<bytes.count { bytes[index] = 0 }
        var generator = SeededGenerator(state: seed)
        let damaged = "\(directory)/damaged.rdb"
        var loaded = 0, refused = 0
        for _ in 0..<400 {
            var copy = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 9..<copy.count - 9, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: copy[index] ^= UInt8.random(in: 1...255, using: &generator)
                case 1: copy[index] = [0, 0xFF, 0x7F, 0x80, 0xC0].randomElement(using: &generator)!
                default: copy.removeSubrange(index..<min(index + Int.random(in: 1...16, using: &generator), copy.count - 9))
                }
            }
            try Data(copy).write(to: URL(fileURLWithPath: damaged))
            let engine = self.engine(at: damaged)
            // loadSnapshot throws only SnapshotError (typed throws): anything else would not compile.
            do {
                _ = try engine.loadSnapshot()
            } catch {
                refused += 1
                continue
            }
            loaded += 1
            for key: Bytes in ["small", "ints", "words", "board", "wide", "big", "many", "queue", "longlist"] {
                _ = engine.execute(["TYPE", key])
                _ = engine.execute(["OBJECT", "ENCODING", key])
            }
            _ = engine.run("ZRANGE big 0 -1 WITHSCORES")
            _ = engine.run("HGETALL wide")
            _ = engine.run("SMEMBERS many")
            _ = engine.run("LRANGE longlist 0 -1")
            _ = engine.run("LINDEX longlist 700")
            _ = engine.run("LINSERT queue BEFORE 1 x")
            _ = engine.run("LPOP longlist 3")
            _ = engine.run("RPOP queue")
            let saved = engine.run("SAVE")
            #expect(saved == .status("OK"), "what loaded saves again")
        }
        #expect(loaded + refused == 400 && refused > 0, "\(loaded) loaded, \(refused) refused")
        #expect(loaded > 0, "some damage lands in values, which load: \(loaded) loaded")
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/notes.rdb"
        try Data("hello world".utf8).write(to: URL(fileURLWithPath: path))
        let engine = self.engine(at: path)
        #expect {
            try engine.loadSnapshot()
        } throws: { error in
            "\(error)" == "snapshot '\(path)' is corrupt at byte 0: not an RDB file (no REDIS header)"
        }
        let folder = self.engine(at: directory)
        #expect {
            try folder.loadSnapshot()
        } throws: { error in
            "\(error)" == "cannot load '\(directory)': not a regular file"
        }
    }

    /// A key that comes twice in one database is refused, whether its second
    /// record is live or already expired (Redis stops loading on both).
    @Test func aKeyTwiceInADatabaseIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        let record: (UInt8) -> [UInt8] = { [0, 1, UInt8(ascii: "z"), 1, $0] }
        let expired: [UInt8] = [0xFC] + withUnsafeBytes(of: Int64(1_000).littleEndian, Array.init)
        for second in [record(UInt8(ascii: "b")), expired + record(UInt8(ascii: "b"))] {
            let bytes = Array("REDIS0010".utf8) + [0xFE, 0] + record(UInt8(ascii: "a")) + second + [0xFF] + [UInt8](repeating: 0, count: 8)
            let loaded = try SnapshotRecords.load(Data(bytes), in: directory)
            guard case .failure(let error) = loaded else { Issue.record("a key twice loaded"); continue }
            #expect("\(error)".contains("duplicate key 'z'"))
        }
        // The same key in two databases is two keys.
        let bytes = Array("REDIS0010".utf8) + [0xFE, 0] + record(UInt8(ascii: "a")) + [0xFE, 1] + record(UInt8(ascii: "b")) + [0xFF]
            + [UInt8](repeating: 0, count: 8)
        let engine = try SnapshotRecords.load(Data(bytes), in: directory).get()
        #expect(engine.run("GET z") == .bulk("a"))
    }

    @Test func aMissingFileMeansAnEmptyStart() throws {
        let directory = try makeTemporaryDirectory()
        let engine = self.engine(at: "\(directory)/none.rdb")
        #expect(try engine.loadSnapshot() == nil)
        #expect(engine.keyCount == 0)
    }

    @Test func aFailedSaveKeepsThePreviousFileAndTellsObservers() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let engine = self.engine(at: path)
        var failures: [String] = []
        _ = engine.subscribe(.snapshots) { events in
            for case .snapshotFailed(_, let message) in events { failures.append(message) }
        }
        engine.run("SET a 1")
        engine.run("SAVE")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // Make the temporary file impossible to create: a directory in its place.
        try FileManager.default.createDirectory(atPath: "\(directory)/temp-\(getpid()).rdb/x", withIntermediateDirectories: true)
        engine.run("SET b 2")
        guard case .error(let text) = engine.run("SAVE") else { Issue.record("SAVE must fail"); return }
        #expect(text.hasPrefix("ERR cannot "))
        #expect(failures.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(engine.run("GET b") == .bulk("2"), "the store keeps serving")
        #expect(engine.dirty == 1)
    }

    @Test func bgsaveWithoutAHostSavesBeforeAnswering() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/dump.rdb"
        let engine = self.engine(at: path)
        var saved: [SnapshotReport] = []
        _ = engine.subscribe(.snapshots) { events in
            for case .snapshotSaved(let report) in events { saved.append(report) }
        }
        engine.run("SET a 1")
        clock.advance(by: 5000)
        #expect(engine.run("BGSAVE") == .status("Background saving started"))
        #expect(saved.map(\.keys) == [1])
        #expect(engine.run("LASTSAVE") == .integer(clock.now() / 1000))
        #expect(engine.run("BGSAVE NOW") == .error("ERR syntax error"))
    }

    @Test func saveRulesFollowRedis() throws {
        let directory = try makeTemporaryDirectory()
        let engine = self.engine(at: "\(directory)/dump.rdb", rules: [SaveRule(seconds: 60, changes: 3)])
        engine.run("MSET a 1 b 2")
        clock.advance(by: 61_000)
        #expect(engine.applySaveRules() == false, "two changes are not enough")
        engine.run("SET c 3")
        #expect(engine.applySaveRules() == true)
        #expect(engine.dirty == 0)
        #expect(engine.applySaveRules() == false)
        #expect(SaveRule.parse("3600 1 300 100") == [SaveRule(seconds: 3600, changes: 1), SaveRule(seconds: 300, changes: 100)])
        #expect(SaveRule.parse("") == [])
        #expect(SaveRule.parse("3600") == nil)
        #expect(SaveRule.parse("x 1") == nil)
    }

    @Test func snapshotsOffMeansSaveIsAnError() {
        let engine = Engine(clock: clock)
        #expect(engine.run("SAVE") == .error("ERR snapshots are off (redi was started with --no-snapshot)"))
    }
}
