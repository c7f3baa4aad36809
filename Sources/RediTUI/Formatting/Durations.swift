/// How the UI writes a time to live: tenths under ten seconds (`9.4s`),
/// then `59s`, `4m05s`, `2h03m`, `3d04h`; a dash for none.
public enum TTLText {
    public static func format(milliseconds: Int64?) -> String {
        guard let milliseconds else { return "-" }
        let clamped = max(milliseconds, 0)
        if clamped < 10_000 {
            let tenths = clamped / 100
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = clamped / 1000
        if seconds < 60 { return "\(seconds)s" }
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if seconds < 3600 { return "\(seconds / 60)m\(two(seconds % 60))s" }
        if seconds < 86_400 { return "\(seconds / 3600)h\(two(seconds % 3600 / 60))m" }
        return "\(seconds / 86_400)d\(two(seconds % 86_400 / 3600))h"
    }
}
