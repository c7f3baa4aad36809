#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials

/// The commands redi knows, read once from `Resources/commands.json`, which
/// is compiled into the binary. Arity checks, HELP, and the front ends' hints
/// and completion all come from here.
public enum CommandTable {
    /// Every command, sorted by name.
    public static let all: [CommandSpec] = {
        let data = Data(PackageResources.commands_json)
        do {
            return try JSONDecoder().decode([CommandSpec].self, from: data).sorted { $0.name < $1.name }
        } catch {
            preconditionFailure("Resources/commands.json is invalid: \(error)")
        }
    }()

    /// Found without hashing or lower-casing: a server looks up every command.
    private static let byName = CommandNameTable(all.map { ($0.name.lowercased(), $0) })

    /// Whether a command line is EXIT or QUIT, which a front end answers by
    /// saving and leaving.
    public static func leavesFrontEnd(_ command: [Bytes]) -> Bool {
        guard let name = command.first else { return false }
        return name.equalsIgnoringCase("EXIT") || name.equalsIgnoringCase("QUIT")
    }

    /// The command with this name, in any case.
    public static func spec(named name: Bytes) -> CommandSpec? {
        byName[name]
    }
}
