import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// The append-only file in the engine: the manifest as Redis reads and
/// writes it, the reader's cuts, and what a store loaded from its AOF holds
/// after random writes, rewrites and run-time switching.
@Suite("Append-only file")
struct AppendOnlyTests {
    // MARK: The manifest

    @Test func theManifestReadsWhatRedisWrites() throws {
        let text = """
            # a comment
            file appendonly.aof.3.base.rdb seq 3 type b
            file appendonly.aof.2.incr.aof seq 2 type h
            file "with space.aof" seq 4 type i future value
            FILE appendonly.aof.5.incr.aof SEQ 5 TYPE i

            """
        let manifest = try AOFManifest.parse(Array(text.utf8))
        #expect(manifest.base == .init(name: "appendonly.aof.3.base.rdb", sequence: 3, kind: .base))
        #expect(manifest.history.map(\.name) == ["appendonly.aof.2.incr.aof"])
        #expect(manifest.incr.map(\.name) == ["with space.aof", "appendonly.aof.5.incr.aof"])
        #expect(manifest.baseSequence == 3 && manifest.incrSequence == 5)
        #expect(manifest.text == """
            file appendonly.aof.3.base.rdb seq 3 type b
            file appendonly.aof.2.incr.aof seq 2 type h
            file "with space.aof" seq 4 type i
            file appendonly.aof.5.incr.aof seq 5 type i

            """)
        #expect(try AOFManifest.parse(Array(manifest.text.utf8)) == manifest)
    }

    @Test(arguments: [
        ("", "Found an empty AOF manifest"),
        ("file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"),
        ("file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number"),
        ("file a seq 1 type x\n", "Unknown AOF file type"),
        ("file dir/a seq 1 type i\n", "File can't be a path, just a filename"),
        ("file a seq 1\n", "Invalid AOF manifest file format"),
        ("file a seq 0 type i\n", "Invalid AOF manifest file format"),
        ("\n", "Invalid AOF manifest file format"),
        ("file \(String(repeating: "a", count: 1100)) seq 1 type i\n", "The AOF manifest file contains too long line"),
    ])
    func aManifestRedisRefusesIsRefused(text: String, reason: String) {
        #expect(throws: AppendOnlyError.ManifestProblem.self) { try AOFManifest.parse(Array(text.utf8)) }
        do {
            _ = try AOFManifest.parse(Array(text.utf8))
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func aRewriteMakesTheOldBaseAndIncrFilesHistory() {
        var manifest = AOFManifest()
        #expect(manifest.newBase(prefix: "appendonly.aof", rdb: true) == "appendonly.aof.1.base.rdb")
        #expect(manifest.newIncr(prefix: "appendonly.aof") == "appendonly.aof.1.incr.aof")
        #expect(manifest.newIncr(prefix: "appendonly.aof") == "appendonly.aof.2.incr.aof")
        #expect(manifest.newBase(prefix: "appendonly.aof", rdb: true) == "appendonly.aof.2.base.rdb")
        manifest.markRewrittenIncrsAsHistory(keepingLast: true)
        #expect(manifest.history.map(\.name) == ["appendonly.aof.1.incr.aof", "appendonly.aof.1.base.rdb"])
        #expect(manifest.incr.map(\.name) == ["appendonly.aof.2.incr.aof"])
        #expect(manifest.loadOrder.map(\.name) == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof"])
    }

    // MARK: Reading

    /// Commands in RESP, as the file holds them.
    static func resp(_ commands: [[String]]) -> [UInt8] {
        Array(commands.map { words in
            "*\(words.count)\r\n" + words.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
        }.joined().utf8)
    }

    func read(_ bytes: [UInt8]) throws(AppendOnlyError) -> (AOFReader.Outcome, [[String]]) {
        var seen: [[String]] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        let outcome = try AOFReader(path: "test.aof").parse(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]), limits: EncodingLimits()) { words in
            seen.append(words.map(\.description))
            return true
        }
        return (outcome, seen)
    }

    /// Cut anywhere, a file loads up to its last complete command and says
    /// where that ends; an annotation line (`#TS:`) is skipped, even cut.
    @Test func aFileCutAnywhereLoadsUpToItsLastCompleteCommand() throws {
        let commands = [["SET", "a", "1"], ["RPUSH", "l", "x", "", "y\r\nz"], ["DEL", "a"]]
        let annotation = Array("#TS:1700000000\r\n".utf8)
        let bytes = Self.resp([commands[0]]) + annotation + Self.resp(Array(commands.dropFirst()))
        let first = Self.resp([commands[0]]).count
        let ends = [first, first + annotation.count + Self.resp([commands[1]]).count, bytes.count]
        for cut in 0...bytes.count {
            let (outcome, seen) = try read(Array(bytes.prefix(cut)))
            let complete = ends.filter { $0 <= cut }
            #expect(seen == Array(commands.prefix(complete.count)), "cut at \(cut)")
            let clean = cut == 0 || complete.last == cut || (first..<(first + annotation.count + 1)).contains(cut)
            #expect(outcome.truncatedAt == (clean ? nil : complete.last ?? 0), "cut at \(cut)")
        }
    }

    @Test func aMultiNeverClosedIsCutBeforeItsMulti() throws {
        let bytes = Self.resp([["SET", "a", "1"], ["MULTI"], ["SET", "b", "2"]])
        let (outcome, _) = try read(bytes)
        #expect(outcome.truncatedAt == Self.resp([["SET", "a", "1"]]).count)
    }

    @Test func bytesThatAreNotACommandAreRefusedWithTheirOffset() {
        let good = Self.resp([["SET", "a", "1"]])
        #expect(throws: AppendOnlyError.badFormat(path: "test.aof", offset: good.count)) {
            try read(good + Array("garbage\r\n".utf8) + good)
        }
        #expect(throws: AppendOnlyError.badFormat(path: "test.aof", offset: good.count)) {
            try read(good + Array("*1\r\n%3\r\nfoo\r\n".utf8))
        }
    }

    // MARK: The store through its file

    let clock = ManualClock()

    func engine(in directory: String, fsync: FsyncPolicy = .always) -> Engine {
        let engine = Engine(clock: clock)
        engine.configureAppendOnly(AppendOnlySettings(fsync: fsync, directory: directory))
        return engine
    }

    /// A fresh engine loading what `directory`'s AOF holds.
    func reloaded(from directory: String) throws -> Engine {
        let fresh = engine(in: directory)
        _ = try fresh.loadAppendOnlyFiles()
        return fresh
    }

    /// Every key of every database, its type, deadline and contents, in order.
    static func contents(_ engine: Engine) -> [String] {
        var lines: [String] = []
        let session = engine.openSession()
        func run(_ words: [String]) -> Reply { engine.execute(words.map { Bytes($0) }, in: session) }
        for database in 0..<Engine.databaseCount {
            _ = run(["SELECT", "\(database)"])
            guard case .array(let keys) = run(["KEYS", "*"]) else { continue }
            for case .bulk(let key) in keys.sorted(by: { $0.rawLines.description < $1.rawLines.description }) {
                let name = key.description
                guard case .status(let type) = run(["TYPE", name]) else { continue }
                let body: Reply = switch type {
                case "string": run(["GET", name])
                case "list": run(["LRANGE", name, "0", "-1"])
                case "hash": run(["HGETALL", name])
                case "set": run(["SMEMBERS", name])
                default: run(["ZRANGE", name, "0", "-1", "WITHSCORES"])
                }
                var items = body.rawLines.map(\.description)
                if type == "set" { items.sort() }
                if type == "hash" { items = stride(from: 0, to: items.count, by: 2).map { items[$0] + "=" + items[$0 + 1] }.sorted() }
                lines.append("\(database) \(name.debugDescription) \(type) \(run(["PEXPIRETIME", name]).rawLines) \(items)")
            }
        }
        engine.closeSession(session.id)
        return lines
    }

    /// Random writes of every kind (relative TTLs, random pops, floats,
    /// transactions, scripts, databases switched, moved and swapped,
    /// keys expiring on access and by the timer, rewrites on the way):
    /// a store loaded from the AOF holds what the store held.
    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func aStoreLoadedFromItsFileHoldsWhatTheStoreHeld(seed: UInt64) throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory, fsync: [.always, .everysec, .no][Int(seed % 3)])
        #expect(try engine.loadAppendOnlyFiles() == nil)
        try engine.openAppendOnlyOnStart()
        var random = SeededGenerator(state: seed)
        let session = engine.openSession()
        final class Log { var lines: [String] = [] }
        let log = Log()
        engine.propagate = { batch in log.lines += batch.map { "\($0.database) \($0.command.map(\.description))" } }
        func word(_ options: [String]) -> String { options.randomElement(using: &random)! }
        let keys = ["a", "b", "c", "l", "h", "s", "z", "bin\u{0}ary", "é🙂"]
        for step in 0..<600 {
            let key = word(keys)
            let value = word(["1", "2.5", "", "x y", "\u{0}\r\n", String(repeating: "v", count: 100)])
            let line: [String] = switch Int.random(in: 0..<22, using: &random) {
            case 0: ["SET", key, value, "EX", "\(Int.random(in: 1...3, using: &random))"]
            case 1: ["SET", key, value]
            case 2: ["INCRBYFLOAT", key, "1.5"]
            case 3: ["RPUSH", key, value, value]
            case 4: ["LPOP", key]
            case 5: ["HSET", key, value, value, "f\(step % 7)", "v"]
            case 6: ["SADD", key] + (0..<3).map { _ in "\(Int.random(in: 0..<600, using: &random))" }
            case 7: ["SPOP", key, "2"]
            case 8: ["ZADD", key, "\(Double.random(in: -5...5, using: &random))", value]
            case 9: ["ZPOPMIN", key]
            case 10: ["PEXPIRE", key, "\(Int.random(in: 1...2500, using: &random))"]
            case 11: ["SELECT", "\(Int.random(in: 0..<3, using: &random))"]
            case 12: ["MOVE", key, "\(Int.random(in: 0..<3, using: &random))"]
            case 13: ["SWAPDB", "0", "\(Int.random(in: 1..<3, using: &random))"]
            case 14: ["EVAL", "redis.call('incr', KEYS[1]..'n'); return redis.call('srandmember', KEYS[1])", "1", key]
            case 15: ["MULTI"]
            case 16: ["EXEC"]
            case 17: ["GET", key]
            case 18: ["DEL", key]
            case 19: ["HINCRBYFLOAT", key, "f", "0.25"]
            case 20: ["RENAME", key, word(keys)]
            default: step % 97 == 0 ? ["FLUSHDB"] : ["BGREWRITEAOF"]
            }
            // Bases as RDB files or as commands (aof-use-rdb-preamble), changed on the way.
            if step % 13 == 0 { engine.setAppendOnly(\.useRDBPreamble, to: Bool.random(using: &random)) }
            _ = engine.execute(line.map { Bytes($0) }, in: session)
            engine.flushAppendOnly()
            clock.advance(by: Int64.random(in: 0...60, using: &random))
            if step % 50 == 0 { _ = engine.expireDueKeys() }
            // Under everysec a write may wait behind a running fsync: compare once it is written.
            #expect(engine.finishAppendOnly() == nil)
            if !session.isInTransaction, Self.contents(try reloaded(from: directory)) != Self.contents(engine) {
                let a = Self.contents(try reloaded(from: directory)), b = Self.contents(engine)
                Issue.record("seed \(seed) step \(step): \(line) diverged: loaded-only \(a.filter { !b.contains($0) }) store-only \(b.filter { !a.contains($0) }) log \(log.lines.suffix(6)) now \(clock.now())")
                return
            }
        }
        _ = engine.execute(["EXEC"], in: session)
        _ = engine.execute(["DISCARD"], in: session)
        engine.flushAppendOnly()
        let expected = Self.contents(engine)
        #expect(!expected.isEmpty)
        let fresh = try reloaded(from: directory)
        #expect(Self.contents(fresh) == expected)
    }

    /// Replayed later, a command runs on the keys it saw: nothing expires
    /// while the file loads (a RENAME of a key that expired since would
    /// otherwise fail, and leave the old value at its target).
    @Test func nothingExpiresWhileTheFileLoads() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        try engine.openAppendOnlyOnStart()
        engine.run("SET target old")
        engine.run("SET source new PX 100")
        engine.run("RENAME source target")
        engine.run("SADD gone x")
        engine.run("PEXPIRE gone 50")
        engine.flushAppendOnly()
        clock.advance(by: 200)
        let fresh = try reloaded(from: directory)
        #expect(fresh.run("GET target") == .null, "the renamed value, expired, not the old one")
        #expect(fresh.run("EXISTS gone") == .integer(0))
        #expect(Self.contents(fresh) == Self.contents(engine))
    }

    /// An engine no front end gave a folder (a library's, a test's) writes
    /// no files where it happens to run: BGREWRITEAOF and turning the file
    /// on are refused.
    @Test func anEngineWithoutAFolderWritesNoFiles() throws {
        let engine = Engine(clock: clock)
        #expect(engine.run("BGREWRITEAOF") == .error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information."))
        #expect(engine.enableAppendOnly() == "this store has no folder for the append-only file")
        #expect(!engine.appendOnlyEnabled)
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/appendonlydir/appendonly.aof.manifest"))
    }

    /// A rewrite leaves one base and one incr file, the old ones removed.
    @Test func aRewriteLeavesANewBaseAndRemovesTheOldFiles() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        try engine.openAppendOnlyOnStart()
        engine.run("SET a 1")
        engine.run("RPUSH l x y")
        #expect(engine.run("BGREWRITEAOF") == .status("Background append only file rewriting started"))
        engine.run("SET b 2")
        engine.flushAppendOnly()
        let folder = "\(directory)/appendonlydir"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"])
        #expect(try String(contentsOfFile: "\(folder)/appendonly.aof.manifest", encoding: .utf8) == """
            file appendonly.aof.2.base.rdb seq 2 type b
            file appendonly.aof.2.incr.aof seq 2 type i

            """)
        #expect(Self.contents(try reloaded(from: directory)) == Self.contents(engine))
        #expect(engine.appendOnlyInfo.contains { $0 == ("aof_rewrites", "1") })
        // CONFIG SET appendfsync reaches the open file at once.
        engine.setAppendOnly(\.fsync, to: .no)
        #expect(engine.appendOnlyStatus?.fsync == FsyncPolicy.no)
    }

    /// With aof-use-rdb-preamble no the base is commands (`.base.aof`), as
    /// Redis's rewrite writes them: FUNCTION LOAD, SELECT, at most 64
    /// elements a command, PEXPIREAT; one switched while a rewrite runs
    /// keeps the format it started with.
    @Test func aBaseOfCommandsRebuildsEveryType() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        engine.setAppendOnly(\.useRDBPreamble, to: false)
        try engine.openAppendOnlyOnStart()
        engine.run("FUNCTION LOAD \"#!lua name=lib\\nredis.register_function('f', function() return 1 end)\"")
        engine.run("SET s \"a\\r\\nb\" PX 5000")
        engine.run("RPUSH l " + (0..<150).map(String.init).joined(separator: " "))
        engine.run("HSET h f1 v1 f2 v2")
        engine.run("SADD st 1 2 3 x")
        engine.run("ZADD z 1.5 a -inf b 3 c")
        engine.run("SELECT 5")
        engine.run("SET other db5")
        engine.run("SELECT 0")
        var held: [SnapshotJob] = []
        engine.backgroundSaveRunner = { held.append($0) }
        #expect(engine.run("BGREWRITEAOF") == .status("Background append only file rewriting started"))
        engine.setAppendOnly(\.useRDBPreamble, to: true)
        engine.finishBackgroundSave(held[0].run(), of: held[0])
        let folder = "\(directory)/appendonlydir"
        let base = try String(contentsOfFile: "\(folder)/appendonly.aof.2.base.aof", encoding: .utf8)
        #expect(base.hasPrefix("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n"))
        #expect(base.components(separatedBy: "$5\r\nRPUSH\r\n").count == 4, "150 elements: 64, 64 and 22")
        #expect(base.contains("$9\r\nPEXPIREAT\r\n$1\r\ns\r\n"))
        #expect(base.contains("$4\r\n-inf\r\n$1\r\nb\r\n"))
        let fresh = try reloaded(from: directory)
        #expect(Self.contents(fresh) == Self.contents(engine))
        #expect(fresh.run("FCALL f 0") == .integer(1))
        // The next rewrite follows the setting again.
        engine.backgroundSaveRunner = nil
        engine.run("BGREWRITEAOF")
        #expect(FileManager.default.fileExists(atPath: "\(folder)/appendonly.aof.3.base.rdb"))
    }

    /// Inside MULTI, BGREWRITEAOF waits for the transaction's end, as Redis schedules it.
    @Test func aRewriteAskedForInsideATransactionIsScheduled() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        try engine.openAppendOnlyOnStart()
        engine.run("MULTI")
        engine.run("SET a 1")
        engine.run("BGREWRITEAOF")
        #expect(engine.run("EXEC") == .array([.ok, .status("Background append only file rewriting scheduled")]))
        engine.appendOnlyCron()
        #expect(engine.appendOnlyInfo.contains { $0 == ("aof_rewrites", "1") })
        #expect(Self.contents(try reloaded(from: directory)) == Self.contents(engine) && Self.contents(engine).count == 1)
    }

    /// CONFIG SET appendonly yes: what the store held goes into the first
    /// base, writes meanwhile into the first incr file.
    @Test func turningTheFileOnAtRunTimeWritesABaseFirst() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock)
        engine.configureAppendOnly(AppendOnlySettings(directory: directory))
        engine.run("SET before 1")
        engine.run("HSET h f v")
        #expect(engine.enableAppendOnly() == nil)
        engine.run("SET after 2")
        engine.flushAppendOnly()
        #expect(Self.contents(try reloaded(from: directory)) == Self.contents(engine))
        engine.disableAppendOnly()
        engine.run("SET off 3")
        #expect(Self.contents(try reloaded(from: directory)).count == 3, "writes while off are not in the file")
    }

    /// Exiting before the first base is written (turned on at run time, its
    /// rewrite still running): a base is written at exit, so what the store
    /// held and what was written meanwhile is all in the folder.
    @Test func exitingBeforeTheFirstBaseWritesIt() throws {
        let directory = try makeTemporaryDirectory()
        let engine = Engine(clock: clock)
        engine.configureAppendOnly(AppendOnlySettings(directory: directory))
        var held: [SnapshotJob] = []
        engine.backgroundSaveRunner = { held.append($0) }
        engine.run("SET before 1")
        #expect(engine.enableAppendOnly() == nil)
        engine.run("SET meanwhile 2")
        #expect(held.count == 1 && engine.isRewritingAppendOnly)
        #expect(engine.finishAppendOnly() == nil)
        #expect(!engine.isRewritingAppendOnly, "the background one is stopped")
        _ = held[0].run()
        engine.finishBackgroundSave(.success(SnapshotReport(path: "", keys: 0, duration: .zero)), of: held[0])
        let folder = "\(directory)/appendonlydir"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["appendonly.aof.1.base.rdb", "appendonly.aof.manifest"])
        #expect(Self.contents(try reloaded(from: directory)) == Self.contents(engine))
    }

    /// A last file cut inside a command loads up to the cut, and is cut on
    /// disk; with aof-load-truncated no, or in a file before the last, it
    /// is refused, naming the file.
    @Test func aTruncatedLastFileIsCutBackAndAnEarlierOneRefused() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        try engine.openAppendOnlyOnStart()
        engine.run("SET a 1")
        engine.run("SET b 2")
        engine.flushAppendOnly()
        let incr = "\(directory)/appendonlydir/appendonly.aof.1.incr.aof"
        let full = try #require(FileManager.default.contents(atPath: incr))
        let complete = full.count
        try (full + Data("*3\r\n$3\r\nSET\r\n$1\r\nc".utf8)).write(to: URL(fileURLWithPath: incr))

        let strict = Engine(clock: clock)
        var settings = AppendOnlySettings(directory: directory)
        settings.loadTruncated = false
        strict.configureAppendOnly(settings)
        #expect(throws: AppendOnlyError.truncated(path: incr, offset: complete, lastFile: true)) { try strict.loadAppendOnlyFiles() }

        let fresh = try reloaded(from: directory)
        #expect(fresh.run("MGET a b c") == .array([.bulk("1"), .bulk("2"), .null]))
        #expect(try FileManager.default.attributesOfItem(atPath: incr)[.size] as? Int == complete)

        // Garbage in the middle is never cut.
        try (full + Data("xx\r\n".utf8) + full).write(to: URL(fileURLWithPath: incr))
        #expect(throws: AppendOnlyError.badFormat(path: incr, offset: complete)) { try reloaded(from: directory) }
    }

    /// A file the manifest names that is missing, and a manifest Redis
    /// would refuse, stop the load with a message naming them.
    @Test func aMissingFileOrABadManifestStopsTheLoad() throws {
        let directory = try makeTemporaryDirectory()
        let engine = engine(in: directory)
        try engine.openAppendOnlyOnStart()
        let folder = "\(directory)/appendonlydir"
        try FileManager.default.removeItem(atPath: "\(folder)/appendonly.aof.1.base.rdb")
        #expect(throws: AppendOnlyError.missing(path: "\(folder)/appendonly.aof.1.base.rdb")) { try reloaded(from: directory) }
        try "file a seq 1 type i\nfile b seq 1 type i\n".write(toFile: "\(folder)/appendonly.aof.manifest", atomically: true, encoding: .utf8)
        do {
            _ = try reloaded(from: directory)
            Issue.record("a non-monotonic manifest loaded")
        } catch {
            #expect("\(error)".contains("line 2") && "\(error)".contains("non-monotonic"))
        }
    }
}
