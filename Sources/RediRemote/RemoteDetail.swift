import StoreEngine

/// One page of a remote key's value for the detail view, read with the
/// type's own paging commands: LRANGE and ZRANGE by position, HSCAN and
/// SSCAN (which have no positions) from the start up to the page, XRANGE
/// or XREVRANGE for a stream (read-only).
struct RemoteDetail {
    let reader: RedisConnection
    let key: Bytes
    let offset: Int
    let count: Int
    let filter: Bytes?

    func page() async throws(RemoteError) -> DetailPage? {
        let type = try await reader.send(["TYPE", key]).text ?? "none"
        let glob = filter.flatMap { $0 == "*" || $0.isEmpty ? nil : $0 }
        switch type {
        case "string":
            guard let value = try await reader.send(["GET", key]).bytes else { return nil }
            return DetailPage(typeName: type, total: 1, matching: 1, offset: 0, rows: [[value]])
        case "list" where glob == nil:
            let replies = try await reader.send([["LLEN", key], ["LRANGE", key, Bytes(Int64(offset)), Bytes(Int64(offset + count - 1))]])
            let rows = (replies[1].elements ?? []).enumerated().map { [Bytes(Int64(offset + $0.offset)), $0.element.bytes ?? Bytes()] }
            let total = Int(replies[0].integer ?? 0)
            return DetailPage(typeName: type, total: total, matching: total, offset: offset, rows: rows)
        case "zset" where glob == nil:
            let replies = try await reader.send([
                ["ZCARD", key], ["ZRANGE", key, Bytes(Int64(offset)), Bytes(Int64(offset + count - 1)), "WITHSCORES"],
            ])
            let flat = Self.flatten(replies[1])
            var rows: [[Bytes]] = []
            var index = 0
            while index + 1 < flat.count {
                rows.append([Bytes(Int64(offset + rows.count)), flat[index].bytes ?? Bytes(), Self.score(flat[index + 1])])
                index += 2
            }
            let total = Int(replies[0].integer ?? 0)
            return DetailPage(typeName: type, total: total, matching: total, offset: offset, rows: rows)
        case "list", "hash", "set", "zset":
            return try await scanned(type: type, glob: glob)
        case "stream":
            return try await stream()
        default:
            return nil
        }
    }

    /// Pages through HSCAN, SSCAN or ZSCAN (a list with a filter: LRANGE in
    /// chunks) from the start, counting what the filter keeps.
    private func scanned(type: String, glob: Bytes?) async throws(RemoteError) -> DetailPage {
        let wanted = max(offset, 0)..<max(offset, 0) + max(count, 0)
        var rows: [[Bytes]] = []
        var matching = 0
        let pattern = glob.map(GlobPattern.init)
        func take(_ element: Bytes, _ row: [Bytes]) {
            guard pattern?.matches(element) ?? true else { return }
            if wanted.contains(matching) { rows.append(row) }
            matching += 1
        }
        let total: Int
        if type == "list" {
            total = Int(try await reader.send(["LLEN", key]).integer ?? 0)
            var start = 0
            while start < total {
                let chunk = try await reader.send(["LRANGE", key, Bytes(Int64(start)), Bytes(Int64(start + 999))]).elements ?? []
                if chunk.isEmpty { break }
                for (index, element) in chunk.enumerated() { take(element.bytes ?? Bytes(), [Bytes(Int64(start + index)), element.bytes ?? Bytes()]) }
                start += chunk.count
            }
        } else {
            let (scan, size): (Bytes, Bytes) = switch type {
            case "hash": ("HSCAN", "HLEN")
            case "set": ("SSCAN", "SCARD")
            default: ("ZSCAN", "ZCARD")
            }
            total = Int(try await reader.send([size, key]).integer ?? 0)
            var cursor = Bytes("0")
            repeat {
                var command: [Bytes] = [scan, key, cursor, "COUNT", "1000"]
                if let glob { command += ["MATCH", glob] }
                let reply = try await reader.send(command)
                guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes else { break }
                let elements = Self.flatten(parts[1])
                switch type {
                case "set":
                    for element in elements { take(element.bytes ?? Bytes(), [element.bytes ?? Bytes()]) }
                default:
                    var index = 0
                    while index + 1 < elements.count {
                        let member = elements[index].bytes ?? Bytes()
                        take(member, type == "hash" ? [member, elements[index + 1].bytes ?? Bytes()]
                            : [Bytes(Int64(matching)), member, Self.score(elements[index + 1])])
                        index += 2
                    }
                }
                cursor = next
                // Without a filter, the page is all that is wanted.
                if glob == nil && matching >= wanted.upperBound { break }
            } while cursor != "0"
            if glob == nil { matching = total }
        }
        return DetailPage(typeName: type, total: total, matching: matching, offset: offset, rows: rows)
    }

    /// A stream's entries, ID then fields and values, read from the nearer
    /// end (XRANGE from the first, XREVRANGE from the last: the last page of
    /// a long stream costs a page), and what XINFO STREAM says of it.
    private func stream() async throws(RemoteError) -> DetailPage {
        let replies = try await reader.send([["XLEN", key], ["XINFO", "STREAM", key]])
        let total = Int(replies[0].integer ?? 0)
        let end = min(max(offset, 0) + max(count, 0), total), start = min(max(offset, 0), end)
        let fromEnd = start > total - end
        var rows = try await entries(reverse: fromEnd, skip: fromEnd ? total - end : start, take: end - start)
        if fromEnd { rows.reverse() }
        var page = DetailPage(typeName: "stream", total: total, matching: total, offset: offset, rows: rows)
        page.summary = Self.streamSummary(replies[1])
        return page
    }

    /// `take` entries after the first `skip`, from the first entry onwards
    /// or from the last backwards, as `[id, field=value  field=value]`.
    private func entries(reverse: Bool, skip: Int, take: Int) async throws(RemoteError) -> [[Bytes]] {
        var rows: [[Bytes]] = []
        var from: Bytes = reverse ? "+" : "-"
        var skipped = 0
        while rows.count < take {
            let batch = min(1000, skip - skipped + take - rows.count)
            let command: [Bytes] = (reverse ? ["XREVRANGE", key, from, "-"] : ["XRANGE", key, from, "+"]) + ["COUNT", Bytes(Int64(batch))]
            let entries = try await reader.send(command).elements ?? []
            for entry in entries {
                guard let parts = entry.elements, parts.count == 2, let id = parts[0].bytes else { continue }
                // The next batch starts after this ID (exclusive ranges: Redis 6.2).
                from = Bytes("(" + String(decoding: id.array, as: UTF8.self))
                if skipped < skip {
                    skipped += 1
                    continue
                }
                guard rows.count < take else { break }
                // field=value pairs, two spaces apart, as raw bytes (the view escapes them).
                let fields = (parts[1].elements ?? []).map { $0.bytes?.array ?? [] }
                var text: [UInt8] = []
                var index = 0
                while index + 1 < fields.count {
                    if !text.isEmpty { text += [32, 32] }
                    text += fields[index] + [61] + fields[index + 1]
                    index += 2
                }
                rows.append([id, Bytes(text)])
            }
            if entries.count < batch { break }
        }
        return rows
    }

    /// XINFO STREAM's last ID and consumer groups, in a few words; `nil` if
    /// the server would not say (an ACL, an old server).
    static func streamSummary(_ reply: Reply) -> String? {
        let fields = reply.fields
        guard let last = fields["last-generated-id"]?.text, let groups = fields["groups"]?.integer else { return nil }
        return "last ID \(last) · \(groups) consumer \(groups == 1 ? "group" : "groups")"
    }

    /// A RESP3 map or array of pairs, or a flat RESP2 array, as one flat list.
    static func flatten(_ reply: Reply) -> [Reply] {
        switch reply {
        case .map(let elements), .pairs(let elements): return elements
        case .array(let elements):
            if elements.allSatisfy({ $0.elements?.count == 2 }) && !elements.isEmpty {
                return elements.flatMap { $0.elements ?? [] }
            }
            return elements
        default: return []
        }
    }

    /// A score as ZRANGE's RESP2 bulk or RESP3 double, as text.
    static func score(_ reply: Reply) -> Bytes {
        switch reply {
        case .double(let value): return Score.format(value)
        default: return reply.bytes ?? Bytes()
        }
    }
}
