/// One command's counters, as INFO's `commandstats` shows them
/// (`cmdstat_get:calls=1,usec=3,usec_per_call=3.00,rejected_calls=0,failed_calls=0`).
public struct CommandStatistic: Sendable, Equatable {
    public var calls = 0
    public var microseconds: Int64 = 0
    /// Refused before running (unknown subcommand, arity, NOAUTH, OOM, BUSY...).
    public var rejected = 0
    /// Ran and answered an error.
    public var failed = 0
}

/// Error replies by code (INFO's `errorstats`) and in all (`total_error_replies`).
public struct ErrorStatistics: Sendable, Equatable {
    public var total = 0
    /// Codes in the order first seen, at most 128, as Redis keeps them.
    public var counts: [ErrorCount] = []

    public struct ErrorCount: Sendable, Equatable {
        public let code: String
        public var count: Int
    }

    mutating func count(_ text: String) {
        total += 1
        let code = String(text.prefix { $0 != " " })
        if let index = counts.firstIndex(where: { $0.code == code }) {
            counts[index].count += 1
        } else if counts.count < 128 {
            counts.append(ErrorCount(code: code, count: 1))
        }
    }
}

/// Every command's and subcommand's slot in the engine's counters, after
/// Redis's per-command `calls`, `rejected_calls` and `failed_calls`.
enum CommandStatisticSlots {
    /// Names (`get`, `config|get`), by slot.
    static let names: [String] = CommandTable.all.flatMap { spec in
        [spec.name.lowercased()] + (spec.subcommands ?? []).map { $0.name.lowercased() }
    }
    static let slots: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
}

extension Engine {
    /// The counters' slot of a command line: a container's subcommand has its own.
    func statisticSlot(_ entry: Entry, _ command: [Bytes]) -> Int {
        guard entry.isContainer, command.count >= 2 else { return entry.statisticSlot }
        return CommandStatisticSlots.slots[entry.spec.name.lowercased() + "|" + command[1].description.lowercased()] ?? entry.statisticSlot
    }

    /// Counts an error reply that reaches a client (or a script's
    /// `redis.call`): `errorstats`, `total_error_replies`.
    public func countError(_ text: String) {
        errorStatistics.count(text)
    }

    /// The commands that ran or were refused, with their counters, by name.
    public var commandStatistics: [(name: String, statistic: CommandStatistic)] {
        commandCounters.enumerated().compactMap { slot, statistic in
            statistic.calls > 0 || statistic.rejected > 0 || statistic.failed > 0 ? (CommandStatisticSlots.names[slot], statistic) : nil
        }
    }

    /// CONFIG RESETSTAT: the counters INFO reports start again from zero.
    public func resetStatistics() {
        stats.commandsProcessed = 0
        stats.expiredKeys = 0
        stats.keyspaceHits = 0
        stats.keyspaceMisses = 0
        errorStatistics = ErrorStatistics()
        commandCounters = Array(repeating: CommandStatistic(), count: CommandStatisticSlots.names.count)
    }
}
