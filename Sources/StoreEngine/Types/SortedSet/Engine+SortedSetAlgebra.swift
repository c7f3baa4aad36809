/// ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD, after Redis's
/// `zunionInterDiffGenericCommand`. Sets take part with every score 1.
extension Engine {
    enum SetOperation {
        case union, intersection, difference
    }

    /// How scores met in several inputs combine (AGGREGATE).
    enum Aggregate {
        case sum, min, max

        /// Redis's `zunionInterAggregate`; a sum that is NaN (inf + -inf) is 0.
        func combine(_ target: inout Double, _ value: Double) {
            switch self {
            case .sum:
                target += value
                if target.isNaN { target = 0 }
            case .min: target = Swift.min(target, value)
            case .max: target = Swift.max(target, value)
            }
        }
    }

    /// One input: a sorted set, a set (scores of 1), or a missing key.
    private enum Operand {
        case sortedSet(SortedSetValue)
        case set(SetValue)
        case missing

        var count: Int {
            switch self {
            case .sortedSet(let sortedSet): return sortedSet.count
            case .set(let set): return set.count
            case .missing: return 0
            }
        }

        func score(of member: Bytes) -> Double? {
            switch self {
            case .sortedSet(let sortedSet): return sortedSet.score(of: member)
            case .set(let set): return set.contains(member) ? 1 : nil
            case .missing: return nil
            }
        }

        func forEach(_ body: (Bytes, Double) -> Void) {
            switch self {
            case .sortedSet(let sortedSet): sortedSet.forEachWhile { body($0.member, $0.score); return true }
            case .set(let set): set.forEach { body($0, 1) }
            case .missing: break
            }
        }
    }

    func zunion(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 1, destination: nil, .union, name: "zunion")
    }

    func zinter(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 1, destination: nil, .intersection, name: "zinter")
    }

    func zdiff(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 1, destination: nil, .difference, name: "zdiff")
    }

    func zunionstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 2, destination: args[1], .union, name: "zunionstore")
    }

    func zinterstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 2, destination: args[1], .intersection, name: "zinterstore")
    }

    func zdiffstore(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 2, destination: args[1], .difference, name: "zdiffstore")
    }

    func zintercard(_ args: [Bytes]) throws(CommandError) -> Reply {
        try zsetOperation(args, numberIndex: 1, destination: nil, .intersection, name: "zintercard", cardinalityOnly: true)
    }

    /// The generic command: `numkeys key [key ...]` at `numberIndex`, then
    /// WEIGHTS, AGGREGATE, WITHSCORES or LIMIT as the command allows.
    private func zsetOperation(
        _ args: [Bytes], numberIndex: Int, destination: Bytes?, _ operation: SetOperation, name: String,
        cardinalityOnly: Bool = false
    ) throws(CommandError) -> Reply {
        guard let number = args[numberIndex].int64Value else { throw .notInteger }
        guard number >= 1 else { throw CommandError("ERR at least 1 input key is needed for '\(name)' command") }
        guard number <= Int64(args.count - numberIndex - 1) else { throw .syntax }
        let keyCount = Int(number)
        var operands: [(operand: Operand, weight: Double)] = []
        for key in args[numberIndex + 1...numberIndex + keyCount] {
            guard let slot = lookupRead(key) else {
                operands.append((.missing, 1))
                continue
            }
            switch keyspace.value(at: slot) {
            case .sortedSet(let sortedSet): operands.append((.sortedSet(sortedSet), 1))
            case .set(let set): operands.append((.set(set), 1))
            default: throw .wrongType
            }
        }
        var aggregate = Aggregate.sum
        var withScores = false
        var limit = 0
        var index = numberIndex + 1 + keyCount
        while index < args.count {
            let remaining = args.count - index
            let option = args[index]
            if operation != .difference && !cardinalityOnly && remaining >= keyCount + 1 && option.equalsIgnoringCase("WEIGHTS") {
                for position in 0..<keyCount {
                    guard let weight = Score.parse(args[index + 1 + position]) else { throw CommandError("ERR weight value is not a float") }
                    operands[position].weight = weight
                }
                index += keyCount + 1
            } else if operation != .difference && !cardinalityOnly && remaining >= 2 && option.equalsIgnoringCase("AGGREGATE") {
                let choice = args[index + 1]
                if choice.equalsIgnoringCase("SUM") { aggregate = .sum }
                else if choice.equalsIgnoringCase("MIN") { aggregate = .min }
                else if choice.equalsIgnoringCase("MAX") { aggregate = .max }
                else { throw .syntax }
                index += 2
            } else if destination == nil && !cardinalityOnly && option.equalsIgnoringCase("WITHSCORES") {
                withScores = true
                index += 1
            } else if cardinalityOnly && remaining >= 2 && option.equalsIgnoringCase("LIMIT") {
                guard let parsed = args[index + 1].int64Value, parsed >= 0 else { throw CommandError("ERR LIMIT can't be negative") }
                limit = Int(clamping: parsed)
                index += 2
            } else {
                throw .syntax
            }
        }
        // Smallest first, as Redis orders the inputs (not for a difference).
        if operation != .difference { operands.sort { $0.operand.count < $1.operand.count } }
        var result: [ScoredMember] = []
        var cardinality = 0
        switch operation {
        case .intersection:
            guard operands[0].operand.count > 0 else { break }
            let others = operands.dropFirst()
            operands[0].operand.forEach { member, score in
                if cardinalityOnly && limit > 0 && cardinality >= limit { return }
                var total = operands[0].weight * score
                if total.isNaN { total = 0 }
                for other in others {
                    guard let found = other.operand.score(of: member) else { return }
                    aggregate.combine(&total, found * other.weight)
                }
                cardinality += 1
                if !cardinalityOnly { result.append(ScoredMember(score: total, member: member)) }
            }
        case .union:
            var totals: [Bytes: Double] = [:]
            var order: [Bytes] = []
            for (operand, weight) in operands {
                operand.forEach { member, score in
                    var value = weight * score
                    if value.isNaN { value = 0 }
                    if totals[member] == nil {
                        totals[member] = value
                        order.append(member)
                    } else {
                        aggregate.combine(&totals[member]!, value)
                    }
                }
            }
            result = order.map { ScoredMember(score: totals[$0]!, member: $0) }
        case .difference:
            operands[0].operand.forEach { member, score in
                if !operands.dropFirst().contains(where: { $0.operand.score(of: member) != nil }) {
                    result.append(ScoredMember(score: score, member: member))
                }
            }
        }
        if cardinalityOnly { return .integer(Int64(cardinality)) }
        if let destination {
            let event: KeyEvent = switch operation {
            case .union: .zunionstore
            case .intersection: .zinterstore
            case .difference: .zdiffstore
            }
            return storeSortedSet(result, at: destination, event: event)
        }
        result.sort { $0.precedes($1) }
        return Engine.reply(result, withScores: withScores)
    }
}
