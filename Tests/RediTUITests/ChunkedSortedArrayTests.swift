import RediTUI
import StoreEngineTestSupport
import Testing

@Suite("ChunkedSortedArray")
struct ChunkedSortedArrayTests {
    @Test func matchesASortedArrayUnderRandomUpdates() {
        var generator = SeededGenerator(state: 60403)
        var chunked = ChunkedSortedArray<Int>((0..<3000).map { $0 * 2 })
        var reference = (0..<3000).map { $0 * 2 }
        for step in 0..<20_000 {
            let value = Int.random(in: 0..<10_000, using: &generator)
            if Bool.random(using: &generator) {
                chunked.insert(value)
                reference.insert(value, at: reference.firstIndex { $0 >= value } ?? reference.count)
            } else {
                let removed = chunked.remove(value)
                if let index = reference.firstIndex(of: value) {
                    reference.remove(at: index)
                    #expect(removed)
                } else {
                    #expect(!removed)
                }
            }
            if step % 1000 == 0 {
                #expect(chunked.count == reference.count)
                #expect(chunked.elements(from: 0, limit: .max) == reference)
                let probe = Int.random(in: 0..<max(reference.count, 1), using: &generator)
                if !reference.isEmpty {
                    #expect(chunked.element(at: probe) == reference[probe])
                    #expect(chunked.firstIndex(of: reference[probe]) == reference.firstIndex(of: reference[probe]))
                }
                #expect(chunked.elements(from: probe, limit: 35) == Array(reference[min(probe, reference.count)...].prefix(35)))
            }
        }
    }
}
