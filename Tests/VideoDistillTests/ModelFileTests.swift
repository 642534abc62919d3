#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VideoDistill
import _VDTestSupport

/// A written model file loads back whole: config, answers, merges, heads, every tensor's shape and bytes.
/// Expected values come from the test's own generator (`TinyModel`), not from the loader.
@Suite struct ModelFileTests {
    static let valid = TinyModel.file()

    func checkLoaded(_ m: ModelFile, heads: Set<Head> = Set(Head.allCases)) {
        #expect(m.config == TinyModel.config)
        #expect(m.weightType == "f32")
        #expect(m.name == "tiny")
        #expect(m.bpeMerges == TinyModel.merges)
        #expect(m.heads == heads)
        let written = TinyModel.tensors(heads: heads)
        #expect(m.tensors.count == written.count)
        for (t, (decl, _)) in written.enumerated() {
            guard let v = m.tensors[decl.name] else { Issue.record("\(decl.name) missing"); continue }
            #expect(v.shape == decl.shape && v.type == .f32)
            let floats = v.floatBuffer
            #expect(floats.indices.allSatisfy { floats[$0] == TinyModel.value(tensor: t, element: $0) }, "\(decl.name)")
            #expect(Int(bitPattern: v.data) % ModelFileKeys.writtenAlignment == 0)
        }
    }

    @Test func loadsFromMemory() throws {
        let m = try ModelFile(bytes: Self.valid)
        checkLoaded(m)
        #expect(m.answers == TinyModel.answers)
        #expect(try m.tensor("heads.qa.fc2.weight").shape == [3, 5])
        #expect(throws: VideoDistillError.self) { try m.tensor("no.such") }
    }

    @Test func loadsFromMappedFile() throws {
        let path = "/tmp/vd-modelfile-\(getpid()).gguf"
        defer { unlink(path) }
        let f = try #require(fopen(path, "wb"))
        #expect(fwrite(Self.valid, 1, Self.valid.count, f) == Self.valid.count)
        fclose(f)
        checkLoaded(try ModelFile(path: path))
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: VideoDistillError.io("cannot open /nonexistent/x.gguf: No such file or directory")) {
            try ModelFile(path: "/nonexistent/x.gguf")
        }
        #expect(throws: VideoDistillError.self) { try ModelFile(path: "/tmp") }
    }

    @Test func headsAreOptional() throws {
        let m = try ModelFile(bytes: TinyModel.file(metadata: TinyModel.metadata(answers: []),
                                                    tensors: TinyModel.tensors(heads: [])))
        checkLoaded(m, heads: [])
        #expect(m.answers.isEmpty)
        let vtm = try ModelFile(bytes: TinyModel.file(metadata: TinyModel.metadata(answers: []),
                                                      tensors: TinyModel.tensors(heads: [.vtm])))
        #expect(vtm.heads == [.vtm])
    }

    @Test func partialHeadIsRejected() {
        let t = TinyModel.tensors().filter { $0.0.name != "heads.cl_text_proj.bias" }
        expectInvalid(TinyModel.file(tensors: t), "head cl is incomplete")
    }

    @Test func answersMustMatchTheQAHead() {
        expectInvalid(TinyModel.file(metadata: TinyModel.metadata(answers: [])), "videodistill.answers is missing")
        expectInvalid(TinyModel.file(tensors: TinyModel.tensors(heads: [.vtm])), "QA head is not")
        // Four answers but fc2 has three rows.
        expectInvalid(TinyModel.file(metadata: TinyModel.metadata(answers: TinyModel.answers + ["d"])),
                      "heads.qa.fc2.weight has shape [3, 5], the config needs [4, 5]")
        expectInvalid(TinyModel.file(metadata: TinyModel.metadata(answers: ["yes", "no", "yes"])), "appears twice")
        expectInvalid(TinyModel.file(metadata: TinyModel.metadata(answers: ["yes", "", "no"])), "answer #1 is empty")
        expectInvalid(TinyModel.file(metadata: TinyModel.replacing("videodistill.answers", with: .strings([]))),
                      "not a non-empty ARRAY")
    }

    @Test func tensorSetMustBeExact() {
        var t = TinyModel.tensors()
        t.append((GGUFTensorDeclaration(name: "clip.visual.proj", shape: [8, 6], type: .f32), [UInt8](repeating: 0, count: 192)))
        expectInvalid(TinyModel.file(tensors: t), "unknown tensors clip.visual.proj")
        expectInvalid(TinyModel.file(tensors: TinyModel.tensors().filter { $0.0.name != "vr.norm.bias" }),
                      "missing tensors vr.norm.bias")
    }

    /// The table's size follows the declared layer counts (up to 2^20 per stack: hundreds of millions of rows),
    /// so a file whose config needs far more tensors than it holds is refused by count, before the table is built.
    /// Found by the modelfile fuzz target: text_layers = 196,611 took 13 s and 325 MB to refuse.
    @Test func hugeLayerCountsAreRefusedByCount() {
        typealias K = ModelFileKeys
        var kv = TinyModel.metadata()
        for key in ["vision_layers", "text_layers", "fs_layers", "vr_layers"] {
            kv = TinyModel.replacing(K.config(key), with: .uint32(UInt32(ModelConfig.maxDimension)), in: kv)
        }
        let held = TinyModel.tensors().count
        expectInvalid(TinyModel.file(metadata: kv), "layers) needs \(requiredTensorCount(TinyModel.configWith(layers: 1 << 20))) tensors; the file holds \(held)")
        // One layer too many still names the missing tensors.
        expectInvalid(TinyModel.file(metadata: TinyModel.replacing(K.config("vr_layers"), with: .uint32(2))),
                      "missing tensors vr.blocks.1.")
    }

    /// requiredTensorCount counts what expectedTensors builds, for any layer counts.
    @Test func requiredTensorCountMatchesTheTable() {
        for layers in [(1, 1, 1, 1), (2, 3, 1, 4), (12, 12, 2, 4), (5, 1, 7, 1)] {
            var c = TinyModel.config
            (c.visionLayers, c.textLayers, c.fsLayers, c.vrLayers) = layers
            #expect(requiredTensorCount(c) == expectedTensors(c, answerCount: 3).filter { $0.head == nil }.count,
                    "layers \(layers)")
        }
    }

    @Test func shapesAndTypesMustMatchTheConfig() {
        var t = TinyModel.tensors()
        let i = t.firstIndex { $0.0.name == "fs.select.weight" }!
        t[i].0.shape = [4, 4]  // same byte count as [2, 8]
        expectInvalid(TinyModel.file(tensors: t), "fs.select.weight has shape [4, 4], the config needs [2, 8]")
        t = TinyModel.tensors()
        t[i].0.type = .i32  // same element size
        expectInvalid(TinyModel.file(tensors: t), "fs.select.weight is i32")
        t = TinyModel.tensors()
        t[i].0.shape = [16]
        expectInvalid(TinyModel.file(tensors: t), "fs.select.weight has shape [16]")
    }

    @Test func metadataIsChecked() {
        typealias K = ModelFileKeys
        let cases: [(String, GGUFValue?, String)] = [
            (K.architecture, .string("llama"), "is \"llama\", not \"videodistill\""),
            (K.architecture, nil, "general.architecture is missing"),
            (K.weightType, .string("int4"), "weight type \"int4\""),
            (K.weightType, .uint32(0), "videodistill.weight_type is missing or not a STRING"),
            ("videodistill.future_thing", .uint32(1), "unknown metadata keys videodistill.future_thing"),
            (K.config("model_dim"), .float32(8), "videodistill.model_dim is not a UINT32"),
            (K.config("model_dim"), nil, "lacks videodistill.model_dim"),
            (K.config("ln_eps"), .float64(1e-6), "videodistill.ln_eps is not a FLOAT32"),
            (K.config("mean"), .array(.float64, [.float64(0.5)]), "videodistill.mean is not an ARRAY of FLOAT32"),
            (K.config("mean"), .floats([0.5, 0.5]), "mean and std need 3 values"),
            (K.config("patch_size"), .uint32(3), "image_size = 8 is not a multiple of patch_size = 3"),
            (K.config("vocab_size"), .uint32(49409), "vocab_size = 49409"),
            (K.config("num_selected"), .uint32(5), "num_selected = 5 exceeds num_frames = 4"),
            (K.tokenizerModel, .string("gpt2"), "tokenizer.ggml.model is \"gpt2\""),
            (K.merges, .strings(Array(TinyModel.merges.dropLast())), "holds 48893 merges"),
            (K.merges, .strings(["a b"] + TinyModel.merges.dropFirst().map { $0 }.dropLast() + ["ab"]), "merges[48893]"),
            (K.merges, .strings([" b"] + TinyModel.merges.dropFirst()), "merges[0] is not two symbols"),
            (K.merges, .strings(["a  b"] + TinyModel.merges.dropFirst()), "merges[0] is not two symbols"),
            (K.bosTokenID, .uint32(1), "bos_token_id"),
            (K.eosTokenID, .int32(49407), "eos_token_id"),
            (K.bpeSHA256, .string("xyz"), "bpe_sha256"),
        ]
        for (key, value, fragment) in cases {
            expectInvalid(TinyModel.file(metadata: TinyModel.replacing(key, with: value)), fragment)
        }
    }

    @Test func unknownForeignKeysAreIgnored() throws {
        let kv = TinyModel.metadata() + [("general.quantization_version", .uint32(2))]
        #expect(try ModelFile(bytes: TinyModel.file(metadata: kv)).heads.count == 3)
    }
}
