import DequeModule
import StoreEngine

/// The dashboard's series (F3): the store's counters sampled about once a
/// second, the last five minutes of them.
public struct VitalsHistory: Sendable {
    /// One sample: the counters, and the clients connected then.
    public struct Sample: Sendable, Equatable {
        /// Unix milliseconds.
        public var time: Int64
        public var counters: StoreCounters
        public var clients: Int
    }

    /// What a chart shows.
    public enum Series: Int, Sendable, CaseIterable {
        case commands, keys, volatileKeys, memory, expired, clients

        public var title: String {
            switch self {
            case .commands: "commands/s"
            case .keys: "keys"
            case .volatileKeys: "volatile keys"
            case .memory: "memory"
            case .expired: "expired/s"
            case .clients: "clients"
            }
        }

        /// A value as the chart's title gives it.
        public func format(_ value: Double) -> String {
            switch self {
            case .memory: ByteCount.human(Int(value))
            default: ExpiryTimeline.shortCount(Int(value.rounded()))
            }
        }
    }

    /// How far back the charts reach, in milliseconds.
    public static let span: Int64 = 300_000

    public private(set) var samples = Deque<Sample>()

    public init() {}

    /// Adds a sample; those older than the span (but the one a rate needs) go.
    public mutating func record(_ counters: StoreCounters, clients: Int, at time: Int64) {
        if let last = samples.last, time <= last.time { return }
        samples.append(Sample(time: time, counters: counters, clients: clients))
        while samples.count > 2, samples[1].time <= time - VitalsHistory.span { samples.removeFirst() }
    }

    /// The series, oldest first, a value per sample: levels as sampled,
    /// rates (commands, expired keys) per second between a sample and the
    /// one before it (a counter reset, such as a restart, counts as zero).
    public func values(_ series: Series) -> [Double] {
        switch series {
        case .commands: rates(\.commandsProcessed)
        case .expired: rates(\.expiredKeys)
        case .keys: samples.map { Double($0.counters.keys) }
        case .volatileKeys: samples.map { Double($0.counters.volatileKeys) }
        case .memory: samples.map { Double($0.counters.memory) }
        case .clients: samples.map { Double($0.clients) }
        }
    }

    private func rates(_ counter: KeyPath<StoreCounters, Int>) -> [Double] {
        zip(samples, samples.dropFirst()).map { earlier, later in
            let elapsed = Double(later.time - earlier.time) / 1000
            return Double(max(later.counters[keyPath: counter] - earlier.counters[keyPath: counter], 0)) / elapsed
        }
    }
}
