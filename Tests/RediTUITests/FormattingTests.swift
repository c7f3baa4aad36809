import Foundation
import RediTUI
import StoreEngine
import Testing

@Suite("Formatting for the terminal")
struct FormattingTests {
    init() { setlocale(LC_ALL, "C.UTF-8") }

    @Test(arguments: [
        (nil, "-"), (0, "0.0s"), (9_449, "9.4s"), (9_999, "9.9s"), (10_000, "10s"), (59_999, "59s"),
        (245_000, "4m05s"), (3_599_000, "59m59s"), (7_380_000, "2h03m"), (273_600_000, "3d04h"), (-5, "0.0s"),
    ] as [(Int64?, String)])
    func ttl(_ milliseconds: Int64?, _ text: String) {
        #expect(TTLText.format(milliseconds: milliseconds) == text)
    }

    @Test func escapingKeepsPrintableTextAndEscapesTheRest() {
        #expect(Bytes("plain text").displayText == "plain text")
        #expect(Bytes("日本語 ok").displayText == "日本語 ok")
        #expect(Bytes([0, 10, 13, 9, 7, 8, 0x7F, 0xFF, 0xC3]).displayText == "\\x00\\n\\r\\t\\a\\b\\x7f\\xff\\xc3")
        #expect(Bytes("a\\b").displayText == "a\\\\b")
        #expect(Bytes([0xC3, 0xA9]).displayText == "é")
        #expect(Bytes([0xE2, 0x82]).displayText == "\\xe2\\x82", "a cut sequence is escaped")
    }

    @Test func typedRepliesReadAsRedisCli() {
        #expect(Reply.bulk(Bytes("Alice")).typedLines == ["\"Alice\""])
        #expect(Reply.bulk(Bytes("say \"hi\"\n")).typedLines == ["\"say \\\"hi\\\"\\n\""])
        #expect(Reply.integer(1).typedLines == ["(integer) 1"])
        #expect(Reply.null.typedLines == ["(nil)"])
        #expect(Reply.status("OK").typedLines == ["OK"])
        #expect(Reply.error("ERR syntax error").typedLines == ["(error) ERR syntax error"])
        #expect(Reply.array([]).typedLines == ["(empty array)"])
        let scan = Reply.array([.bulk(Bytes("0")), .array([.bulk(Bytes("a")), .bulk(Bytes("b"))])])
        #expect(scan.typedLines == ["1) \"0\"", "2) 1) \"a\"", "   2) \"b\""])
        let ten = Reply.array((1...10).map { .integer(Int64($0)) })
        #expect(ten.typedLines.first == " 1) (integer) 1")
        #expect(ten.typedLines.last == "10) (integer) 10")
    }

    @Test func textWidthMeasuresWideCharacters() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("日本") == 4)
        #expect(TextWidth.truncate("hello world", to: 6) == "hello…")
        #expect(TextWidth.truncate("日本語", to: 4) == "日…")
        #expect(TextWidth.truncate("short", to: 10) == "short")
    }

    @Test func buffersRenderTextAndWideCharacters() {
        var buffer = Buffer(area: Rect(x: 0, y: 0, width: 7, height: 2))
        buffer.write("ab日本語", x: 0, y: 0)
        buffer.write("x", x: 6, y: 1)
        #expect(buffer.lines == ["ab日本", "      x"], "a wide character that does not fit is left out")
        #expect(buffer[2, 0].width == 2 && buffer[3, 0].width == 0)
        var changed = buffer
        changed.write("Z", x: 0, y: 1)
        #expect(changed.changes(since: buffer).map { "\($0.x),\($0.y)" } == ["0,1"])
        #expect(changed.changes(since: nil).count == 14)
    }
}

@Suite("Palette")
struct PaletteTests {
    @Test func eightColoursAreTheStandardOnesAndDimStaysDim() {
        let palette = Palette(colors: 8, noColor: false)
        #expect(palette.number(for: .red) == 1 && palette.number(for: .white) == 7)
        #expect(palette.number(for: .default) == nil && palette.number(for: .grey) == nil)
        #expect(palette.adapt(Style(attributes: [.dim])) == Style(attributes: [.dim]))
    }

    @Test func manyColoursAreSofterAndDimTurnsGrey() {
        let palette = Palette(colors: 256, noColor: false)
        #expect(palette.number(for: .red) == 167 && palette.number(for: .grey) == 244)
        #expect(palette.adapt(Style(attributes: [.dim, .bold])) == Style(foreground: .grey, attributes: [.bold]))
        // A coloured dim cell keeps its colour.
        #expect(palette.adapt(Style(foreground: .red, attributes: [.dim])) == Style(foreground: .red, attributes: [.dim]))
    }

    /// On a light background no colour is drawn that does not read on
    /// white (yellow, cyan, white, the 256-colour light greys), in 8 and
    /// 256 colours; the dark theme keeps its own.
    @Test func aLightThemeDrawsDarkColours() {
        let light8 = Palette(colors: 8, noColor: false, theme: .light)
        #expect(Color.allCases.compactMap { light8.number(for: $0) }.allSatisfy { ![3, 6, 7].contains($0) })
        #expect(light8.number(for: .red) == 1 && light8.number(for: .white) == 0)
        let light256 = Palette(colors: 256, noColor: false, theme: .light)
        let dark256 = Palette(colors: 256, noColor: false, theme: .dark)
        // xterm's 256 colours: 232-255 greys (light from 244), 16-231 a 6x6x6 cube.
        func lightness(_ number: Int16) -> Int {
            if number >= 232 { return (Int(number - 232) * 10 + 8) * 100 / 255 }
            let cube = Int(number) - 16
            return [cube / 36, cube / 6 % 6, cube % 6].map { $0 == 0 ? 0 : 55 + $0 * 40 }.max()! * 100 / 255
        }
        for color in Color.allCases where color != .default {
            #expect(lightness(light256.number(for: color)!) <= 70, "\(color) reads on white")
            #expect(light256.number(for: color) != dark256.number(for: color) || color == .black, "\(color)")
        }
    }

    @Test func theThemeComesFromColorFGBGElseDark() {
        #expect(Theme.detect(colorFGBG: "15;0") == .dark)
        #expect(Theme.detect(colorFGBG: "0;15") == .light)
        #expect(Theme.detect(colorFGBG: "0;default;15") == .light, "rxvt's three fields: the last is the background")
        #expect(Theme.detect(colorFGBG: "7;8") == .dark && Theme.detect(colorFGBG: "0;7") == .light)
        #expect(Theme.detect(colorFGBG: nil) == .dark && Theme.detect(colorFGBG: "") == .dark && Theme.detect(colorFGBG: "x;y") == .dark)
    }

    @Test func noColourAtAllWithNoColorOrAMonochromeTerminal() {
        for palette in [Palette(colors: 256, noColor: true), Palette(colors: 0, noColor: false), Palette(colors: 256, noColor: true, theme: .light)] {
            #expect(Color.allCases.allSatisfy { palette.number(for: $0) == nil })
            #expect(palette.adapt(Style(attributes: [.dim])) == Style(attributes: [.dim]))
        }
    }
}
