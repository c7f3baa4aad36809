import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// Scripts through the real server, as clients use them: the Python
/// client's `Lock` (three Lua scripts), and a script that never ends,
/// killed while other clients are answered BUSY.
@Suite("redi --port: scripts")
struct ScriptEndToEndTests {
    /// Acquire, extend and release, a second client's blocking acquire that
    /// waits for the release, a release by a client that lost its lock.
    @Test func thePythonClientsLockWorks() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let python = try pythonWithRedisClient()
        let script = """
            import redis, threading, time
            r = redis.Redis(port=\(redi.port), decode_responses=True)
            other = redis.Redis(port=\(redi.port), decode_responses=True)
            lock = r.lock("resource", timeout=5)
            print(lock.acquire(blocking=False), r.pttl("resource") > 4000)
            print(lock.extend(10), r.pttl("resource") > 14000)
            print(lock.reacquire(), 4000 < r.pttl("resource") <= 5000)
            second = other.lock("resource", timeout=5, blocking_timeout=5, thread_local=False)
            print("second without waiting:", second.acquire(blocking=False))
            got = []
            waiter = threading.Thread(target=lambda: got.append(second.acquire()))
            waiter.start()
            time.sleep(0.3)
            lock.release()
            waiter.join()
            print("second after release:", got, second.owned())
            try:
                lock.release()
            except redis.exceptions.LockError as e:
                print("not owned:", type(e).__name__)
            second.release()
            print(r.exists("resource"))
            """
        let result = try runProcess(python, ["-c", script])
        #expect(result.status == 0, "\(result.text)")
        #expect(result.text == """
            True True
            True True
            True True
            second without waiting: False
            second after release: [True] True
            not owned: LockError
            0

            """)
    }

    /// A script that loops forever: past `busy-reply-threshold` others get
    /// BUSY, SCRIPT KILL ends it, the loop's client gets the error, the
    /// data is all there, and the server goes on.
    @Test func aScriptThatNeverEndsIsKilledWhileOthersGetBusy() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let client = try RESPClient(port: redi.port)
        #expect(try client.send(["SET", "kept", "value"]) == .status("OK"))
        #expect(try client.send(["EVAL", "redis.log(redis.LOG_WARNING, 'from', 'a script')", "0"]) == .null)
        #expect(try client.send(["CONFIG", "SET", "busy-reply-threshold", "50"]) == .status("OK"))
        let looping = try RESPClient(port: redi.port)
        try looping.sendRaw(RESPClient.request(["EVAL", "local i = 0 while true do i = i + 1 end", "0"]))
        // BUSY once the threshold has passed (the first replies may still wait for it).
        var reply = try client.send(["GET", "kept"])
        while reply == .bulk("value") { reply = try client.send(["GET", "kept"]) }
        #expect(reply == .error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."))
        #expect(try client.send(["FUNCTION", "KILL"]) != .status("OK"))
        #expect(try client.send(["SCRIPT", "KILL"]) == .status("OK"))
        guard case .error(let text) = try looping.readReply() else { Issue.record("the script's client got no error"); return }
        #expect(text.hasPrefix("ERR Script killed by user with SCRIPT KILL..."))
        #expect(try client.send(["GET", "kept"]) == .bulk("value"))
        #expect(try looping.send(["EVAL", "return redis.call('get', KEYS[1])", "1", "kept"]) == .bulk("value"))
        #expect(try client.send(["SCRIPT", "KILL"]) == .error("NOTBUSY No scripts in execution right now."))
        #expect(redi.process.errorOutput.contains("from a script"), "redis.log writes to the server's log")
        #expect(redi.process.errorOutput.contains("Slow script detected"), "and so does a slow script's warning")
    }
}

extension ScriptEndToEndTests {
    /// SHUTDOWN as clients send it: refused with BUSY while a script that
    /// wrote runs on, SHUTDOWN NOSAVE ends the process without saving (the
    /// snapshot keeps what the last save had), a plain SHUTDOWN saves.
    @Test func shutdownNoSaveEndsAServerStuckInAScriptThatWrote() throws {
        let directory = try makeTemporaryDirectory()
        let snapshot = "\(directory)/dump.rdb"
        let redi = try ServerEndToEndTests.Server(["--snapshot", snapshot], in: directory)
        let client = try RESPClient(port: redi.port)
        #expect(try client.send(["SET", "kept", "saved"]) == .status("OK"))
        #expect(try client.send(["SAVE"]) == .status("OK"))
        #expect(try client.send(["CONFIG", "SET", "busy-reply-threshold", "50"]) == .status("OK"))
        let looping = try RESPClient(port: redi.port)
        try looping.sendRaw(RESPClient.request(["EVAL", "redis.call('set', 'kept', 'lost') while true do end", "0"]))
        var reply = try client.send(["PING"])
        while reply == .status("PONG") { reply = try client.send(["PING"]) }
        #expect(try client.send(["SCRIPT", "KILL"]).isError)
        #expect(try client.send(["SHUTDOWN"]) == .error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."))
        #expect(try client.send(["SHUTDOWN", "ABORT"]) == .error("ERR No shutdown in progress."))
        #expect(try client.send(["SHUTDOWN", "SAVE", "NOSAVE"]) == .error("ERR syntax error"))
        try client.sendRaw(RESPClient.request(["SHUTDOWN", "NOSAVE"]))
        #expect(client.isClosedByPeer, "SHUTDOWN answers nothing: the connection ends")
        #expect(redi.process.wait() == 0)

        let again = try ServerEndToEndTests.Server(["--snapshot", snapshot], in: directory)
        let second = try RESPClient(port: again.port)
        #expect(try second.send(["GET", "kept"]) == .bulk("saved"), "NOSAVE did not save the script's write")
        #expect(try second.send(["SET", "kept", "later"]) == .status("OK"))
        try second.sendRaw(RESPClient.request(["SHUTDOWN"]))
        #expect(second.isClosedByPeer)
        #expect(again.process.wait() == 0)
        let third = try ServerEndToEndTests.Server(["--snapshot", snapshot], in: directory)
        #expect(try RESPClient(port: third.port).send(["GET", "kept"]) == .bulk("later"), "a plain SHUTDOWN saves")
    }
}
