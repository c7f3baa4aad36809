import Foundation
import StoreEngine
import StoreEngineTestSupport
import Testing

/// Blocking commands and transactions through the real server, as Redis
/// clients use them: a job queue, a pipeline in MULTI/EXEC.
@Suite("redi --port: blocking commands and transactions")
struct BlockingEndToEndTests {
    /// A worker thread waits in BLPOP and BRPOPLPUSH while the main thread
    /// produces; two workers pass jobs along with BLMOVE; the Python
    /// client's default pipeline is a MULTI/EXEC.
    @Test func aPythonJobQueueAndTransactionalPipeline() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let python = try pythonWithRedisClient()
        let script = """
            import redis, threading
            r = redis.Redis(port=\(redi.port), decode_responses=True)
            got = []
            def worker():
                w = redis.Redis(port=\(redi.port), decode_responses=True)
                got.append(w.blpop(["jobs", "urgent"], timeout=0))
                got.append(w.brpoplpush("jobs", "done", timeout=0))
                got.append(w.blpop("never", timeout=0.2))
            thread = threading.Thread(target=worker)
            thread.start()
            while r.info("clients")["blocked_clients"] != 1:
                pass
            r.rpush("urgent", "first")
            while r.info("clients")["blocked_clients"] != 1:
                pass
            r.rpush("jobs", "second")
            thread.join()
            print(got, r.lrange("done", 0, -1))
            def stage(source, target, count):
                w = redis.Redis(port=\(redi.port), decode_responses=True)
                for _ in range(count):
                    w.blmove(source, target, 0, "RIGHT", "LEFT")
            workers = [threading.Thread(target=stage, args=("inbox", "working", 3)),
                       threading.Thread(target=stage, args=("working", "finished", 3))]
            for worker in workers:
                worker.start()
            while r.info("clients")["blocked_clients"] != 2:
                pass
            r.lpush("inbox", "job1", "job2", "job3")
            for worker in workers:
                worker.join()
            print(r.lrange("finished", 0, -1), r.exists("inbox", "working"))
            pipe = r.pipeline()
            pipe.set("a", 1).incr("a").lpush("a", "x").get("a")
            try:
                pipe.execute()
            except redis.ResponseError as error:
                print("pipeline:", error)
            print(r.get("a"))
            with r.pipeline() as pipe:
                pipe.watch("a")
                r.set("a", "changed")
                pipe.multi()
                pipe.set("a", "mine")
                try:
                    pipe.execute()
                except redis.WatchError:
                    print("watched key changed:", r.get("a"))
            """
        let result = try runProcess(python, ["-c", script])
        #expect(result.status == 0, "\(result.text)")
        #expect(result.text == """
            [('urgent', 'first'), 'second', None] ['second']
            ['job3', 'job2', 'job1'] 0
            pipeline: Command # 3 (LPUSH a x) of pipeline caused error: WRONGTYPE Operation against a key holding the wrong kind of value
            2
            watched key changed: changed

            """)
    }

    /// What a blocked connection looks like to others, and what ends its
    /// wait: a push, CLIENT UNBLOCK, its deadline; commands it pipelined
    /// after the blocking one wait for it; leaving forgets it.
    @Test func aBlockedConnectionWaitsAndIsSeenWaiting() throws {
        let directory = try makeTemporaryDirectory()
        let redi = try ServerEndToEndTests.Server(["--no-snapshot"], in: directory)
        let (waiter, other) = (try RESPClient(port: redi.port), try RESPClient(port: redi.port))
        guard case .integer(let id) = try waiter.send(["CLIENT", "ID"]) else { Issue.record("CLIENT ID"); return }
        try waiter.sendRaw(RESPClient.request(["BLPOP", "q", "0"]) + RESPClient.request(["PING"]))
        func blockedClients() throws -> String {
            guard case .bulk(let info) = try other.send(["INFO", "clients"]) else { return "" }
            return info.description.split(separator: "\r\n").first { $0.hasPrefix("blocked_clients:") }.map(String.init) ?? ""
        }
        while try blockedClients() != "blocked_clients:1" { Thread.sleep(forTimeInterval: 0.01) }
        guard case .bulk(let list) = try other.send(["CLIENT", "LIST", "ID", Bytes(id)]) else { Issue.record("CLIENT LIST"); return }
        #expect(list.description.contains(" flags=b ") && list.description.contains(" cmd=blpop "), "\(list)")
        #expect(try other.send(["RPUSH", "q", "job"]) == .integer(1))
        #expect(try waiter.readReply() == .array([.bulk("q"), .bulk("job")]))
        #expect(try waiter.readReply() == .status("PONG"), "the pipelined PING after it")
        try waiter.sendRaw(RESPClient.request(["BRPOP", "q", "0"]))
        while try blockedClients() != "blocked_clients:1" { Thread.sleep(forTimeInterval: 0.01) }
        #expect(try other.send(["CLIENT", "UNBLOCK", Bytes(id), "ERROR"]) == .integer(1))
        #expect(try waiter.readReply() == .error("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
        #expect(try other.send(["CLIENT", "UNBLOCK", Bytes(id)]) == .integer(0))
        #expect(try other.send(["CLIENT", "UNBLOCK", Bytes(id), "MAYBE"]) == .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
        let start = ContinuousClock.now
        #expect(try waiter.send(["BLMOVE", "q", "d", "LEFT", "LEFT", "0.2"]) == .nullArray)
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        try waiter.sendRaw(RESPClient.request(["BZPOPMIN", "z", "0"]))
        while try blockedClients() != "blocked_clients:1" { Thread.sleep(forTimeInterval: 0.01) }
        waiter.hangUp()
        while try blockedClients() != "blocked_clients:0" { Thread.sleep(forTimeInterval: 0.01) }
        #expect(try other.send(["ZADD", "z", "1", "m"]) == .integer(1))
        #expect(try other.send(["ZCARD", "z"]) == .integer(1), "a client that left takes nothing")
    }
}

/// python3, with its Redis client installed (else the test fails saying what to install).
func pythonWithRedisClient() throws -> String {
    let python = try tool("python3", from: "python3")
    try #require(try runProcess(python, ["-c", "import redis"]).status == 0, "the Python client is needed: pip install redis")
    return python
}
