/// The options of SET and GETEX, parsed as Redis's
/// `parseExtendedStringArgumentsOrReply` does: each option may appear once
/// with the ones it does not conflict with; anything else is a syntax error.
struct SetOptions {
    enum Condition { case always, ifAbsent, ifPresent }

    enum Expiry {
        enum Unit { case seconds, milliseconds }
        /// EX or PX: from now.
        case relative(Bytes, Unit)
        /// EXAT or PXAT: a Unix time.
        case absolute(Bytes, Unit)

        var isAbsolute: Bool {
            if case .absolute = self { return true }
            return false
        }

        /// Redis's `getExpireMillisecondsOrReply`: the deadline in Unix
        /// milliseconds, or `invalid expire time` for values not above zero
        /// and for overflow.
        func deadline(now: Int64, command: String) -> Result<Int64, CommandError> {
            let (text, unit, base): (Bytes, Unit, Int64)
            switch self {
            case .relative(let value, let u): (text, unit, base) = (value, u, now)
            case .absolute(let value, let u): (text, unit, base) = (value, u, 0)
            }
            guard var milliseconds = text.int64Value else { return .failure(.notInteger) }
            let invalid = CommandError.message("ERR invalid expire time in '\(command)' command")
            if milliseconds <= 0 || (unit == .seconds && milliseconds > Int64.max / 1000) {
                return .failure(invalid)
            }
            if unit == .seconds { milliseconds *= 1000 }
            let (sum, overflow) = milliseconds.addingReportingOverflow(base)
            if overflow || sum <= 0 { return .failure(invalid) }
            return .success(sum)
        }
    }

    enum Command { case set, getex }

    var condition = Condition.always
    var returnOld = false
    var keepTTL = false
    var persist = false
    var expiry: Expiry?

    static func parse(_ words: ArraySlice<Bytes>, for command: Command) -> Result<SetOptions, CommandError> {
        var options = SetOptions()
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            let hasNext = index + 1 < words.endIndex
            let noExpiry = options.expiry == nil
            if command == .set && word.equalsIgnoringCase("NX") && options.condition != .ifPresent {
                options.condition = .ifAbsent
            } else if command == .set && word.equalsIgnoringCase("XX") && options.condition != .ifAbsent {
                options.condition = .ifPresent
            } else if command == .set && word.equalsIgnoringCase("GET") {
                options.returnOld = true
            } else if command == .set && word.equalsIgnoringCase("KEEPTTL") && noExpiry {
                options.keepTTL = true
            } else if command == .getex && word.equalsIgnoringCase("PERSIST") && noExpiry {
                options.persist = true
            } else if let expiry = expiryKind(word), hasNext, !options.keepTTL, !options.persist,
                      options.expiry.map({ sameKind($0, expiry) }) ?? true {
                options.expiry = expiry(words[index + 1])
                index += 1
            } else {
                return .failure(.syntax)
            }
            index += 1
        }
        return .success(options)
    }

    /// EX, PX, EXAT or PXAT, as a constructor awaiting its value.
    private static func expiryKind(_ word: Bytes) -> ((Bytes) -> Expiry)? {
        if word.equalsIgnoringCase("EX") { return { .relative($0, .seconds) } }
        if word.equalsIgnoringCase("PX") { return { .relative($0, .milliseconds) } }
        if word.equalsIgnoringCase("EXAT") { return { .absolute($0, .seconds) } }
        if word.equalsIgnoringCase("PXAT") { return { .absolute($0, .milliseconds) } }
        return nil
    }

    /// Redis lets an expiry option repeat (the last wins) but not mix with another.
    private static func sameKind(_ current: Expiry, _ next: (Bytes) -> Expiry) -> Bool {
        switch (current, next(Bytes())) {
        case (.relative(_, let a), .relative(_, let b)), (.absolute(_, let a), .absolute(_, let b)):
            return a == b
        default:
            return false
        }
    }
}

/// An error reply decided while parsing arguments.
enum CommandError: Error {
    case syntax
    case notInteger
    case message(String)

    var reply: Reply {
        switch self {
        case .syntax: return .syntaxError
        case .notInteger: return .notInteger
        case .message(let text): return .error(text)
        }
    }
}
