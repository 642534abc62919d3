/// Unicode NFC as Python 3.11's `unicodedata.normalize("NFC", ...)` computes it.
///
/// The normaliser is the Swift standard library's (`String._nfcCodeUnits`, Unicode 17.0; it is what
/// swift-foundation's `precomposedStringWithCanonicalMapping` uses too, and it keeps Foundation out of the
/// embeddable library). Python 3.11 knows Unicode 14.0 only: to it a later scalar is an unassigned starter
/// that never decomposes or composes. So the text is normalised in runs between such scalars, which pass
/// through unchanged; NFC of the scalars Unicode 14.0 assigns is stable across versions.
enum NFC {
    static func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard !text.allSatisfy(\.isASCII) else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var run: [Unicode.Scalar] = []
        for s in text {
            if PythonUnicode.isAssigned(s) {
                run.append(s)
            } else {
                out.append(contentsOf: normalizeRun(run))
                run.removeAll(keepingCapacity: true)
                out.append(s)
            }
        }
        out.append(contentsOf: normalizeRun(run))
        return out
    }

    private static func normalizeRun(_ run: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard !run.allSatisfy(\.isASCII) else { return run }
        let utf8 = String(String.UnicodeScalarView(run))._nfcCodeUnits
        return Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
    }
}
