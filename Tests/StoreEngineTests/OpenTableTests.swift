@testable import StoreEngine
import StoreEngineTestSupport
import Testing

/// The hash table under the keyspace and the large collections, against a
/// `Dictionary` as its model: random keys (binary, long, colliding in their
/// low bits) inserted, changed and removed across growth and shrinking.
@Suite("OpenTable")
struct OpenTableTests {
    typealias Table = OpenTable<FieldEntry>

    static func randomKey(_ generator: inout SeededGenerator) -> Bytes {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: return Bytes("k\(Int.random(in: 0..<3_000, using: &generator))")
        case 1: return Bytes((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        default: return Bytes("🔑" + String(repeating: "x", count: Int.random(in: 0...3, using: &generator)))
        }
    }

    /// Every key the model has is found with its value, at a position that
    /// names it, and nothing else is in the table.
    static func expectSame(_ table: Table, _ model: [Bytes: Bytes], _ missing: [Bytes]) {
        #expect(table.count == model.count)
        for (key, value) in model {
            guard let position = table.find(key) else {
                Issue.record("\(key) is missing")
                return
            }
            #expect(table[slot: position].key == key && table[slot: position].value == value)
        }
        for key in missing where model[key] == nil { #expect(table.find(key) == nil) }
        #expect(Set(table.entries.map(\.key)) == Set(model.keys))
    }

    @Test func randomInsertsChangesAndRemovalsAgreeWithADictionary() {
        for seed in 1...8 {
            var generator = SeededGenerator(state: UInt64(9_100 + seed))
            var table = Table()
            var model = [Bytes: Bytes]()
            var tried = [Bytes]()
            // Grow to a few thousand keys, then empty almost all, then grow again.
            for phase in 0..<3 {
                let steps = Int.random(in: 1_000...6_000, using: &generator)
                for _ in 0..<steps {
                    let key = Self.randomKey(&generator)
                    tried.append(key)
                    let removing = phase == 1 ? Int.random(in: 0..<10, using: &generator) < 9 : Bool.random(using: &generator) && Bool.random(using: &generator)
                    if removing {
                        // A key of the table's choosing, or one it may not have.
                        let victim = Bool.random(using: &generator) ? table.randomSlot(using: &generator).map { table.key(at: $0) } ?? key : key
                        #expect((table.find(victim) != nil) == (model[victim] != nil))
                        if let position = table.find(victim) {
                            #expect(table.remove(at: position).key == victim)
                            model[victim] = nil
                        }
                    } else if let position = table.find(key) {
                        #expect(table.insertIfAbsent(FieldEntry(key: key, value: Bytes("refused"))) == nil)
                        let value = Bytes("v\(Int.random(in: 0..<100, using: &generator))")
                        table.modify(at: position) { $0.value = value }
                        model[key] = value
                    } else {
                        let value = Bytes("new")
                        let entry = FieldEntry(key: key, value: value)
                        let position = Bool.random(using: &generator) ? table.insertNew(entry) : table.insertIfAbsent(entry)
                        #expect(position == table.count - 1)
                        model[key] = value
                    }
                }
                Self.expectSame(table, model, Array(tried.suffix(500)))
            }
            // The index keeps a load of at most 3/4, and shrinks once emptied.
            #expect(table.count <= table.capacity * 3 / 4)
            while let position = table.randomSlot(using: &generator) {
                model[table.remove(at: position).key] = nil
            }
            #expect(model.isEmpty && table.capacity == Table.minimumCapacity)
        }
    }

    /// Redis's SCAN guarantee: a key present from the first call to the last
    /// is returned, however the table grows and shrinks between calls.
    @Test func aScanReturnsEveryKeyPresentThroughoutAsTheTableGrowsAndShrinks() {
        for seed in 1...4 {
            var generator = SeededGenerator(state: UInt64(9_200 + seed))
            var table = Table()
            var next = 0
            func add(_ count: Int) {
                for _ in 0..<count {
                    table.insertNew(FieldEntry(key: Bytes("key:\(next)"), value: Bytes()))
                    next += 1
                }
            }
            add(Int.random(in: 0...3_000, using: &generator))
            let kept = Set(table.entries.map(\.key).filter { _ in Bool.random(using: &generator) })
            var seen = Set<Bytes>()
            var cursor: UInt64 = 0
            repeat {
                cursor = table.scan(cursor: cursor) { seen.insert(table.key(at: $0)) }
                // Now and then between calls: grow, or remove keys outside
                // `kept` (which may shrink the table).
                guard Int.random(in: 0..<16, using: &generator) == 0 else { continue }
                if Bool.random(using: &generator) && table.count < 8_000 {
                    add(Int.random(in: 0...2_000, using: &generator))
                } else {
                    for _ in 0..<Int.random(in: 0...3_000, using: &generator) {
                        guard let position = table.randomSlot(using: &generator) else { break }
                        if !kept.contains(table.key(at: position)) { table.remove(at: position) }
                    }
                }
            } while cursor != 0
            let missed = kept.subtracting(seen).count
            #expect(missed == 0, "seed \(seed): \(missed) of \(kept.count) keys never returned")
        }
    }

    @Test func aRandomEntryIsUniform() {
        var generator = SeededGenerator(state: 9_300)
        var table = Table()
        for key in 0..<50 { table.insertNew(FieldEntry(key: Bytes("member:\(key)"), value: Bytes())) }
        var counts = [Int](repeating: 0, count: table.count)
        let draws = 100_000
        for _ in 0..<draws { counts[table.randomSlot(using: &generator)!] += 1 }
        // Chi-square with 49 degrees of freedom: 95.0 is its 0.99999 quantile.
        let expected = Double(draws) / Double(counts.count)
        let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 95.0)
    }

    /// Each key has the model's deadline and value, and every key with a
    /// deadline comes due, however often the deadline heap was compacted.
    static func expectDeadlines(_ keyspace: inout Keyspace, _ model: [Bytes: Int64]) {
        #expect(keyspace.count == model.count)
        #expect(keyspace.volatileCount == model.values.filter { $0 != KeySlot.persistent }.count)
        for (key, deadline) in model {
            let slot = keyspace.find(key)!
            #expect(keyspace[slot: slot].deadline == deadline && keyspace[slot: slot].value.string == key)
        }
        var due = Set<Bytes>()
        while let slot = keyspace.nextDue(now: .max) { due.insert(keyspace[slot: slot].key) }
        #expect(due == Set(model.filter { $0.value != KeySlot.persistent }.keys))
    }

    /// A keyspace keeps deadlines beside its table, only while some key has
    /// one: each follows its key as removals move entries, and a key without
    /// one reads `persistent`.
    @Test func deadlinesFollowTheirKeysThroughRemovals() {
        for seed in 1...3 {
            var generator = SeededGenerator(state: UInt64(9_400 + seed))
            var keyspace = Keyspace()
            var model = [Bytes: Int64]()
            for step in 0..<12_000 {
                let key = Bytes("k\(Int.random(in: 0..<800, using: &generator))")
                let deadline: Int64 = Bool.random(using: &generator) ? Int64(step) : KeySlot.persistent
                if let slot = keyspace.find(key) {
                    if Bool.random(using: &generator) {
                        #expect(keyspace.remove(at: slot).deadline == model[key])
                        model[key] = nil
                    } else {
                        keyspace.setDeadline(at: slot, to: deadline)
                        model[key] = deadline
                    }
                } else {
                    keyspace.insert(key, value: .string(key), deadline: deadline)
                    model[key] = deadline
                }
                // Now and then, every key with a deadline leaves (then a long
                // run of changes, which compacts the deadline heap).
                if step % 1_500 == 1_499 && step < 5_000 {
                    for (key, deadline) in model where deadline != KeySlot.persistent {
                        keyspace.remove(at: keyspace.find(key)!)
                        model[key] = nil
                    }
                    // The deadlines stay kept while keys remain: a TTL given
                    // and taken away again costs no array of the keyspace's size.
                    #expect(keyspace.volatileCount == 0 && keyspace.tracksDeadlines == (keyspace.count > 0))
                }
            }
            Self.expectDeadlines(&keyspace, model)
            while let slot = keyspace.randomSlot(using: &generator), keyspace.count > 1 { model[keyspace.remove(at: slot).key] = nil }
            #expect(keyspace.tracksDeadlines)
            keyspace.remove(at: 0)
            model = [:]
            #expect(!keyspace.tracksDeadlines, "an emptied keyspace lets its deadlines go")
            for step in 0..<500 {
                let key = Bytes("again\(step)")
                keyspace.insert(key, value: .string(key), deadline: step % 2 == 0 ? KeySlot.persistent : Int64(step))
                model[key] = step % 2 == 0 ? KeySlot.persistent : Int64(step)
            }
            Self.expectDeadlines(&keyspace, model)
        }
    }

    /// What the two arrays are for: 100,000 keys cost their entries and
    /// four-byte slots, where one array of whole entries at a load of at
    /// most 3/4 took 262,144 entries (105 bytes a key in the keyspace).
    @Test func aKeyCostsItsEntryAndAFewBytesOfIndex() {
        var keyspace = KeyTable()
        for key in 0..<100_000 { keyspace.insertNew(KeyEntry(key: Bytes("user:\(key)"), value: .string(Bytes()))) }
        let perKey = Double(keyspace.heapBytes) / 100_000
        #expect(MemoryLayout<KeyEntry>.stride == 32, "a key and its value, 16 bytes each (a deadline is kept beside)")
        #expect(perKey < 32 * 1.32 + 11)
    }
}
