/// The two HTML entity decoders of SPEC 2.3's cleanup, over Unicode scalars.
enum HTMLUnescape {
    /// Python 3.11 `html.unescape`: every match of
    /// `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)` replaced as `html._replace_charref` does:
    /// numeric references through the HTML5 error table (`&#128;` -> `€`, `&#0;` -> U+FFFD, surrogates and
    /// values above U+10FFFF -> U+FFFD, noncharacters and most controls -> nothing); names from
    /// `html.entities.html5`, else the longest known prefix of at least 2 characters (`&notit;` -> `¬it;`).
    /// One difference: Python raises on a decimal reference of more than 4300 digits; this returns U+FFFD.
    static func python(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == "&", let (end, replacement) = pythonReference(text, at: i) {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// ftfy 6.3.1 `unescape_html`: every match of `&#?[0-9A-Za-z]{1,24};` that is an HTML5 name ending in
    /// `;` (or one of ftfy's upper-case names) is decoded; a numeric match is decoded by `html.unescape` only
    /// when that consumes the whole match (the result has no `;`); anything else stays.
    static func ftfy(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == "&", let end = ftfyMatchEnd(text, at: i) else {
                out.append(text[i])
                i += 1
                continue
            }
            let match = Array(text[i..<end])
            let name = asciiString(match.dropFirst())
            if let name, let value = HTMLEntityTable.html5[name] ?? HTMLEntityTable.ftfyUppercase[name] {
                out.append(contentsOf: value)
            } else if match.count > 1 && match[1] == "#" {
                let decoded = python(match)
                out.append(contentsOf: decoded.contains(";") ? match : decoded)
            } else {
                out.append(contentsOf: match)
            }
            i = end
        }
        return out
    }

    /// End of `&#?[0-9A-Za-z]{1,24};` starting at `start`, if it matches.
    private static func ftfyMatchEnd(_ text: [Unicode.Scalar], at start: Int) -> Int? {
        var j = start + 1
        if j < text.count && text[j] == "#" { j += 1 }
        let digitsStart = j
        while j < text.count && isASCIIAlphanumeric(text[j]) { j += 1 }
        let n = j - digitsStart
        guard (1...24).contains(n), j < text.count, text[j] == ";" else { return nil }
        return j + 1
    }

    /// One `html.unescape` reference at `start` (an `&`): its end and replacement, or nil for no match.
    private static func pythonReference(_ text: [Unicode.Scalar], at start: Int) -> (Int, [Unicode.Scalar])? {
        var j = start + 1
        guard j < text.count else { return nil }
        if text[j] == "#" {
            j += 1
            var radix: UInt32 = 10
            if j + 1 < text.count && (text[j] == "x" || text[j] == "X") && hexValue(text[j + 1]) != nil {
                radix = 16
                j += 1
            }
            let digitsStart = j
            var value: UInt32 = 0
            while j < text.count, let d = hexValue(text[j]), radix == 16 || d < 10 {
                value = min(value * radix + d, 0x110000)  // saturate: anything above U+10FFFF is invalid
                j += 1
            }
            guard j > digitsStart else { return nil }
            if j < text.count && text[j] == ";" { j += 1 }
            return (j, numericReference(value))
        }
        while j < text.count && j - start - 1 < 32 && !"\t\n\u{0C} <&#;".unicodeScalars.contains(text[j]) {
            j += 1
        }
        guard j > start + 1 else { return nil }
        if j < text.count && text[j] == ";" { j += 1 }
        let name = Array(text[(start + 1)..<j])
        if let key = asciiString(name[...]), let value = HTMLEntityTable.html5[key] { return (j, value) }
        if name.count > 2 {
            for x in stride(from: name.count - 1, through: 2, by: -1) {
                if let key = asciiString(name[..<x]), let value = HTMLEntityTable.html5[key] {
                    return (j, value + name[x...])
                }
            }
        }
        return (j, ["&"] + name)
    }

    /// `html._replace_charref` for a numeric reference (values above U+10FFFF arrive as 0x110000).
    private static func numericReference(_ value: UInt32) -> [Unicode.Scalar] {
        switch value {
        case 0x00: return ["\u{FFFD}"]
        case 0x0D: return ["\r"]
        case 0x80...0x9F: return TextFixTable.windows1252[value]?.compactMap(Unicode.Scalar.init) ?? []
        case 0xD800...0xDFFF, 0x110000...: return ["\u{FFFD}"]
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0xFDD0...0xFDEF: return []
        default:
            if value & 0xFFFE == 0xFFFE { return [] }  // U+xFFFE and U+xFFFF of every plane
            return Unicode.Scalar(value).map { [$0] } ?? ["\u{FFFD}"]
        }
    }

    private static func asciiString(_ scalars: ArraySlice<Unicode.Scalar>) -> String? {
        guard scalars.allSatisfy(\.isASCII) else { return nil }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func isASCIIDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    private static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        isASCIIDigit(s) || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
    }
    private static func hexValue(_ s: Unicode.Scalar) -> UInt32? {
        switch s {
        case "0"..."9": return s.value - 0x30
        case "a"..."f": return s.value - 0x61 + 10
        case "A"..."F": return s.value - 0x41 + 10
        default: return nil
        }
    }
}
