import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("redi line mode through pipes")
struct LineModeTests {
    @Test func theExampleSessionFromStandardInput() throws {
        let directory = try makeTemporaryDirectory()
        let result = try runRedi([], input: "SET name Alice\nGET name\nEXPIRE name 10\nEXIT\n", in: directory)
        #expect(result.status == 0)
        #expect(result.text == "OK\nAlice\n1\n")
        #expect(result.error == "")
        #expect(FileManager.default.fileExists(atPath: "\(directory)/redi.rdb"), "EXIT saves to ./redi.rdb")
    }

    /// EXIT or QUIT before the end of the input: the lines after it are never
    /// run, and redi ends cleanly (it once trapped tearing down the lines it
    /// had read ahead).
    @Test(arguments: ["EXIT", "QUIT", "quit"])
    func leavingBeforeTheEndOfInput(_ leave: String) throws {
        let directory = try makeTemporaryDirectory()
        // A short rest: read to its end before redi leaves (a long one keeps the reader waiting).
        let rest = (0..<3).map { "SET after\($0) x" }.joined(separator: "\n")
        let result = try runRedi([], input: "SET before 1\n\(leave)\n\(rest)\n", in: directory)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.text == "OK\n")
        let check = try runRedi([], input: "DBSIZE\n", in: directory)
        #expect(check.text == "1\n", "only the key before \(leave) was set and saved")
    }

    /// `redi | head -1`: once nobody reads the replies, redi ends as at end
    /// of input (saving first) instead of answering an endless input.
    @Test func aClosedStandardOutputEndsRediAndSaves() throws {
        let directory = try makeTemporaryDirectory()
        let shell = try ChildProcess("/bin/sh", ["-c", "yes 'INCR n' | '\(rediPath)' | head -1"], directory: directory)
        let output = SharedBytes()
        shell.collect(into: output)
        // A bound only to fail instead of hanging: it ends within a second.
        let start = ContinuousClock.now
        while shell.isRunning && ContinuousClock.now - start < .seconds(60) { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!shell.isRunning, "the pipeline ends")
        if shell.isRunning { kill(shell.pid, SIGKILL) }
        _ = shell.wait()
        output.waitUntilFinished(timeout: .seconds(5))
        #expect(output.text == "1\n")
        let check = try runRedi([], input: "GET n\n", in: directory)
        let saved = Int(check.text.trimmingCharacters(in: .newlines)) ?? 0
        #expect(saved >= 1, "what ran before the pipe closed was saved: \(check.text)")
    }

    /// FLUSHALL while a BGSAVE writes the keys: Redis stops that save and
    /// saves the empty dataset before answering, so a crash right after the
    /// OK does not bring the keys back.
    @Test func flushallDuringABackgroundSaveSurvivesACrash() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess([], in: directory)
        redi.send("DEBUG POPULATE 300000")
        redi.send("SAVE")
        redi.send("BGSAVE")
        redi.send("FLUSHALL")
        #expect(redi.lines(4) == ["OK", "OK", "Background saving started", "OK"])
        redi.signal(SIGKILL)
        redi.wait()
        let check = try runRedi([], input: "DBSIZE\n", in: directory)
        #expect(check.text == "0\n")
    }

    @Test func repliesInTheirRawForms() throws {
        let directory = try makeTemporaryDirectory()
        let input = """
            GET missing
            INCR counter
            MSET a 1 b 2
            MGET a missing b
            KEYS nothing*
            SET
            bogus x
            SET "two words" 'single \\'quoted\\''
            GET "two words"
            SET bin "\\x00\\xff\\n"
            STRLEN bin
            SET broken "unterminated

            PING
            """
        let result = try runRedi(["--no-snapshot"], input: input + "\n", in: directory)
        #expect(result.status == 0)
        #expect(result.text == """
            (nil)
            1
            OK
            1
            (nil)
            2
            (empty array)
            (error) ERR wrong number of arguments for 'set' command
            (error) ERR unknown command 'bogus', with args beginning with: 'x' 
            OK
            single 'quoted'
            OK
            3
            (error) ERR Protocol error: unbalanced quotes in request
            PONG

            """)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/redi.rdb"), "--no-snapshot writes nothing")
    }

    @Test func binaryValuesComeBackByteForByte() throws {
        let directory = try makeTemporaryDirectory()
        let result = try runRedi(["--no-snapshot"], input: "SET k \"a\\x00b\\xc3\\x28\"\nGET k\n", in: directory)
        #expect(result.output == Array("OK\n".utf8) + [97, 0, 98, 0xC3, 0x28, 10])
    }

    @Test func eachReplyIsFlushedBeforeTheNextLineArrives() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess(["--no-snapshot"], in: directory)
        redi.send("PING")
        #expect(redi.lines(1, timeout: .seconds(10)) == ["PONG"])
        redi.send("ECHO second")
        #expect(redi.lines(2) == ["PONG", "second"])
        redi.send("QUIT")
        #expect(redi.wait() == 0)
    }

    @Test func endOfInputSavesAndTheNextRunLoads() throws {
        let directory = try makeTemporaryDirectory()
        let start = ContinuousClock.now
        let first = try runRedi(["--snapshot", "data.rdb"], input: "SET kept yes\nSET ttl v EX 500\nDEBUG POPULATE 1000\n", in: directory)
        #expect(first.status == 0)
        let second = try runRedi(["--snapshot", "data.rdb"], input: "GET kept\nDBSIZE\nTTL ttl\nGET key:999\n", in: directory)
        let lines = second.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[0] == "yes" && lines[1] == "1002" && lines[3] == "value:999")
        // The deadline is absolute: the TTL is 500 less the whole seconds gone by (a loaded machine takes some).
        let elapsed = Int((ContinuousClock.now - start).components.seconds) + 1
        let ttl = lines.count > 2 ? Int(lines[2]) ?? -1 : -1
        #expect((500 - elapsed...500).contains(ttl), "TTL \(ttl) after \(elapsed) s")
    }

    @Test func aKeyLeavesOnTimeWithoutBeingTouched() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess(["--no-snapshot"], in: directory)
        redi.send("SET soon v PX 150")
        redi.send("DBSIZE")
        #expect(redi.lines(2) == ["OK", "1"])
        Thread.sleep(forTimeInterval: 0.4)
        redi.send("DBSIZE")
        #expect(redi.lines(3).last == "0", "active expiry removed the key: DBSIZE does not touch it")
        redi.closeInput()
        #expect(redi.wait() == 0)
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func terminatingSignalsSaveFirst(_ signal: Int32) throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess([], in: directory)
        redi.send("SET survivor \(signal)")
        #expect(redi.lines(1) == ["OK"])
        redi.signal(signal)
        #expect(redi.wait() == 0)
        let check = try runRedi([], input: "GET survivor\n", in: directory)
        #expect(check.text == "\(signal)\n")
    }

    @Test func saveRulesSaveInTheBackground() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess(["--save", "1 2"], in: directory)
        redi.send("SET a 1")
        redi.send("SET b 2")
        #expect(redi.lines(2) == ["OK", "OK"])
        #expect(waitForFile("\(directory)/redi.rdb"), "two changes and more than a second: the rule saves")
        redi.signal(SIGKILL)
        redi.wait()
        let check = try runRedi([], input: "MGET a b\n", in: directory)
        #expect(check.text == "1\n2\n")
    }

    @Test func bgsaveWritesWhileCommandsGoOn() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try RediProcess(["--snapshot", "bg.rdb"], in: directory)
        redi.send("DEBUG POPULATE 200000")
        redi.send("BGSAVE")
        redi.send("SET during yes")
        #expect(redi.lines(3) == ["OK", "Background saving started", "OK"])
        #expect(waitForFile("\(directory)/bg.rdb"))
        redi.signal(SIGKILL)
        redi.wait()
        let check = try runRedi(["--snapshot", "bg.rdb"], input: "DBSIZE\nGET during\n", in: directory)
        #expect(check.text == "200000\n(nil)\n", "the copy was taken before SET during")
    }
}

@Suite("redi flags, failures and crashes")
struct FailureTests {
    @Test func versionAndHelp() throws {
        let directory = try makeTemporaryDirectory()
        let version = try runRedi(["--version"], input: "", in: directory)
        #expect(version.status == 0 && version.text == "\(rediVersion)\n")
        let help = try runRedi(["--help"], input: "", in: directory)
        for flag in ["--tui", "--no-tui", "--snapshot", "--no-snapshot", "--save", "--version"] {
            #expect(help.text.contains(flag), "\(flag)")
        }
    }

    @Test(arguments: [["--bogus"], ["--save", "60"], ["--save", "x 1"], ["--tui", "--no-tui"], ["--snapshot", "a", "--no-snapshot"], ["extra"]])
    func badFlagsAreUsageErrors(_ arguments: [String]) throws {
        let directory = try makeTemporaryDirectory()
        let result = try runRedi(arguments, input: "PING\n", in: directory)
        #expect(result.status == 64)
        #expect(result.text == "")
        #expect(result.error.contains("Usage: redi"))
    }

    @Test func theUIWithoutATerminalSaysWhatToDoInstead() throws {
        let directory = try makeTemporaryDirectory()
        let result = try runRedi(["--tui"], input: "", in: directory)
        #expect(result.status == 2)
        #expect(result.error == "redi: cannot open the terminal UI: standard input and output must be a terminal; run redi --no-tui for the line prompt.\n")
        #expect(result.text == "", "no escape codes")
    }

    @Test(arguments: [
        ("REDIS0010", "is corrupt at byte 9: unexpected end of file (truncated?)"),
        ("hello", "is corrupt at byte 5: unexpected end of file (truncated?)"),
        ("not a snapshot at all", "is corrupt at byte 0: not an RDB file (no REDIS header)"),
        ("REDIS0011", "cannot be loaded: RDB version 11 is newer than redi reads (10)"),
    ])
    func aBadSnapshotStopsRediAndIsLeftAlone(_ content: String, _ message: String) throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/redi.rdb"
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        let result = try runRedi([], input: "SET a 1\n", in: directory)
        #expect(result.status == 1)
        #expect(result.text == "")
        #expect(result.error == "redi: snapshot 'redi.rdb' \(message); refusing to start (the file was not changed).\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(content.utf8))
    }

    @Test func anUnreadableSnapshotIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(directory)/redi.rdb", withIntermediateDirectories: false)
        let result = try runRedi([], input: "", in: directory)
        #expect(result.status == 1)
        #expect(result.error == "redi: cannot load 'redi.rdb': not a regular file; refusing to start (the file was not changed).\n")
    }

    /// A disk that fills up (here: a file size limit): SAVE answers an error,
    /// the old snapshot stays, the store keeps serving, and exit reports it.
    @Test func aFailedSaveKeepsTheOldSnapshotAndTheStoreServing() throws {
        let directory = try makeTemporaryDirectory()
        let small = try runRedi([], input: "SET before 1\n", in: directory)
        #expect(small.status == 0)
        let path = "\(directory)/redi.rdb"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let redi = try RediProcess([], in: directory, shellPrefix: "ulimit -f 16;")
        redi.send("DEBUG POPULATE 50000")
        redi.send("SAVE")
        redi.send("GET key:49999")
        redi.send("GET before")
        let lines = redi.lines(4)
        #expect(lines.count == 4)
        #expect(lines[0] == "OK")
        #expect(lines[1].hasPrefix("(error) ERR cannot write"), "\(lines)")
        #expect(lines[1].hasSuffix("File too large"), "\(lines)")
        #expect(lines[2] == "value:49999")
        #expect(lines[3] == "1")
        redi.send("EXIT")
        #expect(redi.wait() == 1, "a failed save on exit is a failed exit")
        #expect(redi.errorOutput.contains("the snapshot could not be saved on exit"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("temp-") }
        #expect(leftovers.isEmpty, "no temporary file is left behind")
    }

    /// kill -9 in the middle of a large save leaves the old or the new snapshot, never a broken one.
    @Test func sigkillDuringALargeSaveLeavesALoadableSnapshot() throws {
        let directory = try makeTemporaryDirectory()
        let path = "\(directory)/redi.rdb"
        let seed = try runRedi([], input: "DEBUG POPULATE 100000 old\n", in: directory)
        #expect(seed.status == 0)
        let seedBytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SeededGenerator(state: 102190)
        var killedMidSave = 0
        for round in 0..<10 {
            try seedBytes.write(to: URL(fileURLWithPath: path))
            let redi = try RediProcess([], in: directory)
            redi.send("DEBUG POPULATE 300000 new")
            #expect(redi.lines(1, timeout: .seconds(60)) == ["OK"])
            redi.send("SAVE")
            // Wait for the save's temporary file, then kill at a random point of the write.
            let temporary = "\(directory)/temp-\(redi.pid).rdb"
            if waitForFile(temporary, timeout: .seconds(10)) {
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.03, using: &generator))
                if FileManager.default.fileExists(atPath: temporary) { killedMidSave += 1 }
            }
            redi.signal(SIGKILL)
            redi.wait()
            let check = try runRedi(["--save", ""], input: "DBSIZE\nEXISTS old:99999\n", in: directory)
            #expect(check.status == 0, "round \(round): \(check.error)")
            #expect(check.text == "100000\n1\n" || check.text == "400000\n1\n", "round \(round): \(check.text)")
        }
        #expect(killedMidSave >= 5, "most kills land while the temporary file is being written")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("temp-") }
        #expect(leftovers.isEmpty, "temporary files of killed saves are removed at the next start")
    }
}
