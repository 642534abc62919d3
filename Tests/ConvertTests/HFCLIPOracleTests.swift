import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDFixtureModels
import _VDTestSupport

/// The towers converted from Hugging Face folders, checked against code nobody here wrote: transformers' own CLIP
/// (tools/reference/vdref/hf_fixtures.py, once, into Tests/Fixtures/hf_p16 and hf_p32). The folders hold fp16 and
/// bf16 weights; transformers ran in fp32 on the same values widened, so SPEC 8's fp32 tolerance applies:
/// - frame tokens [N, 1+P, Dv] vs `post_layernorm` on every token of the vision model's last hidden state;
/// - t_cls [Dt] vs CLIPTextModelWithProjection's `text_embeds`.
@Suite struct HFCLIPOracleTests {
    static let fixtures = ["hf_p16", "hf_p32"]

    /// The conversion as a user types it: the folder, the VideoDistill part, and the rest of the config either
    /// from the part's metadata (`metadata`) or from `--config` (the fixture's config.json holds only the keys a
    /// Hugging Face folder does not give).
    static func converted(_ name: String, metadata: Bool, _ dir: TempDir) throws -> VideoDistillModel {
        var options = ConvertOptions()
        if !metadata { options.configPath = fixturePath(name, "config.json") }
        let out = dir.file("\(name).gguf")
        _ = try convert(inputs: [fixturePath(name, "hf"), fixturePath(name, "videodistill.safetensors")], output: out,
                        options: options)
        return try VideoDistillModel(path: out)
    }

    @Test(arguments: fixtures, [true, false]) func towersMatchTransformers(_ name: String, _ metadata: Bool) throws {
        try #require(fixtureExists(name, "hf_tokens.npy"), "fixture \(name) is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let model = try Self.converted(name, metadata: metadata, dir)
        let pixels = try NPYArray.load(fixturePath(name, "pixels.npy")), ref = try NPYArray.load(fixturePath(name, "hf_tokens.npy"))
        #expect(pixels.shape[0] == model.config.numFrames && ref.shape == [model.config.numFrames, model.config.tokensPerFrame,
                                                                        model.config.visionWidth])
        let video = try pixels.floats.withUnsafeBufferPointer { try model.encode(pixels: $0, threads: 1) }
        let tokensOK = withinSpecTolerance(video.tokens, ref.floats)   // a Bool first: #expect would print both arrays
        #expect(tokensOK, "\(name): tokens error \(scaledError(video.tokens, ref.floats))")

        let ids = try NPYArray.load(fixturePath(name, "token_ids.npy")), embeds = try NPYArray.load(fixturePath(name, "hf_text_embeds.npy"))
        let questions = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name, "questions.json"))))
        let (Q, ctx) = (ids.shape[0], model.config.contextLength)
        #expect(ids.shape == [questions.count, ctx] && embeds.shape == [Q, model.config.textEmbedDim])
        for q in 0..<Q {
            let tokenIds = ids.int64s[q * ctx ..< (q + 1) * ctx].map { Int32($0) }
            #expect(try model.tokenIds(questions[q]) == tokenIds, "\(name) q\(q): tokenizer")
            let out = try model.answer(video, tokenIds: tokenIds, threads: 1)
            let r = row(embeds.floats, q, of: Q)
            let tClsOK = withinSpecTolerance(out.tCls, r)
            #expect(tClsOK, "\(name) q\(q): t_cls error \(scaledError(out.tCls, r))")
        }
    }

    /// The config the folder gives equals the one transformers was built with (fixture's metadata, written by
    /// vdref from the same values), and --config's partial file completes it to the same config.
    @Test(arguments: fixtures) func folderGivesTheTowersConfig(_ name: String) throws {
        try #require(fixtureExists(name, "hf", "config.json"), "fixture \(name) is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let a = try Self.converted(name, metadata: true, dir).config
        let b = try Self.converted(name, metadata: false, dir).config
        #expect(a == b)
        let part = try SafetensorsFile(path: fixturePath(name, "videodistill.safetensors"))
        let full = try JSONDecoder().decode(ModelConfig.self, from: Data(try #require(part.metadata["videodistill.config"]).utf8))
        #expect(a == full)
    }
}

/// The same weights through two doors: the ONNX fixtures converted as always, and their tensors as a user holds them
/// in safetensors (a Hugging Face CLIP folder, or a PyTorch state dict with OpenAI's names, plus the reference
/// export's videodistill.safetensors): every tensor bit for bit, and every output of the loaded models identical.
@Suite struct SafetensorsEqualsONNXTests {
    /// The fixture's CLIP initializers (OpenAI names, `clip.` prefix), read from its ONNX pair.
    static func clipInitializers(_ name: String) throws -> [TestInitializer] {
        var seen = Set<String>()
        var out: [TestInitializer] = []
        for file in ["frame_encoder.onnx", "answerer.onnx"] {
            let f = try ONNXFile(path: fixturePath(name, file))
            for (i, t) in f.initializers.enumerated() where t.name.hasPrefix("clip.") && seen.insert(t.name).inserted {
                out.append(TestInitializer(t.name, t.shape, try f.floats(i)))
            }
        }
        return out
    }

    static func tensors(_ inits: [TestInitializer], dropping prefix: String) -> [STTensor] {
        inits.map { t in
            var s = STTensor(String(t.name.dropFirst(prefix.count)), t.dims.map(Int.init), [])
            s.data = t.raw!
            return s
        }
    }

    /// A Hugging Face folder of the fixture's towers: config.json and preprocessor_config.json in transformers'
    /// layout, written from the fixture's config.json.
    static func hfFolder(_ name: String, _ dir: TempDir) throws -> String {
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name, "config.json"))))
        let folder = dir.file("hf")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func tower(_ width: Int, _ layers: Int, _ heads: Int, _ extra: String) -> String {
            "{\"hidden_act\": \"quick_gelu\", \"hidden_size\": \(width), \"intermediate_size\": \(4 * width), "
                + "\"num_hidden_layers\": \(layers), \"num_attention_heads\": \(heads), \"layer_norm_eps\": \(c.clipLnEps), \(extra)}"
        }
        let config = "{\"model_type\": \"clip\", \"projection_dim\": \(c.textEmbedDim), "
            + "\"vision_config\": " + tower(c.visionWidth, c.visionLayers, c.visionHeads,
                                            "\"image_size\": \(c.imageSize), \"patch_size\": \(c.patchSize), \"num_channels\": 3")
            + ", \"text_config\": " + tower(c.textWidth, c.textLayers, c.textHeads,
                                            "\"vocab_size\": \(c.vocabSize), \"max_position_embeddings\": \(c.contextLength), \"eos_token_id\": 49407")
            + "}"
        _ = dir.write("hf/config.json", config)
        _ = dir.write("hf/preprocessor_config.json", "{\"image_mean\": \(c.mean), \"image_std\": \(c.std), \"do_normalize\": true}")
        _ = dir.write("hf/model.safetensors", safetensorsFile(tensors(TinyONNX.huggingFace(try clipInitializers(name)), dropping: "clip.")))
        return folder
    }

    @Test(arguments: ["tiny_a", "tiny_b"]) func sameModelThroughEitherDoor(_ name: String) throws {
        try #require(fixtureExists(name, "videodistill.safetensors"), "fixture \(name) is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let part = fixturePath(name, "videodistill.safetensors")
        let onnx = dir.file("onnx.gguf"), hf = dir.file("hf.gguf"), stateDict = dir.file("state_dict.gguf")
        _ = try convert(inputs: [fixturePath(name, "frame_encoder.onnx"), fixturePath(name, "answerer.onnx")], output: onnx,
                        options: ConvertOptions())
        _ = try convert(inputs: [try Self.hfFolder(name, dir), part], output: hf, options: ConvertOptions())
        let clip = dir.write("clip.safetensors", safetensorsFile(Self.tensors(try Self.clipInitializers(name), dropping: "")))
        _ = try convert(inputs: [clip, part], output: stateDict, options: ConvertOptions())

        let reference = try ModelFile(path: onnx)
        for path in [hf, stateDict] {
            let m = try ModelFile(path: path)
            #expect(m.config == reference.config && m.answers == reference.answers && m.heads == reference.heads)
            #expect(m.bpeMerges == reference.bpeMerges)
            #expect(Set(m.tensors.keys) == Set(reference.tensors.keys))
            for (key, t) in reference.tensors {
                guard let other = m.tensors[key] else { continue }
                #expect(other.shape == t.shape && Array(other.floatBuffer).map(\.bitPattern) == Array(t.floatBuffer).map(\.bitPattern),
                        "\(name) \(key) of \(path)")
            }
        }

        // Outputs: the fixture's pixels and questions through both models, bit for bit.
        let a = try VideoDistillModel(path: onnx), b = try VideoDistillModel(path: hf)
        let pixels = try NPYArray.load(fixturePath(name, "pixels.npy")).floats
        let va = try pixels.withUnsafeBufferPointer { try a.encode(pixels: $0, threads: 1) }
        let vb = try pixels.withUnsafeBufferPointer { try b.encode(pixels: $0, threads: 1) }
        let sameTokens = va.tokens.map(\.bitPattern) == vb.tokens.map(\.bitPattern)
        #expect(sameTokens)
        for question in try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name, "questions.json")))) {
            let (x, y) = (try a.answer(va, question: question, threads: 1), try b.answer(vb, question: question, threads: 1))
            #expect(x.tCls == y.tCls && x.selected == y.selected && x.vStar == y.vStar && x.qaLogits == y.qaLogits
                    && x.vtmLogits == y.vtmLogits && x.clSim == y.clSim && x.fsGates == y.fsGates && x.vrGates == y.vrGates,
                    "\(name): \(question)")
        }
    }
}
