// Fuzz target: a whole model file as raw bytes -> GGUFContents(parsing:), ModelFile(bytes:), and, when the file
// loads, VideoDistillModel(file:). Finds crashes, hangs, leaks and memory errors in the container parser and
// the model-level checks; on success it re-checks the parser's promises independently.
//
// With VD_FUZZ_WRITE_SEEDS=DIR set, it writes its seed files (small hand-made GGUFs) to DIR and exits.
@testable import VideoDistill
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if let dir = environment("VD_FUZZ_WRITE_SEEDS") {
        for (name, bytes) in GGUFSeeds.all() { writeFile("\(dir)/\(name)", bytes) }
        exit(0)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    if let contents = try? GGUFContents(parsing: bytes) {
        checkContents(contents, fileSize: size)
    }
    guard let file = try? ModelFile(bytes: bytes) else { return 0 }
    // The loader accepted it: every SPEC 10 tensor has the config's shape; building the model must not trap.
    for row in expectedTensors(file.config, answerCount: file.answers.count)
    where row.head == nil || file.heads.contains(row.head!) {
        require(file.tensors[row.name]?.shape == row.shape, "tensor \(row.name) has the wrong shape after load")
    }
    _ = try? VideoDistillModel(file: file)
    return 0
}

/// The parser's promises, checked without its code: data section aligned and inside the file, every tensor
/// inside the data section, no two tensors overlapping.
func checkContents(_ c: GGUFContents, fileSize: Int) {
    require(c.alignment > 0 && c.alignment & (c.alignment - 1) == 0, "alignment \(c.alignment)")
    require(c.dataStart % c.alignment == 0 && c.dataStart <= fileSize, "data start \(c.dataStart) of \(fileSize)")
    var ranges: [(Int, Int)] = []
    for t in c.tensors {
        require((1...GGUF.maxDims).contains(t.dims.count) && t.dims.allSatisfy { $0 >= 1 }, "dims of \(t.name)")
        var bytes = t.type.size
        for d in t.dims {
            let (p, o) = bytes.multipliedReportingOverflow(by: d)
            require(!o, "size of \(t.name) overflows")
            bytes = p
        }
        require(t.offset >= 0 && t.offset <= fileSize - c.dataStart && bytes <= fileSize - c.dataStart - t.offset,
                "tensor \(t.name) runs past the file")
        ranges.append((t.offset, t.offset + bytes))
    }
    ranges.sort { $0.0 < $1.0 }
    for (a, b) in zip(ranges, ranges.dropFirst()) { require(b.0 >= a.1, "tensors overlap") }
}

/// Small hand-made GGUF files covering every value type, nesting, tensor types and dims.
enum GGUFSeeds {
    static func all() -> [(String, [UInt8])] {
        let scalars: [(key: String, value: GGUFValue)] = [
            ("u8", .uint8(7)), ("i8", .int8(-7)), ("u16", .uint16(700)), ("i16", .int16(-700)),
            ("u32", .uint32(70000)), ("i32", .int32(-70000)), ("f32", .float32(1.5)), ("bool", .bool(true)),
            ("str", .string("héllo")), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))), ("f64", .float64(2.5)),
        ]
        let arrays: [(key: String, value: GGUFValue)] = [
            ("a.u8", .array(.uint8, [.uint8(1), .uint8(2)])), ("a.f32", .floats([1, 2, 3])),
            ("a.str", .strings(["a b", "c d"])), ("a.empty", .array(.int32, [])),
            ("a.nested", .array(.array, [.array(.uint16, [.uint16(1)]), .array(.string, [.string("x")])])),
        ]
        let tensors = [
            GGUFTensorDeclaration(name: "t.f32", shape: [3, 5], type: .f32),
            GGUFTensorDeclaration(name: "t.f16", shape: [2, 2, 2], type: .f16),
            GGUFTensorDeclaration(name: "t.i8", shape: [1, 1, 1, 64], type: .i8),
            GGUFTensorDeclaration(name: "t.i32", shape: [4], type: .i32),
            GGUFTensorDeclaration(name: "t.f64", shape: [2, 3], type: .f64),
        ]
        let data = tensors.map { [UInt8](repeating: 0x3F, count: $0.byteCount) }
        let config = ModelConfig(
            imageSize: 8, resizeShort: 9, patchSize: 4, visionWidth: 8, visionLayers: 1, visionHeads: 2,
            textWidth: 8, textLayers: 1, textHeads: 2, vocabSize: 49408, contextLength: 8, textEmbedDim: 6,
            modelDim: 8, modelHeads: 2, fsLayers: 1, vrLayers: 1, numFrames: 4, numSelected: 2, qaHidden: 5,
            mean: [0.5, 0.25, 0.125], std: [0.2, 0.3, 0.4], clipLnEps: 1e-5, lnEps: 1e-6)
        // The model metadata with 3 merges instead of 48,894: passes everything up to the merge count.
        let model = ModelFile.metadata(config: config, answers: ["yes", "no"], merges: ["a b", "c d", "ab cd"],
                                       bpeSHA256: String(repeating: "0f", count: 32), name: "seed")
        let smallTensors = expectedTensors(config, answerCount: 2).filter { $0.shape.reduce(1, *) <= 256 }
            .map { GGUFTensorDeclaration(name: $0.name, shape: $0.shape, type: .f32) }
        return [
            ("header.gguf", GGUFWriter.bytes(metadata: [], tensors: [], data: [], alignment: 32)),
            ("scalars.gguf", GGUFWriter.bytes(metadata: scalars, tensors: [], data: [], alignment: 32)),
            ("arrays.gguf", GGUFWriter.bytes(metadata: arrays + [("general.alignment", .uint32(16))], tensors: [],
                                             data: [], alignment: 16)),
            ("tensors.gguf", GGUFWriter.bytes(metadata: [("general.alignment", .uint32(64))], tensors: tensors,
                                              data: data, alignment: 64)),
            ("model-metadata.gguf", GGUFWriter.bytes(metadata: model, tensors: [], data: [], alignment: 64)),
            ("model-small-tensors.gguf", GGUFWriter.bytes(metadata: model, tensors: smallTensors,
                                                          data: smallTensors.map { [UInt8](repeating: 0, count: $0.byteCount) },
                                                          alignment: 64)),
        ]
    }
}
