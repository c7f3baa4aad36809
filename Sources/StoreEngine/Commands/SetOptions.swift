/// The options of SET and GETEX, parsed as Redis's
/// `parseExtendedStringArgumentsOrReply` does: each option may appear once
/// with the ones it does not conflict with; anything else is a syntax error.
struct SetOptions {
    enum Condition { case always, ifAbsent, ifPresent }

    /// EX, PX, EXAT or PXAT and its value.
    struct Expiry {
        enum Unit { case seconds, milliseconds }
        var value: Bytes
        var unit: Unit
        /// EXAT or PXAT: a Unix time; EX or PX: from now.
        var isAbsolute: Bool

        /// Whether two options are the same one (which may repeat).
        func isSameOption(as other: Expiry) -> Bool {
            unit == other.unit && isAbsolute == other.isAbsolute
        }

        /// Redis's `getExpireMillisecondsOrReply`: the deadline in Unix
        /// milliseconds, or `invalid expire time` for values not above zero
        /// and for overflow.
        func deadline(now: Int64, command: String) throws(CommandError) -> Int64 {
            let base = isAbsolute ? 0 : now
            guard var milliseconds = value.int64Value else { throw .notInteger }
            let invalid = CommandError("ERR invalid expire time in '\(command)' command")
            if milliseconds <= 0 || (unit == .seconds && milliseconds > Int64.max / 1000) {
                throw invalid
            }
            if unit == .seconds { milliseconds *= 1000 }
            let (sum, overflow) = milliseconds.addingReportingOverflow(base)
            if overflow || sum <= 0 { throw invalid }
            return sum
        }
    }

    enum Command { case set, getex }

    var condition = Condition.always
    var returnOld = false
    var keepTTL = false
    var persist = false
    var expiry: Expiry?

    static func parse(_ words: ArraySlice<Bytes>, for command: Command) throws(CommandError) -> SetOptions {
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
            } else if hasNext, let expiry = expiryOption(word, value: words[index + 1]),
                      !options.keepTTL, !options.persist, options.expiry?.isSameOption(as: expiry) ?? true {
                options.expiry = expiry
                index += 1
            } else {
                throw .syntax
            }
            index += 1
        }
        return options
    }

    /// EX, PX, EXAT or PXAT with its value; `nil` for other words.
    private static func expiryOption(_ word: Bytes, value: Bytes) -> Expiry? {
        if word.equalsIgnoringCase("EX") { return Expiry(value: value, unit: .seconds, isAbsolute: false) }
        if word.equalsIgnoringCase("PX") { return Expiry(value: value, unit: .milliseconds, isAbsolute: false) }
        if word.equalsIgnoringCase("EXAT") { return Expiry(value: value, unit: .seconds, isAbsolute: true) }
        if word.equalsIgnoringCase("PXAT") { return Expiry(value: value, unit: .milliseconds, isAbsolute: true) }
        return nil
    }
}

