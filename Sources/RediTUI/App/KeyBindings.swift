/// What a key binding does.
public enum Action: Sendable, Equatable {
    case quit, toggleFocus, focusBar, toggleHelp
    case selectUp, selectDown, pageUp, pageDown, selectFirst, selectLast
    case cycleSortOrder, filter, openDetail, deleteKey, changeTTL
    case previousDatabase, nextDatabase, toggleFollow
    case toggleTree, openFolder, closeFolder, toggleTimeline, toggleDashboard
}

/// A key binding with its help text: the help overlay is generated from the
/// same table that dispatches keys.
public struct KeyBinding: Sendable {
    public enum Scope: Sendable { case everywhere, table }
    public var keys: [Key]
    /// How the help overlay names the keys.
    public var label: String
    public var help: String
    public var scope: Scope
    public var action: Action

    /// Every binding, in the order the help overlay lists them.
    public static let all: [KeyBinding] = [
        KeyBinding(keys: [.function(1)], label: "F1", help: "show or hide this help", scope: .everywhere, action: .toggleHelp),
        KeyBinding(keys: [.character("?")], label: "?", help: "show or hide this help (in the table)", scope: .table, action: .toggleHelp),
        KeyBinding(keys: [.escape], label: "Esc", help: "move between the command bar and the table; close this help or a dialog", scope: .everywhere, action: .toggleFocus),
        KeyBinding(keys: [.tab, .character(":")], label: "Tab / :", help: "back to the command bar (in the table)", scope: .table, action: .focusBar),
        KeyBinding(keys: [.up, .character("k")], label: "↑ / k", help: "select the row above", scope: .table, action: .selectUp),
        KeyBinding(keys: [.down, .character("j")], label: "↓ / j", help: "select the row below", scope: .table, action: .selectDown),
        KeyBinding(keys: [.pageUp], label: "PgUp", help: "one page up", scope: .table, action: .pageUp),
        KeyBinding(keys: [.pageDown], label: "PgDn", help: "one page down", scope: .table, action: .pageDown),
        KeyBinding(keys: [.character("g"), .home], label: "g / Home", help: "first row", scope: .table, action: .selectFirst),
        KeyBinding(keys: [.character("G"), .end], label: "G / End", help: "last row", scope: .table, action: .selectLast),
        KeyBinding(keys: [.enter], label: "Enter", help: "open the selected key's value: a string whole, a collection's rows to page, filter (/) and edit (a, e, d); open or close a folder", scope: .table, action: .openDetail),
        KeyBinding(keys: [.character("v")], label: "v", help: "show the keys as a tree of folders split at the delimiter (--delimiter, : by default), or as a table", scope: .table, action: .toggleTree),
        KeyBinding(keys: [.right, .character("l")], label: "→ / l", help: "in the tree: open the selected folder", scope: .table, action: .openFolder),
        KeyBinding(keys: [.left, .character("h")], label: "← / h", help: "in the tree: close the selected folder, or the one around the selected key", scope: .table, action: .closeFolder),
        KeyBinding(keys: [.character("/")], label: "/", help: "filter the keys by a glob", scope: .table, action: .filter),
        KeyBinding(keys: [.character("d")], label: "d", help: "delete the selected key (asks first)", scope: .table, action: .deleteKey),
        KeyBinding(keys: [.character("t")], label: "t", help: "change the selected key's TTL", scope: .table, action: .changeTTL),
        KeyBinding(keys: [.character("s")], label: "s", help: "sort by key, then TTL (soonest first), size (largest first), length (most elements first)", scope: .table, action: .cycleSortOrder),
        KeyBinding(keys: [.character("e")], label: "e", help: "show or hide the expiry timeline (keys expiring within 10s, 1m, 10m, 1h, 1d, later): ↑/↓ a bucket, Enter shows only its keys", scope: .table, action: .toggleTimeline),
        KeyBinding(keys: [.character("[")], label: "[", help: "show the previous database (SELECT in the bar too)", scope: .table, action: .previousDatabase),
        KeyBinding(keys: [.character("]")], label: "]", help: "show the next database", scope: .table, action: .nextDatabase),
        KeyBinding(keys: [.function(2)], label: "F2", help: "follow the clients' commands in the log, like MONITOR (with --port)", scope: .everywhere, action: .toggleFollow),
        KeyBinding(keys: [.function(3)], label: "F3", help: "show the dashboard in the table's place: commands/s, keys, volatile keys, memory, expired/s and clients over the last 5 minutes", scope: .everywhere, action: .toggleDashboard),
        KeyBinding(keys: [.control("c")], label: "Ctrl-C", help: "save and quit, from anywhere (also EXIT, QUIT, Ctrl-D on an empty bar)", scope: .everywhere, action: .quit),
        KeyBinding(keys: [.character("q")], label: "q", help: "save and quit (in the table)", scope: .table, action: .quit),
    ]

    /// The action bound to `key` where the focus is.
    public static func action(for key: Key, focus: Focus) -> Action? {
        all.first { binding in
            binding.keys.contains(key) && (binding.scope == .everywhere || focus == .table)
        }?.action
    }
}
