// Fuzz target: CLIPTokenizer (SPEC 2.3) on arbitrary bytes. Input: byte 0 picks the context length (1...80),
// the rest is the text. The tokenizer is built once from the merges of VD_FUZZ_MODEL (a converted model).
// Checks: invalid UTF-8 <=> invalidText; otherwise exactly `contextLength` ids, SOT first (when there is room
// for it), an EOT, every id < V, only zeros after the last EOT, and `encode` agreeing with `tokenIds`.
@testable import VideoDistill
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var tokenizer: CLIPTokenizer?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let path = environment("VD_FUZZ_MODEL") else { fuzzFailure("set VD_FUZZ_MODEL (tools/fuzz/run.sh does)") }
    do { tokenizer = try CLIPTokenizer(merges: ModelFile(path: path).bpeMerges) } catch {
        fuzzFailure("cannot build the tokenizer from \(path): \(error)")
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let tokenizer else { return 0 }
    var r = FuzzReader(data, size)
    let contextLength = Int(r.u8() % 80) + 1
    let text = r.rest()
    let valid = String(validating: text, as: UTF8.self) != nil
    let ids: [Int32]
    do {
        ids = try tokenizer.tokenIds(utf8: text, contextLength: contextLength)
    } catch VideoDistillError.invalidText {
        require(!valid, "valid UTF-8 refused as invalid text")
        return 0
    } catch {
        fuzzFailure("unexpected error \(error)")
    }
    require(valid, "invalid UTF-8 accepted")
    require(ids.count == contextLength, "\(ids.count) ids for context \(contextLength)")
    require(ids.allSatisfy { (0 ..< Int32(CLIPTokenizer.vocabularySize)).contains($0) }, "id out of range")
    require(contextLength == 1 ? ids[0] == CLIPTokenizer.eot : ids[0] == CLIPTokenizer.sot, "first id \(ids[0])")
    guard let lastEOT = ids.lastIndex(of: CLIPTokenizer.eot) else { fuzzFailure("no EOT") }
    require(ids[(lastEOT + 1)...].allSatisfy { $0 == 0 }, "non-zero ids after the last EOT")
    // Untruncated, tokenIds is SOT + encode + EOT.
    let body = (try? tokenizer.encode(utf8: text)) ?? []
    if body.count + 2 <= contextLength {
        require(Array(ids[1 ..< body.count + 1]) == body && ids[body.count + 1] == CLIPTokenizer.eot,
                "tokenIds disagrees with encode")
    } else if contextLength >= 2 {
        require(Array(ids[1 ..< contextLength - 1]) == Array(body.prefix(contextLength - 2)), "truncation is not a prefix")
    }
    return 0
}
