/// CLIP's pre-token split (SPEC 2.3 step 3), written out by hand:
/// `regex.findall(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
/// text, flags=regex.IGNORECASE)` on cleaned (lower-cased) text.
///
/// At each position the alternatives are tried in order; a scalar none of them matches (white space) is
/// skipped. Properties come from the standard library (Unicode 17.0, as the `regex` package's). Two
/// effects of IGNORECASE survive lower-casing and are reproduced: the pattern's `s` also matches `ſ`
/// (U+017F, whose simple case fold is `s`), and U+0345 (combining ypogegrammeni, which folds to the letter
/// `ι`) matches neither `[\p{L}]` nor its negation, so it is skipped like white space.
enum PreTokenizer {
    static let startOfText = Array("<|startoftext|>".unicodeScalars)
    static let endOfText = Array("<|endoftext|>".unicodeScalars)
    private static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
        .map { Array($0.unicodeScalars) }

    /// The ranges of `text` that `findall` returns, in order.
    static func pieces(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < text.count {
            if let n = literalMatch(text, at: i, [startOfText, endOfText] + contractions) {
                out.append(i..<(i + n))
                i += n
            } else if isLetter(text[i]) {
                let end = text[i...].firstIndex { !isLetter($0) } ?? text.count
                out.append(i..<end)
                i = end
            } else if isNumber(text[i]) {
                out.append(i..<(i + 1))
                i += 1
            } else if isOther(text[i]) {
                let end = text[i...].firstIndex { !isOther($0) } ?? text.count
                out.append(i..<end)
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    /// Length of the first literal that matches at `i`, case-insensitively.
    private static func literalMatch(_ text: [Unicode.Scalar], at i: Int, _ literals: [[Unicode.Scalar]]) -> Int? {
        guard text[i] == "<" || text[i] == "'" else { return nil }
        for literal in literals where i + literal.count <= text.count {
            if zip(literal, text[i...]).allSatisfy(sameIgnoringCase) { return literal.count }
        }
        return nil
    }

    /// `regex`'s IGNORECASE equality of a pattern scalar (lower-case ASCII) and a text scalar.
    private static func sameIgnoringCase(_ p: Unicode.Scalar, _ t: Unicode.Scalar) -> Bool {
        if p == t { return true }
        if ("a"..."z").contains(p) && t.value == p.value - 32 { return true }
        return p == "s" && t == "\u{17F}"
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `[^\s\p{L}\p{N}]` under IGNORECASE.
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        !s.properties.isWhitespace && !isLetter(s) && !isNumber(s) && s.value != 0x345
    }
}
