// Fuzz target: a real model file (VD_FUZZ_MODEL, the converted tiny_a fixture) damaged by the input, then
// ModelFile(bytes:), VideoDistillModel(file:) and, when both accept it, one encode and one answer.
//
// A model file is ~7 MB, most of it the BPE merges and the token embedding, so raw byte mutation would spend
// almost every try there. The input is instead a list of edits aimed at the file's four regions:
//   byte op: bits 0-1 region (0 metadata before the merges, 1 merges, 2 metadata after them and the tensor
//            infos, 3 tensor data), bits 2-3 kind (0 overwrite, 1 insert, 2 delete, 3 truncate)
//   u32 position (modulo the region's length), u8 length (1...32), then `length` bytes for overwrite/insert.
// At most 16 edits apply. With VD_FUZZ_WRITE_SEEDS=DIR set it writes seed edit lists to DIR and exits.
@testable import VideoDistill
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var template: [UInt8] = []
nonisolated(unsafe) var regions: [Range<Int>] = []

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let path = environment("VD_FUZZ_MODEL"), let bytes = readFile(path) else {
        fuzzFailure("set VD_FUZZ_MODEL to a model file (tools/fuzz/run.sh does)")
    }
    template = bytes
    let contents: GGUFContents
    do { contents = try bytes.withUnsafeBytes { try GGUFContents(parsing: $0) } } catch {
        fuzzFailure("VD_FUZZ_MODEL does not parse: \(error)")
    }
    guard let mergesStart = find(ModelFileKeys.merges, in: bytes),
          let mergesEnd = find(ModelFileKeys.bosTokenID, in: bytes) else { fuzzFailure("no merges in the template") }
    regions = [0 ..< mergesStart, mergesStart ..< mergesEnd - 8, mergesEnd - 8 ..< contents.dataStart,
               contents.dataStart ..< bytes.count]
    if let dir = environment("VD_FUZZ_WRITE_SEEDS") {
        for (name, edits) in seeds(contents) { writeFile("\(dir)/\(name)", edits) }
        exit(0)
    }
    return 0
}

/// Where `needle` first occurs.
func find(_ needle: String, in hay: [UInt8]) -> Int? {
    let n = Array(needle.utf8)
    return hay.withUnsafeBufferPointer { h in
        (0...(h.count - n.count)).first { i in h[i] == n[0] && h[i ..< i + n.count].elementsEqual(n) }
    }
}

/// The template with the input's edits applied.
func edited(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    var r = FuzzReader(data, size)
    var file = template
    var edits = 0
    while r.remaining >= 6 && edits < 16 {
        edits += 1
        let op = r.u8()
        let region = regions[Int(op & 3)]
        // Regions are fixed in template coordinates; clamp to the (possibly shorter) edited file.
        let at = min(region.lowerBound + Int(r.u32() % UInt32(max(region.count, 1))), file.count)
        let length = Int(r.u8() % 32) + 1
        switch (op >> 2) & 3 {
        case 0:
            let patch = r.take(length)
            for (i, b) in patch.enumerated() where at + i < file.count { file[at + i] = b }
        case 1: file.insert(contentsOf: r.take(length), at: at)
        case 2: file.removeSubrange(at ..< min(at + length, file.count))
        default: file.removeSubrange(at...)
        }
    }
    return file
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = edited(data, size)
    guard let file = try? ModelFile(bytes: bytes) else { return 0 }
    guard let model = try? VideoDistillModel(file: file) else { return 0 }
    // Run what the loader accepted (tensor data may now hold NaN or huge values: errors, never traps).
    let c = model.config
    let pixels = [Float](repeating: 0.25, count: c.numFrames * 3 * c.imageSize * c.imageSize)
    guard let video = try? pixels.withUnsafeBufferPointer({ try model.encode(pixels: $0, threads: 1) }) else { return 0 }
    if let out = try? model.answer(video, question: "what is the man holding?", threads: 1) {
        require(out.selected.count == c.numSelected && out.selected.allSatisfy { (0..<c.numFrames).contains($0) },
                "selected frames out of range")
    }
    return 0
}

/// Seed edit lists: none (the valid file), and each config value, tensor dim, type and offset set to extremes.
func seeds(_ contents: GGUFContents) -> [(String, [UInt8])] {
    func edit(_ region: Int, _ at: Int, _ value: [UInt8], kind: UInt8 = 0) -> [UInt8] {
        let rel = UInt32(at - regions[region].lowerBound)
        return [UInt8(region) | kind << 2] + withUnsafeBytes(of: rel.littleEndian, Array.init)
            + [UInt8(value.count - 1)] + value
    }
    var out: [(String, [UInt8])] = [("valid", [])]
    let extremes: [(String, [UInt8])] = [("zero", [0, 0, 0, 0]), ("one", [1, 0, 0, 0]), ("max", [255, 255, 255, 255]),
                                         ("big", [0, 0, 0, 64])]
    for key in ModelConfig.keys {
        guard let k = find(ModelFileKeys.config(key), in: template) else { continue }
        let value = k + ModelFileKeys.config(key).utf8.count + 4  // after the key and its u32 type
        for (label, v) in extremes { out.append(("config-\(key)-\(label)", edit(0, value, v))) }
    }
    // Tensor infos: after each name come n_dims u32, dims u64..., type u32, offset u64.
    for t in contents.tensors.prefix(6) {
        guard let n = find(t.name, in: Array(template[regions[2]])) else { continue }
        let nDims = regions[2].lowerBound + n + t.name.utf8.count
        out.append(("tensor-\(t.name)-ndims", edit(2, nDims, [5, 0, 0, 0])))
        out.append(("tensor-\(t.name)-dim-huge", edit(2, nDims + 4, [0, 0, 0, 0, 0, 0, 0, 64])))
        out.append(("tensor-\(t.name)-dim-zero", edit(2, nDims + 4, [0, 0, 0, 0, 0, 0, 0, 0])))
        let type = nDims + 4 + 8 * t.dims.count
        out.append(("tensor-\(t.name)-type", edit(2, type, [1, 0, 0, 0])))
        out.append(("tensor-\(t.name)-offset", edit(2, type + 4, [0, 0, 0, 0, 0, 0, 0, 127])))
    }
    out.append(("truncate-data", edit(3, regions[3].lowerBound + 100, [0], kind: 3)))
    out.append(("nan-weights", edit(3, regions[3].lowerBound, [0, 0, 192, 127, 0, 0, 192, 127])))
    return out
}
