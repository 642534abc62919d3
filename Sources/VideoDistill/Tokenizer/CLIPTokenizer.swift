/// CLIP's byte-level BPE tokenizer (SPEC 2.3), with OpenAI's `simple_tokenizer.py` as the oracle.
///
/// Text goes through the cleanup of `TextCleanup` (ftfy without mojibake repair, HTML entities twice,
/// white space, Python lower-casing), CLIP's pre-token split (`PreTokenizer`) and byte-level BPE
/// (`BPEVocabulary`). The literal strings `<|startoftext|>` and `<|endoftext|>` in the text become the
/// special ids, as in CLIP.
///
/// Fidelity. Every step is written to reproduce Python 3.11 + ftfy 6.3.1 + `regex` code point for code
/// point (see `FTFY`, `HTMLUnescape`, `PythonUnicode`, `NFC`, `PreTokenizer` for each rule). Character
/// properties come from the Swift standard library (Unicode 17.0, like the `regex` package); where Python
/// 3.11 uses its own Unicode 14.0 data (`str.lower`, `str.isspace`, `re`'s `\d`, NFC), scalars assigned
/// after 14.0 are treated as unassigned, and the two scalars whose Cased/Case_Ignorable value changed since
/// (U+0295, U+1171E) keep their 14.0 value. Swift's own `lowercased()` is not used: it lacks Python's
/// Final_Sigma rule (`ΟΔΟΣ` -> `οδος`) and follows Unicode 17.0. Checked identical to the Python reference
/// on the 491-string corpus, on 60,000 random strings, and on every assigned scalar (private use sampled)
/// alone and in `xcΣ`/`xΣc`.
/// Known difference: a decimal character reference of more than 4,300 digits makes Python raise
/// (`int()` digit limit); here it decodes to U+FFFD.
///
/// The value is immutable and keeps no cache, so one tokenizer can serve any number of threads.
///
/// ```swift
/// let tokenizer = try CLIPTokenizer(merges: mergesFromTheModelFile)
/// let ids = try tokenizer.tokenIds("a photo of a cat", contextLength: 77)
/// // [49406, 320, 1125, 539, 320, 2368, 49407, 0, 0, ...]
/// ```
public struct CLIPTokenizer: Sendable {
    /// Start-of-text id (`<|startoftext|>`).
    public static let sot: Int32 = 49406
    /// End-of-text id (`<|endoftext|>`); the text encoder reads the row of the first one.
    public static let eot: Int32 = 49407
    /// Number of merges of CLIP's vocabulary `bpe_simple_vocab_16e6.txt.gz`.
    public static let mergeCount = 48_894
    /// Vocabulary size V: 512 byte symbols, the merges, SOT and EOT.
    public static let vocabularySize = 49_408

    private let vocabulary: BPEVocabulary

    /// Builds the vocabulary from CLIP's merge lines (`"i n"`, ..., in rank order; lines 1...48894 of the
    /// vocabulary file), which the model file carries. Throws `VideoDistillError.invalidModelFile` unless
    /// they are 48,894 well-formed, distinct merges of known symbols.
    public init(merges: [String]) throws {
        vocabulary = try BPEVocabulary(merges: merges)
    }

    /// BPE ids of UTF-8 text, without SOT and EOT. Empty or all-space text gives `[]`.
    /// Throws `VideoDistillError.invalidText` if the bytes are not valid UTF-8.
    public func encode(utf8 bytes: some Collection<UInt8>) throws -> [Int32] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VideoDistillError.invalidText("text is not valid UTF-8 (\(bytes.count) bytes)")
        }
        return encode(scalars: Array(text.unicodeScalars))
    }

    /// `[SOT] + encode(text) + [EOT]`, cut to `contextLength` ids with the last set to EOT, padded with 0
    /// to exactly `contextLength` ids. Throws `invalidText` for invalid UTF-8 and `invalidArgument` if
    /// `contextLength < 1`.
    public func tokenIds(utf8 bytes: some Collection<UInt8>, contextLength: Int) throws -> [Int32] {
        guard contextLength >= 1 else {
            throw VideoDistillError.invalidArgument("context length \(contextLength) must be at least 1")
        }
        var ids = [Self.sot] + (try encode(utf8: bytes)) + [Self.eot]
        if ids.count > contextLength {
            ids.removeLast(ids.count - contextLength)
            ids[contextLength - 1] = Self.eot
        }
        return ids + [Int32](repeating: 0, count: contextLength - ids.count)
    }

    /// `tokenIds(utf8:contextLength:)` of a Swift string's UTF-8.
    public func tokenIds(_ text: String, contextLength: Int) throws -> [Int32] {
        try tokenIds(utf8: Array(text.utf8), contextLength: contextLength)
    }

    func encode(scalars: [Unicode.Scalar]) -> [Int32] {
        let text = TextCleanup.clean(scalars)
        var ids: [Int32] = []
        for range in PreTokenizer.pieces(text) {
            let piece = text[range]
            if piece.elementsEqual(PreTokenizer.startOfText) {
                ids.append(Self.sot)
            } else if piece.elementsEqual(PreTokenizer.endOfText) {
                ids.append(Self.eot)
            } else {
                vocabulary.encode(word: Array(String(String.UnicodeScalarView(piece)).utf8), into: &ids)
            }
        }
        return ids
    }
}
