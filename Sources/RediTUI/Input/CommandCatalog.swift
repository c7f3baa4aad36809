import StoreEngine

/// The commands the command bar hints and completes: redi's own table, or
/// what a remote server's COMMAND DOCS tells (a newer Redis or Valkey has
/// commands redi's table lacks).
public struct CommandCatalog: Sendable {
    /// Every command's name, as the server spells it, sorted.
    public let names: [String]
    private let arguments: [String: [ArgumentSpec]]

    /// Commands by name, with their arguments.
    public init(_ commands: [(name: String, arguments: [ArgumentSpec])]) {
        names = commands.map(\.name).sorted()
        arguments = Dictionary(commands.map { ($0.name.lowercased(), $0.arguments) }, uniquingKeysWith: { first, _ in first })
    }

    /// redi's own commands.
    public static let local = CommandCatalog(CommandTable.all.map { ($0.name, $0.arguments) })

    /// A command's arguments, by its name in any case.
    public func arguments(of name: String) -> [ArgumentSpec]? {
        arguments[name.lowercased()]
    }

    /// The syntax after the name, as redis-cli's hints show it.
    public func syntax(of name: String) -> String? {
        arguments(of: name).map { $0.map(\.syntax).joined(separator: " ") }
    }
}
