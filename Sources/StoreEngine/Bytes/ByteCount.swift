/// Sizes as people read them.
public enum ByteCount {
    /// Redis's `bytesToHuman`: `512B`, `1.50K`, `3.20M`, as INFO's `_human` fields show them.
    public static func human(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value < 1024 { return "\(bytes)B" }
        for (unit, scale) in [("K", 1024.0), ("M", 1024.0 * 1024), ("G", 1024.0 * 1024 * 1024)] where value < scale * 1024 {
            return String(cFormat: "%.2f", value / scale) + unit
        }
        return String(cFormat: "%.2f", value / (1024.0 * 1024 * 1024 * 1024)) + "T"
    }
}
