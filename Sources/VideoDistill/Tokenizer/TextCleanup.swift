/// SPEC 2.3 steps 1 and 2: the text CLIP's pre-token pattern is run on.
///
/// Python: `t = ftfy.fix_text(text, fix_encoding=False); t = html.unescape(html.unescape(t)).strip();
/// t = regex.sub(r"\s+", " ", t).strip(); t = t.lower()`.
enum TextCleanup {
    static func clean(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var t = FTFY.fixText(text)
        t = PythonUnicode.strip(HTMLUnescape.python(HTMLUnescape.python(t)))
        t = PythonUnicode.strip(collapseWhitespace(t))
        return PythonUnicode.lower(t)
    }

    /// `regex.sub(r"\s+", " ", t)`: the `regex` package's `\s` is Unicode White_Space.
    static func collapseWhitespace(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var inRun = false
        for s in text {
            if s.properties.isWhitespace {
                if !inRun { out.append(" ") }
                inRun = true
            } else {
                out.append(s)
                inRun = false
            }
        }
        return out
    }
}
