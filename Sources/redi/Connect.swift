import ArgumentParser
import RediRemote
import RediTUI
import StoreEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `redi connect`: the same UI over a Redis, Valkey or redi server.
struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the UI on a Redis, Valkey or redi server.",
        discussion: """
            In a terminal the full-screen UI (--no-tui: a '>> ' prompt instead); from a pipe or file one command \
            per line, replies printed raw. The key table is loaded with SCAN in pages and follows the server's keyspace notifications \
            (redi asks before turning them on; --no-config never changes the server's settings). \
            Typed commands go to the server. The password comes from the URL, REDISCLI_AUTH or --askpass.
            """
    )

    @Argument(help: ArgumentHelp(
        "The server: redis://[[user]:password@]host[:port][/db], rediss:// for TLS.", valueName: "url"))
    var url = "redis://127.0.0.1:6379"

    @Option(name: .long, help: ArgumentHelp("The ACL user to log in as (AUTH user password).", valueName: "name"))
    var user: String?

    @Flag(name: .long, help: "Ask for the password on the terminal, without echoing it.")
    var askpass = false

    @Flag(name: .customLong("read-only"), help: "Refuse every write (typed, or a table action) before it reaches the server.")
    var readOnly = false

    @Flag(name: .customLong("no-config"), help: "Never change the server's settings (notifications stay as they are).")
    var noConfig = false

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for the server.", valueName: "seconds"))
    var connectTimeout = 5.0

    /// redi's own `--tui`, `--no-tui`, `--delimiter`, `--theme` and `--no-mouse` (the parent parses them wherever they stand).
    @ParentCommand var redi: Redi

    @Flag(name: .long, help: "Treat the server as a Redis Cluster node (found from INFO otherwise): every master is scanned, commands go to their key's master.")
    var cluster = false

    @Flag(name: .long, help: "Connect with TLS (as rediss:// does).")
    var tls = false

    @Option(name: .long, help: ArgumentHelp("The authorities that sign the server's certificate (PEM); the system's otherwise.", valueName: "file"))
    var cacert: String?

    @Option(name: .long, help: ArgumentHelp("A client certificate (PEM), for a server that asks for one.", valueName: "file"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("The client certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Flag(name: .long, help: "Do not check the server's certificate (TLS).")
    var insecure = false

    func validate() throws {
        guard connectTimeout > 0, connectTimeout <= 3600 else { throw ValidationError("--connect-timeout takes seconds, more than 0.") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together.") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let misplaced = redi.ownStoreFlags
        guard misplaced.isEmpty else {
            printError("redi: \(misplaced.joined(separator: ", ")) \(misplaced.count == 1 ? "is" : "are") for redi's own store, not for redi connect")
            throw ExitCode(1)
        }
        var target: RedisURL
        do {
            target = try RedisURL(parsing: url)
        } catch {
            printError("redi: \(error)")
            throw ExitCode(1)
        }
        let usesTLSFiles = cacert != nil || cert != nil || insecure
        if usesTLSFiles && !(tls || target.tls) {
            printError("redi: --cacert, --cert, --key and --insecure are for TLS: use rediss:// or --tls")
            throw ExitCode(1)
        }
        if tls { target.tls = true }
        if let user { target.user = user }
        if target.password == nil, let fromEnvironment = getenv("REDISCLI_AUTH") {
            target.password = String(cString: fromEnvironment)
        }
        if askpass {
            guard let password = readSecret(prompt: "Password for \(target.address): ") else {
                printError("redi: --askpass needs a terminal to read the password from")
                throw ExitCode(1)
            }
            target.password = password
        }
        var settings = RemoteSettings(url: target)
        settings.readOnly = readOnly
        settings.cluster = cluster
        settings.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        settings.tls.caCertificate = cacert
        settings.tls.certificate = cert
        settings.tls.key = key
        settings.tls.insecure = insecure
        let source: RemoteKeySource
        do {
            source = try await RemoteKeySource.connect(settings)
        } catch {
            printError("redi: \(error)")
            throw ExitCode(1)
        }
        let inTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        guard redi.forceTUI || (inTerminal && !redi.noTUI) else {
            // The line prompt over the server, as redis-cli's: Ctrl-C gives up a blocking command's wait, then leaves.
            let session = await source.openSession()
            let signals = TerminatingSignals { number in
                if isatty(STDOUT_FILENO) == 1 { _ = write(STDOUT_FILENO, "\n", 1) }
                Task {
                    if number == SIGINT, await source.unblock(session, error: false) { return }
                    await source.close()
                    _exit(0)
                }
            }
            await LineSession(source: source, session: session, interactive: isatty(STDIN_FILENO) == 1).run()
            withExtendedLifetime(signals) {}
            await source.close()
            return
        }
        if await source.needsNotifications && !noConfig && !readOnly && askYesNo(
            "\(target.address) sends no keyspace notifications, so the table cannot follow changes. "
                + "Turn them on (CONFIG SET notify-keyspace-events KA)? [y/N] ") {
            do {
                try await source.enableNotifications()
            } catch {
                printError("redi: \(error)")
            }
        }
        let link = ServerLink(
            // The clients come with the vitals, from the same INFO.
            address: target.address, clientCount: nil,
            follow: { await source.follow($0) })
        let stop = StopFlag()
        let signals = TerminatingSignals { _ in stop.set() }
        let outcome = await TerminalApp.run(
            source: source, snapshotPath: nil, loaded: nil, server: link, delimiter: Bytes(redi.delimiter),
            theme: redi.chosenTheme, mouse: !redi.noMouse, stopRequested: { stop.isSet })
        withExtendedLifetime(signals) {}
        await source.close()
        if case .unavailable(let reason) = outcome {
            printError("redi: cannot open the terminal UI: \(reason); run redi connect --no-tui for the line prompt.")
            throw ExitCode(2)
        }
    }
}

/// Reads a line from the terminal with echo off; `nil` without a terminal.
private func readSecret(prompt: String) -> String? {
    let tty = open("/dev/tty", O_RDWR)
    guard tty >= 0 else { return nil }
    defer { close(tty) }
    var saved = termios()
    guard tcgetattr(tty, &saved) == 0 else { return nil }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    _ = prompt.withCString { write(tty, $0, strlen($0)) }
    tcsetattr(tty, TCSAFLUSH, &quiet)
    defer {
        tcsetattr(tty, TCSAFLUSH, &saved)
        _ = write(tty, "\n", 1)
    }
    return readLine(from: tty)
}

/// Asks a yes/no question on the terminal; no terminal, or anything but y, is no.
private func askYesNo(_ question: String) -> Bool {
    let tty = open("/dev/tty", O_RDWR)
    guard tty >= 0 else { return false }
    defer { close(tty) }
    _ = question.withCString { write(tty, $0, strlen($0)) }
    guard let answer = readLine(from: tty) else { return false }
    return answer.lowercased().hasPrefix("y")
}

private func readLine(from descriptor: Int32) -> String? {
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while read(descriptor, &byte, 1) == 1 {
        if byte == 10 { return String(decoding: bytes, as: UTF8.self) }
        if byte != 13 { bytes.append(byte) }
    }
    return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
}
