#if canImport(Glibc)
import Glibc
#endif
import _CLIPVocabulary

/// CLIP's BPE vocabulary file, `bpe_simple_vocab_16e6.txt.gz`, checked and cut down to its merges.
public enum BPEMergesFile {
    /// SHA-256 of the shipped .gz (OpenAI CLIP's file, unchanged); the same constant as
    /// `BPE_SHA256` in tools/reference/vdref/tokenizer.py.
    public static let sha256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"

    /// The .gz built into this binary (`_CLIPVocabulary`): what convert-weights uses without --bpe, wherever it runs.
    public static var embedded: [UInt8] {
        var size = 0
        guard let start = vd_clip_bpe_vocabulary_gz(&size) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: size))
    }

    /// The `count` merges of the built-in vocabulary (`merges(gzip:source:count:)`).
    public static func embeddedMerges(count: Int) throws -> [String] {
        try merges(gzip: embedded, source: "the built-in CLIP vocabulary", count: count)
    }

    /// Reads the .gz at `path` and returns its `count` merges (`merges(gzip:source:count:)`).
    public static func merges(path: String, count: Int) throws -> [String] {
        try merges(gzip: readWholeFile(path), source: path, count: count)
    }

    /// Checks the SHA-256 of a .gz (from `source`, named in errors) and returns the `count` merges: lines
    /// 1...count of the decompressed text (line 0 is a version header), each "a b".
    public static func merges(gzip gz: [UInt8], source path: String, count: Int) throws -> [String] {
        let digest = SHA256.hex(gz)
        guard digest == sha256 else {
            throw ConvertError("\(path) has SHA-256 \(digest), not CLIP's \(sha256)")
        }
        let text = try gunzip(gz)
        var lines = text.split(separator: UInt8(ascii: "\n"), maxSplits: count + 1, omittingEmptySubsequences: false)
        guard lines.count >= count + 1 else {
            throw ConvertError("\(path) holds \(lines.count - 1) merges, fewer than \(count)")
        }
        lines = Array(lines[1...count])
        return try lines.enumerated().map { i, line in
            guard let s = String(validating: line, as: UTF8.self) else {
                throw ConvertError("\(path): merge \(i) is not UTF-8")
            }
            return s
        }
    }
}

/// The bytes of a file.
func readWholeFile(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else {
        throw ConvertError("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        out += buffer[0..<n]
        if n < buffer.count { break }
    }
    guard ferror(f) == 0 else { throw ConvertError("cannot read \(path)") }
    return out
}
