import CNcursesw

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one piece that talks to the terminal, through ncursesw: it draws
/// buffers (only the cells that changed), places the cursor, and reads keys.
final class Terminal {
    private let screen: OpaquePointer
    private var previous: Buffer?
    private let palette: Palette
    /// Whether mouse reports were asked for (and must be turned off at the end).
    private let mouse: Bool

    /// xterm's mouse modes: button presses and the wheel (1000) reported as
    /// SGR (1006). Terminals keep selecting text with Shift held.
    private static let mouseOn = "\u{1B}[?1000h\u{1B}[?1006h"
    private static let mouseOff = "\u{1B}[?1006l\u{1B}[?1000l"

    /// Why the terminal UI cannot start.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens the terminal, in `theme`'s colours, reporting the mouse if
    /// `mouse`. Writes nothing when it cannot.
    init(theme: Theme, mouse: Bool) throws(Unavailable) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw Unavailable(description: "standard input and output must be a terminal")
        }
        guard let term = getenv("TERM").map({ String(cString: $0) }), !term.isEmpty else {
            throw Unavailable(description: "TERM is not set")
        }
        setlocale(LC_ALL, "")
        // newterm returns NULL for an unknown TERM, where initscr would exit.
        guard let screen = newterm(nil, redi_stdout(), redi_stdin()) else {
            throw Unavailable(description: "the terminal type '\(term)' is unknown")
        }
        set_term(screen)
        guard redi_can_address_cursor() != 0 else {
            endwin()
            delscreen(screen)
            throw Unavailable(description: "the terminal type '\(term)' cannot move the cursor")
        }
        self.screen = screen
        raw()
        noecho()
        nonl()
        keypad(redi_stdscr(), true)
        wtimeout(redi_stdscr(), 50)
        set_escdelay(25)
        // NO_COLOR set to anything but the empty string turns colour off.
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        if has_colors(), !noColor {
            start_color()
            use_default_colors()
        }
        palette = Palette(colors: has_colors() ? Int(redi_colors()) : 0, noColor: noColor, theme: theme)
        for (index, color) in Palette.drawn.enumerated() {
            if let number = palette.number(for: color) { init_pair(Int16(index + 1), number, -1) }
        }
        self.mouse = mouse
        if mouse { Terminal.send(Terminal.mouseOn) }
    }

    /// Restores the terminal as it was.
    func close() {
        endwin()
        if mouse { Terminal.send(Terminal.mouseOff) }
        delscreen(screen)
    }

    /// Writes a control sequence to the terminal, past ncurses.
    private static func send(_ sequence: String) {
        var bytes = Array(sequence.utf8)
        _ = write(STDOUT_FILENO, &bytes, bytes.count)
    }

    var size: (width: Int, height: Int) {
        var rows: Int32 = 0, columns: Int32 = 0
        redi_getmaxyx(redi_stdscr(), &rows, &columns)
        return (Int(columns), Int(rows))
    }

    private func pair(for color: Color) -> Int16 {
        guard palette.number(for: color) != nil, let index = Palette.drawn.firstIndex(of: color) else { return 0 }
        return Int16(index + 1)
    }

    private func attributes(for style: Style) -> attr_t {
        var value = redi_a_normal()
        if style.attributes.contains(.bold) { value |= redi_a_bold() }
        if style.attributes.contains(.dim) { value |= redi_a_dim() }
        if style.attributes.contains(.reverse) { value |= redi_a_reverse() }
        if style.attributes.contains(.underline) { value |= redi_a_underline() }
        return value
    }

    /// Draws what changed since the last frame.
    func draw(_ buffer: Buffer, cursor: (x: Int, y: Int)?) {
        if previous?.area != buffer.area { wclear(redi_stdscr()) }
        for (x, y, cell) in buffer.changes(since: previous) where cell.width > 0 {
            var text = cell.symbol.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            text.append(0)
            let style = palette.adapt(cell.style)
            _ = redi_put_cell(redi_stdscr(), Int32(y), Int32(x), text, attributes(for: style), pair(for: style.foreground))
        }
        previous = buffer
        if let cursor {
            curs_set(1)
            wmove(redi_stdscr(), Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wrefresh(redi_stdscr())
    }

    /// Whether the terminal went away (its window closed, the session
    /// killed): reads then fail at once, and no SIGHUP may come.
    var isHungUp: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return true }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// Forgets the last frame, so the next draws everything (after a resize).
    func invalidate() {
        previous = nil
    }

    /// What follows an ESC that ncurses did not decode: ESC alone, Alt with
    /// a key, or a sequence this terminal's terminfo does not name (tmux's
    /// `\e[1~` under TERM=xterm), decoded by `EscapeSequence`. A sequence it
    /// does not know is read to its end and dropped whole.
    private func readEscapeSequence() -> Key? {
        defer { wtimeout(redi_stdscr(), 50) }
        var sequence: [UInt32] = []
        while true {
            switch EscapeSequence.decode(sequence) {
            case .key(let key): return key
            case .unknown: return nil
            case .incomplete:
                // The rest of a sequence comes at once, or within ncurses's ESC delay.
                wtimeout(redi_stdscr(), sequence.isEmpty ? 0 : 25)
                var next: wint_t = 0
                guard sequence.count < EscapeSequence.maximumLength,
                      wget_wch(redi_stdscr(), &next) == OK else {
                    return EscapeSequence.decodeCut(sequence)
                }
                // ESC and then Enter, Tab, Backspace or ESC typed at once: two keys.
                if sequence.isEmpty, next < 0x20 || next == 0x7F {
                    unget_wch(wchar_t(next))
                    return .escape
                }
                sequence.append(UInt32(next))
            }
        }
    }

    /// Reads the rest of a mouse report after the prefix ncurses decoded
    /// (terminfo's kmous): SGR's `0;3;4M` (up to `M` or `m`), or X10's
    /// three bytes. One that cannot be read whole is dropped, never typed.
    private func readMouseReport() -> Key? {
        wtimeout(redi_stdscr(), 25)
        defer { wtimeout(redi_stdscr(), 50) }
        var character: wint_t = 0
        guard wget_wch(redi_stdscr(), &character) == OK else { return nil }
        if character == 0x3C || (0x30...0x3B).contains(character) {
            // ncurses took `\e[` or `\e[<`: the report is `<b;x;yM` or `b;x;yM`.
            var body: [UInt32] = character == 0x3C ? [] : [UInt32(character)]
            while body.count < EscapeSequence.maximumLength {
                switch EscapeSequence.mouseReport(body) {
                case .key(let key): return key
                case .unknown: return nil
                case .incomplete: break
                }
                guard wget_wch(redi_stdscr(), &character) == OK else { return nil }
                body.append(UInt32(character))
            }
            return nil
        }
        // X10: button, column and row, each plus 32.
        var bytes = [Int(character)]
        for _ in 0..<2 {
            guard wget_wch(redi_stdscr(), &character) == OK else { return nil }
            bytes.append(Int(character))
        }
        // Its release is button 3, whichever was pressed.
        let button = bytes[0] - 32
        return .mouse(.sgr(button: button, column: bytes[1] - 32, row: bytes[2] - 32, pressed: button & 3 != 3))
    }

    /// The next key; `nil` after `milliseconds` without one or as soon as
    /// `wakeUp` becomes readable (a message was posted to the loop), or at
    /// once when none is waiting and `wait` is false.
    func readKey(wait: Bool = true, milliseconds: Int = 50, wakeUp: Int32? = nil) -> Key? {
        var character: wint_t = 0
        // Keys ncurses already holds (a paste read in one go) come first.
        wtimeout(redi_stdscr(), 0)
        var result = wget_wch(redi_stdscr(), &character)
        wtimeout(redi_stdscr(), 50)
        if result == ERR && wait {
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            if let wakeUp { descriptors.append(pollfd(fd: wakeUp, events: Int16(POLLIN), revents: 0)) }
            // A signal (a resize) ends the wait too; ncurses then reports it.
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: milliseconds))
            if descriptors.count > 1 && descriptors[1].revents != 0 && descriptors[0].revents == 0 { return nil }
            wtimeout(redi_stdscr(), 0)
            result = wget_wch(redi_stdscr(), &character)
            wtimeout(redi_stdscr(), 50)
        }
        if result == KEY_CODE_YES {
            switch Int32(character) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_ENTER: return .enter
            case KEY_RESIZE: return .resize
            case KEY_MOUSE:
                // A mouse report ncurses began to decode (terminfo's kmous).
                return readMouseReport()
            case let code where code >= redi_key_f(1) && code <= redi_key_f(12): return .function(Int(code - redi_key_f(0)))
            default: return nil
            }
        }
        guard result == OK else { return nil }
        switch character {
        case 27:
            return readEscapeSequence()
        case 13, 10: return .enter
        case 9: return .tab
        case 127, 8: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(character) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            return .character(Character(scalar))
        }
    }
}
