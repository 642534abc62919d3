#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// `convert` on TinyModel written as ONNX: names, shapes, heads, config and answers, merging, failures.
/// Expected tensor values come from TinyModel's generator, never from the converter.
@Suite struct ConvertTests {
    /// Converts `models` (written as a.onnx, b.onnx, ...) and loads the result.
    func convertModels(_ models: [[UInt8]], in dir: TempDir, options: ConvertOptions = ConvertOptions()) throws
        -> (ConvertSummary, ModelFile) {
        let inputs = models.enumerated().map { i, m in dir.write("\(Character(Unicode.Scalar(97 + i)!)).onnx", m) }
        let summary = try convert(inputs: inputs, output: dir.file("out.gguf"), options: options)
        return (summary, try ModelFile(path: dir.file("out.gguf")))
    }

    func expectTinyValues(_ m: ModelFile, heads: Set<Head> = Set(Head.allCases)) {
        let written = TinyModel.tensors(heads: heads)
        #expect(m.tensors.count == written.count)
        for (t, (decl, _)) in written.enumerated() {
            guard let v = m.tensors[decl.name] else { Issue.record("\(decl.name) missing"); continue }
            #expect(v.shape == decl.shape, "\(decl.name)")
            let x = v.floatBuffer
            #expect(x.indices.allSatisfy { x[$0] == TinyModel.value(tensor: t, element: $0) }, "\(decl.name)")
        }
    }

    @Test func convertsOpenAINames() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (s, m) = try convertModels([onnxModel(TinyONNX.openAI(), metadata: TinyONNX.metadata)], in: dir)
        expectTinyValues(m)
        #expect(m.config == TinyModel.config && m.answers == TinyModel.answers && m.name == "out")
        #expect(m.bpeMerges.count == 48894 && m.bpeMerges.first == "i n" && m.bpeMerges.last == "jeky ll</w>")
        #expect(s.heads == [.qa, .vtm, .cl] && s.answerCount == 3 && s.tensorCount == m.tensors.count)
        #expect(s.parameterCount == m.tensors.values.reduce(0) { $0 + $1.count })
        #expect(s.description.contains("heads: qa, vtm, cl (3 answers)"))
        #expect(!dir.exists("out.gguf.partial-\(getpid())"))
    }

    @Test func mapsHuggingFaceNames() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let hf = TinyONNX.huggingFace()
        #expect(hf.contains { $0.name == "clip.vision_model.encoder.layers.0.self_attn.k_proj.bias" })
        #expect(hf.contains { $0.name == "clip.text_projection.weight" && $0.dims == [6, 8] })
        let (_, m) = try convertModels([onnxModel(hf, metadata: TinyONNX.metadata)], in: dir)
        expectTinyValues(m)
    }

    @Test func splitsAcrossInputsAndDropsIgnoredNames() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let all = TinyONNX.openAI()
        let visual = all.filter { $0.name.hasPrefix("clip.visual.") }
        var ids = TestInitializer(name: "clip.text_model.embeddings.position_ids", dims: [1, 8], dataType: 7)
        ids.raw = [UInt8](repeating: 0, count: 64)
        let extras = [TestInitializer("clip.logit_scale", [], [4.6]), TestInitializer("clip.visual.proj", [8, 6], .init(repeating: 0, count: 48)), ids]
        // The visual tower in both files (identical data), the rest only in the second.
        let (s, m) = try convertModels([onnxModel(visual, metadata: TinyONNX.metadata),
                                        onnxModel(all + extras, metadata: TinyONNX.metadata)], in: dir)
        expectTinyValues(m)
        #expect(s.ignoredInitializers == ["clip.logit_scale", "clip.text_model.embeddings.position_ids", "clip.visual.proj"])
    }

    @Test func readsExternalData() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var blob: [UInt8] = []
        let external = TinyONNX.openAI().map { t -> TestInitializer in
            var e = TestInitializer(name: t.name, dims: t.dims, dataType: 1)
            e.external = [("location", "weights.bin"), ("offset", "\(blob.count)"), ("length", "\(t.raw!.count)")]
            blob += t.raw!
            return e
        }
        dir.write("weights.bin", blob)
        let (_, m) = try convertModels([onnxModel(external, metadata: TinyONNX.metadata)], in: dir)
        expectTinyValues(m)
    }

    @Test func headsAreOptionalButWhole() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let noQA = [("videodistill.config", TinyONNX.configJSON)]
        let (s, m) = try convertModels([onnxModel(TinyONNX.openAI(heads: [.cl]), metadata: noQA)], in: dir)
        #expect(s.heads == [.cl] && m.heads == [.cl] && m.answers.isEmpty)
        expectTinyValues(m, heads: [.cl])
        let partial = TinyONNX.openAI().filter { $0.name != "heads.vtm.bias" }
        expectConvertError("head vtm is incomplete: missing heads.vtm.bias") {
            _ = try convertModels([onnxModel(partial, metadata: TinyONNX.metadata)], in: dir)
        }
        expectConvertError("QA head is present but no answers") {
            _ = try convertModels([onnxModel(TinyONNX.openAI(), metadata: noQA)], in: dir)
        }
        expectConvertError("answers are given but the QA head") {
            _ = try convertModels([onnxModel(TinyONNX.openAI(heads: [.vtm]), metadata: TinyONNX.metadata)], in: dir)
        }
    }

    @Test func listsUnknownMissingAndMisshapedTensors() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let extra = [TestInitializer("foo.bar", [1], [0]),
                     TestInitializer("clip.vision_model.encoder.layers.0.self_attn.q_norm.weight", [8], .init(repeating: 0, count: 8))]
        expectConvertError("foo.bar [1]", "clip.vision_model.encoder.layers.0.self_attn.q_norm.weight [8]") {
            _ = try convertModels([onnxModel(TinyONNX.openAI() + extra, metadata: TinyONNX.metadata)], in: dir)
        }
        var bad = TinyONNX.openAI().filter { $0.name != "vr.norm.bias" }
        let i = bad.firstIndex { $0.name == "fs.select.weight" }!
        bad[i] = TestInitializer("fs.select.weight", [3, 8], .init(repeating: 0, count: 24))
        expectConvertError("fs.select.weight is [3, 8]", "the config needs [2, 8]", "vr.norm.bias [8] is missing") {
            _ = try convertModels([onnxModel(bad, metadata: TinyONNX.metadata)], in: dir)
        }
        #expect(!dir.exists("out.gguf"))
    }

    @Test func refusesConflictingSources() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var changed = TinyONNX.openAI()
        changed[0].raw![0] ^= 1
        expectConvertError("clip.visual.conv1.weight differs between") {
            _ = try convertModels([onnxModel(TinyONNX.openAI(), metadata: TinyONNX.metadata),
                                   onnxModel(changed, metadata: TinyONNX.metadata)], in: dir)
        }
        let both = TinyONNX.openAI() + TinyONNX.huggingFace().filter { $0.name.hasSuffix("pre_layrnorm.weight") }
        expectConvertError("clip.visual.ln_pre.weight is given more than once") {
            _ = try convertModels([onnxModel(both, metadata: TinyONNX.metadata)], in: dir)
        }
        let noK = TinyONNX.huggingFace().filter { !$0.name.hasSuffix("layers.0.self_attn.k_proj.weight") }
        expectConvertError("lacks a q/k/v part") {
            _ = try convertModels([onnxModel(noK, metadata: TinyONNX.metadata)], in: dir)
        }
    }

    @Test func configComesFromMetadataOrAFile() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let model = onnxModel(TinyONNX.openAI())
        expectConvertError("lack videodistill.config", "--config FILE") { _ = try convertModels([model], in: dir) }
        var options = ConvertOptions()
        options.configPath = dir.write("config.json", String(TinyONNX.configJSON.dropLast()) + ", \"dropout\": 0.1}")
        options.answersPath = dir.write("answers.json", TinyONNX.answersJSON)
        options.name = "named"
        let (s, m) = try convertModels([model], in: dir, options: options)
        #expect(s.unknownConfigKeys == ["dropout"] && s.description.contains("unknown config keys (ignored): dropout"))
        #expect(m.config == TinyModel.config && m.answers == TinyModel.answers && m.name == "named")

        let other = TinyONNX.configJSON.replacing("\"ln_eps\": 1e-06", with: "\"ln_eps\": 1e-05")
        #expect(other != TinyONNX.configJSON)
        expectConvertError("carries a different videodistill.config") {
            _ = try convertModels([onnxModel([], metadata: TinyONNX.metadata),
                                   onnxModel(TinyONNX.openAI(), metadata: [("videodistill.config", other)])], in: dir)
        }
        for (json, fragment) in [
            ("[1]", "config is not a JSON object"),
            ("{\"image_size\": 8}", "config lacks resize_short"),
            (TinyONNX.configJSON.replacing("\"patch_size\": 4", with: "\"patch_size\": 3"), "not a multiple of patch_size"),
            (TinyONNX.configJSON.replacing("\"patch_size\": 4", with: "\"patch_size\": \"4\""), "does not decode"),
            // 2^20 vision layers: refused by count before the table of ~12.6 million rows is built.
            (TinyONNX.configJSON.replacing("\"vision_layers\": 1", with: "\"vision_layers\": 1048576"),
             "1048576 + 1 + 1 + 1 layers) needs"),
        ] {
            options.configPath = dir.write("config.json", json)
            expectConvertError(fragment) { _ = try convertModels([model], in: dir, options: options) }
        }
    }

    @Test func answersAreChecked() throws {
        let dir = TempDir()
        defer { dir.remove() }
        for (json, fragment) in [("[\"a\", \"a\", \"b\"]", "appears twice"), ("[]", "is empty"),
                                 ("[\"a\", \"\", \"b\"]", "answer #1 is empty"), ("{}", "not a JSON array"),
                                 ("[\"a\", 1, \"b\"]", "not a JSON array of strings")] {
            let meta = [("videodistill.config", TinyONNX.configJSON), ("videodistill.answers", json)]
            expectConvertError(fragment) { _ = try convertModels([onnxModel(TinyONNX.openAI(), metadata: meta)], in: dir) }
        }
        // Four answers for a three-row fc2.
        let meta = [("videodistill.config", TinyONNX.configJSON), ("videodistill.answers", "[\"a\", \"b\", \"c\", \"d\"]")]
        expectConvertError("heads.qa.fc2.weight is [3, 5]", "needs [4, 5]") {
            _ = try convertModels([onnxModel(TinyONNX.openAI(), metadata: meta)], in: dir)
        }
    }

    @Test func refusesBadOptions() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let model = onnxModel(TinyONNX.openAI(), metadata: TinyONNX.metadata)
        var options = ConvertOptions()
        options.type = "int4"
        expectConvertError("--type int4 is not supported") { _ = try convertModels([model], in: dir, options: options) }
        options = ConvertOptions()
        options.bpePath = dir.write("fake.gz", "not the vocabulary")
        expectConvertError("fake.gz has SHA-256", "not CLIP's 924691ac") {
            _ = try convertModels([model], in: dir, options: options)
        }
        #expect(!dir.exists("out.gguf"))
        expectConvertError("no input files") { _ = try convert(inputs: [], output: dir.file("x"), options: ConvertOptions()) }
    }
}
