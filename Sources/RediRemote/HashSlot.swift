import StoreEngine

/// Redis Cluster's key → slot: CRC16 (XMODEM) of the key, or of its hash
/// tag (the part between the first `{` and the next `}`, if not empty), mod 16384.
enum HashSlot {
    static let count = 16384

    static func of(_ key: Bytes) -> Int {
        key.withUnsafeBytes { bytes in
            var start = 0, end = bytes.count
            if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
               let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 {
                start = open + 1
                end = close
            }
            var crc: UInt16 = 0
            for index in start..<end {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ bytes[index])]
            }
            return Int(crc) & (count - 1)
        }
    }

    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}

/// Where a cluster's masters are and which slots each serves, from
/// CLUSTER SHARDS (Redis 7.0) or CLUSTER SLOTS (before).
struct ClusterTopology: Equatable {
    struct Master: Equatable {
        var host: String
        var port: Int
        var slots: [ClosedRange<Int>]
    }

    var masters: [Master]

    /// CLUSTER SHARDS: per shard, `slots` (start, end pairs) and `nodes`
    /// (maps with ip or endpoint, port or tls-port, role, health).
    init?(shards reply: Reply, tls: Bool) {
        guard let shards = reply.elements else { return nil }
        var masters: [Master] = []
        for shard in shards {
            let fields = shard.fields
            let bounds = (fields["slots"]?.elements ?? []).compactMap(\.integer).map(Int.init)
            var ranges: [ClosedRange<Int>] = []
            var index = 0
            while index + 1 < bounds.count {
                if bounds[index] <= bounds[index + 1] { ranges.append(bounds[index]...bounds[index + 1]) }
                index += 2
            }
            guard !ranges.isEmpty else { continue }
            for node in fields["nodes"]?.elements ?? [] {
                let info = node.fields
                guard info["role"]?.text == "master", info["health"]?.text != "fail" else { continue }
                let endpoint = info["endpoint"]?.text ?? ""
                let host = endpoint.isEmpty || endpoint == "?" ? info["ip"]?.text ?? "" : endpoint
                guard let port = (tls ? info["tls-port"] : info["port"])?.integer ?? info["port"]?.integer, !host.isEmpty else { continue }
                masters.append(Master(host: host, port: Int(port), slots: ranges))
            }
        }
        guard !masters.isEmpty else { return nil }
        self.masters = masters
    }

    /// CLUSTER SLOTS: `[start, end, [host, port, id, ...], replicas...]` per range.
    init?(slots reply: Reply) {
        guard let ranges = reply.elements else { return nil }
        var masters: [Master] = []
        for range in ranges {
            guard let parts = range.elements, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                  let node = parts[2].elements, node.count >= 2, let host = node[0].text, let port = node[1].integer else { continue }
            if let existing = masters.firstIndex(where: { $0.host == host && $0.port == Int(port) }) {
                masters[existing].slots.append(Int(start)...Int(end))
            } else {
                masters.append(Master(host: host, port: Int(port), slots: [Int(start)...Int(end)]))
            }
        }
        guard !masters.isEmpty else { return nil }
        self.masters = masters
    }
}
