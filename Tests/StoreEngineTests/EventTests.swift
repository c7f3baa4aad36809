@testable import StoreEngine
import StoreEngineTestSupport
import Synchronization
import Testing

@Suite("Observers")
struct EventTests {
    let clock = ManualClock()

    final class Recorder {
        var batches: [[EngineEvent]] = []
        var events: [EngineEvent] { batches.flatMap { $0 } }
        var names: [String] {
            events.map {
                switch $0 {
                case .key(let name, let key, let database): return database == 0 ? "\(name.rawValue) \(key)" : "\(name.rawValue) \(key) in \(database)"
                case .flushed(let database, let keys): return "flush \(keys)" + (database == 0 ? "" : " in \(database)")
                case .swapped(let first, let second): return "swapped \(first) \(second)"
                case .snapshotSaved: return "saved"
                case .snapshotFailed: return "failed"
                case .snapshotLoaded: return "loaded"
                }
            }
        }
    }

    @Test func keyEventsCarryRedisNamesInOrder() {
        let engine = Engine(clock: clock)
        let recorder = Recorder()
        _ = engine.subscribe(.all) { recorder.batches.append($0) }
        engine.run("SET a 1 EX 10")
        engine.run("SET a 2")
        engine.run("INCR a")
        engine.run("APPEND a x")
        engine.run("EXPIRE a 5")
        engine.run("PERSIST a")
        engine.run("RENAME a b")
        engine.run("DEL b nope")
        engine.run("SET c 1 PX 5")
        engine.run("EXPIRE c 0")
        engine.run("MSET d 1 e 2")
        engine.run("FLUSHDB")
        #expect(recorder.names == [
            "new a", "set a", "expire a", "set a", "incrby a", "append a", "expire a", "persist a",
            "new b", "rename_from a", "rename_to b", "del b", "new c", "set c", "expire c", "del c",
            "new d", "set d", "new e", "set e", "flush 2",
        ])
        #expect(recorder.batches.count == 12, "one batch per command that changed something")
    }

    @Test func lazyAndActiveExpiryBothReportExpired() {
        let engine = Engine(clock: clock)
        let recorder = Recorder()
        _ = engine.subscribe(.keys) { recorder.batches.append($0) }
        engine.run("SET lazy v PX 10")
        engine.run("SET active v PX 10")
        clock.advance(by: 11)
        engine.run("GET lazy")
        engine.expireDueKeys()
        #expect(recorder.names.suffix(2) == ["expired lazy", "expired active"])
    }

    @Test func interestFiltersAndUnsubscribeStops() {
        let engine = Engine(clock: clock)
        let keys = Recorder(), flushes = Recorder()
        let token = engine.subscribe(.keys) { keys.batches.append($0) }
        _ = engine.subscribe(.flushes) { flushes.batches.append($0) }
        engine.run("SET a 1")
        engine.run("FLUSHDB")
        #expect(keys.names == ["new a", "set a"])
        #expect(flushes.names == ["flush 1"])
        engine.unsubscribe(token)
        engine.run("SET b 1")
        #expect(keys.names == ["new a", "set a"])
    }

    @Test func keyChangesDescribeEachKeyOnceAsItIsAfterTheBatch() async throws {
        let host = StoreHost(engine: Engine(clock: clock))
        let inbox = ChangeInbox()
        _ = await host.watchKeys { inbox.add($0) }
        await host.execute(["MSET", "a", "1", "b", "2", "a", "3"])
        await host.execute(["SET", "t", "v", "PXAT", Bytes(String(clock.now() + 5000))])
        await host.execute(["RENAME", "b", "c"])
        await host.execute(["DEBUG", "POPULATE", "2"])
        await host.execute(["FLUSHDB"])
        #expect(inbox.batches == [
            [.updated(KeyInfo(key: "a", typeName: "string", size: 1, deadline: nil, preview: "3"), database: 0),
             .updated(KeyInfo(key: "b", typeName: "string", size: 1, deadline: nil, preview: "2"), database: 0)],
            [.updated(KeyInfo(key: "t", typeName: "string", size: 1, deadline: clock.now() + 5000, preview: "v"), database: 0)],
            [.updated(KeyInfo(key: "c", typeName: "string", size: 1, deadline: nil, preview: "2"), database: 0), .removed("b", .renameFrom, database: 0)],
            [.updated(KeyInfo(key: "key:0", typeName: "string", size: 7, deadline: nil, preview: "value:0"), database: 0),
             .updated(KeyInfo(key: "key:1", typeName: "string", size: 7, deadline: nil, preview: "value:1"), database: 0)],
            [.flushed(database: 0)],
        ])
    }

    final class ChangeInbox: Sendable {
        private let received = Mutex<[[KeyChange]]>([])
        var batches: [[KeyChange]] { received.withLock { $0 } }
        func add(_ batch: [KeyChange]) { received.withLock { $0.append(batch) } }
    }

    /// A key event holds its name, its key (16 bytes) and its database.
    @Test func keyEventsStaySmall() {
        #expect(MemoryLayout<EngineEvent>.stride <= 32)
    }

    @Test func bulkOperationsCostNothingForObserversOfOtherKinds() {
        let engine = Engine(clock: clock)
        let snapshots = Recorder()
        _ = engine.subscribe(.snapshots) { snapshots.batches.append($0) }
        engine.run("DEBUG POPULATE 10000")
        engine.run("FLUSHDB")
        #expect(snapshots.batches.isEmpty, "no batch at all reaches an observer of snapshots only")
        #expect(engine.events.built == 0, "and no event was even built")

        let keys = Recorder()
        _ = engine.subscribe(.keys) { keys.batches.append($0) }
        engine.run("DEBUG POPULATE 10000")
        #expect(keys.batches.count == 1 && keys.events.count == 10000, "one batch of `new` events")
        #expect(snapshots.batches.isEmpty)
    }
}
