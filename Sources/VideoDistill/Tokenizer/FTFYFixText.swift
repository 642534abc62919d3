/// `ftfy.fix_text(text, fix_encoding=False)` of ftfy 6.3.1, SPEC 2.3's first cleanup step.
///
/// Implemented as ftfy does it: the text is cut after every `\n` (and every 1,000,000 scalars) into
/// segments; HTML unescaping is on until the first segment that contains `<` and off from there on; each
/// segment is fixed by repeating, until nothing changes:
/// 1. `unescape_html` (while on): HTML5 entities ending in `;`, ftfy's upper-case names, numeric references;
/// 2. `fix_c1_controls`: U+0080..U+009F read as Windows-1252 (`\u{92}` -> `’`);
/// 3. `fix_latin_ligatures`: `ﬁ` -> `fi`, `Ĳ` -> `IJ`, `ǆ` -> `dž`, ... (ftfy's 22-entry table);
/// 4. `fix_character_width`: fullwidth/halfwidth forms -> NFKC (`Ｌ` -> `L`, `ｶ` -> `カ`), U+3000 -> space;
/// 5. `uncurl_quotes`: U+02BC, U+2018..U+201B -> `'`; U+201C..U+201F -> `"`;
/// 6. `fix_line_breaks`: `\r\n`, `\r`, U+2028, U+2029, U+0085 -> `\n`;
/// 7. `fix_surrogates`: nothing to do, valid UTF-8 has no surrogates;
/// 8. `remove_terminal_escapes`: `ESC [ (digit|;)* letter` removed (digits of any script, as `re`'s `\d`);
/// 9. `remove_control_chars`: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, U+206A..U+206F, U+FEFF,
///    U+FFF9..U+FFFC removed;
/// 10. NFC, with the standard library's normaliser (Unicode 17.0) applied between scalars Python 3.11
///    knows, so scalars assigned after Unicode 14.0 pass through untouched as in Python.
/// Mojibake repair (`fix_encoding` and its sub-fixes) is out of scope by the SPEC.
enum FTFY {
    /// ftfy's `max_decode_length`.
    static let maxSegmentLength = 1_000_000

    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var unescapeHTML = true
        var start = 0
        while start < text.count {
            var end = (text[start...].firstIndex(of: "\n") ?? text.count - 1) + 1
            end = min(end, start + maxSegmentLength)
            let segment = Array(text[start..<end])
            if unescapeHTML && segment.contains("<") { unescapeHTML = false }
            out.append(contentsOf: fixSegment(segment, unescapeHTML: unescapeHTML))
            start = end
        }
        return out
    }

    /// ftfy's `fix_and_explain` loop for one segment.
    static func fixSegment(_ segment: [Unicode.Scalar], unescapeHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        while true {
            let before = text
            if unescapeHTML { text = HTMLUnescape.ftfy(text) }
            text = map(text, TextFixTable.windows1252)
            text = map(text, TextFixTable.ligatures)
            text = map(text, TextFixTable.width)
            text = uncurlQuotes(text)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = text.filter { !isRemovedControl($0) }
            text = NFC.normalize(text)
            if text == before { return text }
        }
    }

    /// `str.translate` with a scalar -> scalars table.
    static func map(_ text: [Unicode.Scalar], _ table: [UInt32: [UInt32]]) -> [Unicode.Scalar] {
        guard text.contains(where: { table[$0.value] != nil }) else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for s in text {
            if let replacement = table[s.value] {
                out.append(contentsOf: replacement.compactMap(Unicode.Scalar.init))
            } else {
                out.append(s)
            }
        }
        return out
    }

    static func uncurlQuotes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { s in
            switch s.value {
            case 0x2BC, 0x2018...0x201B: return "'"
            case 0x201C...0x201F: return "\""
            default: return s
            }
        }
    }

    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let s = text[i]
            if s == "\r" && i + 1 < text.count && text[i + 1] == "\n" { i += 1 }
            out.append(["\r", "\u{2028}", "\u{2029}", "\u{85}"].contains(s) ? "\n" : s)
            i += 1
        }
        return out
    }

    /// Removes every match of `\x1b\[((?:\d|;)*)([a-zA-Z])`.
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            if text[i] == "\u{1B}" && i + 1 < text.count && text[i + 1] == "[" {
                var j = i + 2
                while j < text.count && (text[j] == ";" || PythonUnicode.isDecimalDigit(text[j])) { j += 1 }
                if j < text.count && (("a"..."z").contains(text[j]) || ("A"..."Z").contains(text[j])) {
                    i = j + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    static func isRemovedControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: return true
        default: return false
        }
    }
}
