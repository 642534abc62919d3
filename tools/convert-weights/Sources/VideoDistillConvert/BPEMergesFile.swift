#if canImport(Glibc)
import Glibc
#endif

/// CLIP's BPE vocabulary file, `bpe_simple_vocab_16e6.txt.gz`, checked and cut down to its merges.
public enum BPEMergesFile {
    /// SHA-256 of the shipped .gz (OpenAI CLIP's file, unchanged); the same constant as
    /// `BPE_SHA256` in tools/reference/vdref/tokenizer.py.
    public static let sha256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"

    /// The file shipped in this repository, found from this source file's location.
    public static var defaultPath: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        // .../tools/convert-weights/Sources/VideoDistillConvert/BPEVocabulary.swift -> .../tools
        parts.removeLast(4)
        return (parts + ["reference", "vdref", "bpe_simple_vocab_16e6.txt.gz"]).joined(separator: "/")
    }

    /// Reads the .gz at `path`, checks its SHA-256, and returns the `count` merges: lines 1...count of the
    /// decompressed text (line 0 is a version header), each "a b".
    public static func merges(path: String, count: Int) throws -> [String] {
        let gz = try readWholeFile(path)
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
