/// Python 3.11 string semantics that SPEC 2.3's oracle relies on, over arrays of Unicode scalars
/// (Python strings are sequences of code points, so every index and length here counts scalars).
///
/// Unicode versions: the Swift 6.3 standard library's character properties follow Unicode 17.0;
/// Python 3.11's `unicodedata` (used by `str.lower`, `str.isspace`, `re`'s `\d` and `unicodedata.normalize`)
/// follows Unicode 14.0; the `regex` package (CLIP's pattern, `\s`) follows Unicode 17.0. To match the
/// oracle, the Python 3.11 behaviours below treat scalars assigned after Unicode 14.0 as unassigned
/// (no case mapping, not cased, not case-ignorable, not a decimal digit, untouched by NFC).
enum PythonUnicode {
    /// Python 3.11's Unicode version.
    static let version: Unicode.Version = (major: 14, minor: 0)

    /// Whether Python 3.11 knows `s` (assigned in Unicode <= 14.0).
    static func isAssigned(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < version.major || (age.major == version.major && age.minor <= version.minor)
    }

    /// `str.isspace()`: Unicode White_Space plus U+001C..U+001F (Python counts bidi classes B and S).
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(s.value) || s.properties.isWhitespace
    }

    /// `re`'s `\d` for str patterns: a decimal digit (Numeric_Type=Decimal) of any script.
    static func isDecimalDigit(_ s: Unicode.Scalar) -> Bool {
        s.properties.numericType == .decimal && isAssigned(s)
    }

    /// `str.strip()`: drop leading and trailing `isspace` scalars.
    static func strip(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(text[first...last])
    }

    /// `str.lower()`: each scalar's full lowercase mapping (UnicodeData plus SpecialCasing's unconditional
    /// rules, so `İ` -> `i̇`), and U+03A3 `Σ` -> `ς` in the Final_Sigma context, as CPython decides it
    /// (`\p{cased} \p{case-ignorable}* Σ` not followed by `\p{case-ignorable}* \p{cased}`).
    static func lower(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for (i, s) in text.enumerated() {
            if s.isASCII {
                out.append((0x41...0x5A).contains(s.value) ? Unicode.Scalar(s.value + 32)! : s)
            } else if s.value == 0x3A3 {
                out.append(isFinalSigma(text, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else if isAssigned(s) {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// Cased in Unicode 14.0. U+0295 `ʕ` was Ll (cased) there and is Lo since; no other scalar's Cased or
    /// Case_Ignorable value differs between Unicode 14.0 and 17.0 in a way Final_Sigma can see (every scalar
    /// was tried in `xcΣ` and `xΣc` against Python 3.11).
    private static func isCased(_ s: Unicode.Scalar) -> Bool {
        s.value == 0x295 || (isAssigned(s) && s.properties.isCased)
    }

    /// Case_Ignorable in Unicode 14.0. U+1171E (Ahom medial ra) was Mn (case-ignorable) there and is Mc since.
    private static func isCaseIgnorable(_ s: Unicode.Scalar) -> Bool {
        s.value == 0x1171E || (isAssigned(s) && s.properties.isCaseIgnorable)
    }

    /// CPython's `handle_capital_sigma`.
    private static func isFinalSigma(_ text: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && isCaseIgnorable(text[j]) { j -= 1 }
        guard j >= 0 && isCased(text[j]) else { return false }
        j = i + 1
        while j < text.count && isCaseIgnorable(text[j]) { j += 1 }
        return j == text.count || !isCased(text[j])
    }
}
