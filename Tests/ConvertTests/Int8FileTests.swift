import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// The int8 model-file layout (ModelFileKeys): I8 Linear weights with `<name>.scale` [out] beside each, on
/// TinyModel files written in memory, valid and damaged; which tensors may be int8; the converter's policy.
@Suite struct Int8FileTests {
    /// A quantizable weight of TinyModel and a tensor that never may be int8.
    static let weight = "fs.blocks.0.attn.qkv.weight"      // [3D, D] = [24, 8]
    static let layerNorm = "fs.blocks.0.norm_a.weight"

    /// TinyModel with `names` stored int8 (values q[j, i] = (j + i) % 255 - 127, scales 0.01 * (j + 1)), then
    /// `edit` applied to the declarations and data.
    static func file(int8 names: Set<String> = [weight], weightType: String = "int8",
                     edit: (inout [(GGUFTensorDeclaration, [UInt8])]) -> Void = { _ in }) -> [UInt8] {
        var tensors: [(GGUFTensorDeclaration, [UInt8])] = []
        for (decl, bytes) in TinyModel.tensors() {
            guard names.contains(decl.name) else { tensors.append((decl, bytes)); continue }
            let out = decl.shape[0], cols = decl.byteCount / 4 / out
            let q = (0..<(out * cols)).map { Int8(($0 / cols + $0 % cols) % 255 - 127) }
            let scales = (0..<out).map { Float($0 + 1) * 0.01 }
            tensors.append((GGUFTensorDeclaration(name: decl.name, shape: decl.shape, type: .i8), q.map { UInt8(bitPattern: $0) }))
            tensors.append((GGUFTensorDeclaration(name: ModelFileKeys.scaleName(of: decl.name), shape: [out], type: .f32),
                            scales.withUnsafeBytes { Array($0) }))
        }
        edit(&tensors)
        let kv = TinyModel.replacing(ModelFileKeys.weightType, with: .string(weightType), in: metadata)
        return TinyModel.file(metadata: kv, tensors: tensors)
    }

    /// TinyModel's metadata with CLIP's real merges, so that a model (and its tokenizer) builds from it.
    static let metadata: [(key: String, value: GGUFValue)] = {
        let merges = try! BPEMergesFile.embeddedMerges(count: ModelFile.mergeCount(vocabSize: TinyModel.config.vocabSize))
        return ModelFile.metadata(config: TinyModel.config, answers: TinyModel.answers, merges: merges,
                                  bpeSHA256: BPEMergesFile.sha256, name: "tiny int8")
    }()

    static func replaceData(_ name: String, _ tensors: inout [(GGUFTensorDeclaration, [UInt8])],
                            _ change: (inout [UInt8]) -> Void) {
        let i = tensors.firstIndex { $0.0.name == name }!
        change(&tensors[i].1)
    }

    @Test func validInt8FileLoadsAndPacks() throws {
        let all = Set(expectedTensors(TinyModel.config, answerCount: 3).filter(\.isQuantizable).map(\.name))
        let f = try ModelFile(bytes: Self.file(int8: all))
        #expect(f.weightType == "int8")
        #expect(f.int8TensorNames == all.sorted())
        #expect(f.tensors[Self.weight]?.type == .i8)
        #expect(f.tensors[Self.weight]?.int8s[9] == Int8((1 + 1) % 255 - 127))   // row 1, column 1
        #expect(f.scales[Self.weight]?.floats[2] == 0.03)
        #expect(f.tensors[Self.layerNorm]?.type == .f32 && f.scales[Self.layerNorm] == nil)
        // Every Linear packs, every other tensor stays fp32: the model builds.
        _ = try VideoDistillModel(file: f)
    }

    @Test func aMixOfInt8AndF32WeightsLoads() throws {
        let f = try ModelFile(bytes: Self.file())
        #expect(f.int8TensorNames == [Self.weight])
        #expect(f.tensors["fs.blocks.0.attn.proj.weight"]?.type == .f32)
        _ = try VideoDistillModel(file: f)
    }

    @Test func damagedInt8FilesFail() {
        let scale = ModelFileKeys.scaleName(of: Self.weight)
        expectInvalid(Self.file { t in Self.replaceData(Self.weight, &t) { $0[5] = 0x80 } },
                      "int8 tensor \(Self.weight) holds -128 at element 5")
        expectInvalid(Self.file { t in t.removeAll { $0.0.name == scale } }, "has no scale tensor \(scale)")
        for (bad, shown) in [(Float.nan, "nan"), (-1, "-1.0"), (.infinity, "inf")] {
            let bytes = withUnsafeBytes(of: bad) { Array($0) }
            expectInvalid(Self.file { t in Self.replaceData(scale, &t) { $0.replaceSubrange(4..<8, with: bytes) } },
                          "scale \(scale)[1] is \(shown)")
        }
        expectInvalid(Self.file { t in
            let i = t.firstIndex { $0.0.name == scale }!
            t[i] = (GGUFTensorDeclaration(name: scale, shape: [23], type: .f32), Array(t[i].1.prefix(23 * 4)))
        }, "scale \(scale) is f32 [23], expected f32 [24]")
        // A scale beside an fp32 weight, an int8 tensor that may not be int8, int8 in an f32 file.
        expectInvalid(Self.file { t in
            t.append((GGUFTensorDeclaration(name: ModelFileKeys.scaleName(of: "input_proj.weight"), shape: [8], type: .f32),
                      [UInt8](repeating: 0, count: 32)))
        }, "is the scale of input_proj.weight, which is not int8")
        expectInvalid(Self.file(int8: [Self.layerNorm]), "unknown tensors \(ModelFileKeys.scaleName(of: Self.layerNorm))")
        expectInvalid(Self.file { t in
            let i = t.firstIndex { $0.0.name == Self.layerNorm }!
            t[i] = (GGUFTensorDeclaration(name: Self.layerNorm, shape: [8], type: .i8), [UInt8](repeating: 1, count: 8))
        }, "tensor \(Self.layerNorm) is i8, weight type int8 needs f32")
        expectInvalid(Self.file(weightType: "f32"), "unknown tensors \(scale)")
        expectInvalid(Self.file(weightType: "f32") { t in t.removeAll { $0.0.name == scale } },
                      "tensor \(Self.weight) is i8, weight type f32 needs f32")
    }

    /// The quantizable tensors are exactly the 2-D weights of SPEC 10 and the patch convolution, minus the
    /// tensors used as tables or added (an independent statement of `int8Group(of:)`).
    @Test func quantizableTensorsAreTheLinearWeights() throws {
        let c = try BenchLikeConfig.medium()
        let notLinear: Set = ["clip.token_embedding.weight", "clip.positional_embedding", "clip.text_projection",
                              "clip.visual.positional_embedding", "fs.temporal_embed", "vr.pos_embed", "vr.temporal_embed"]
        for row in expectedTensors(c, answerCount: 10) {
            let linear = row.shape.count >= 2 && !notLinear.contains(row.name)
            #expect(row.isQuantizable == linear, "\(row.name)")
            if let g = row.int8Group { #expect(int8Groups.contains(g)) }
        }
        #expect(int8Group(of: "vr.blocks.2.timeattn.proj.weight") == "vr.attn")
        #expect(int8Group(of: "clip.transformer.resblocks.0.attn.in_proj_weight") == "text.blocks")
        #expect(int8Group(of: "clip.visual.transformer.resblocks.3.ln_2.weight") == nil)
        #expect(int8Group(of: "heads.qa.fc2.bias") == nil)
    }

    @Test func quantizerRoundsHalfToEvenPerRow() throws {
        // Row 0: max 2.54 -> scale 0.02; 0.01 / 0.02 = 0.5 -> 0, 0.03 / 0.02 = 1.5 -> 2. Row 1: zeros -> scale 0.
        let (q, s) = try Int8Quantizer.quantizeRows([2.54, 0.01, 0.03, -2.54, 0, 0, 0, 0], rows: 2, name: "t")
        #expect(s == [Float(2.54) / 127, 0])
        #expect(q == [127, 0, 2, -127, 0, 0, 0, 0])
        #expect(throws: ConvertError.self) { try Int8Quantizer.quantizeRows([1, .nan], rows: 1, name: "t") }
    }

    @Test func policyAndArguments() throws {
        #expect(try !Int8Policy().quantizes("clip.visual.transformer.resblocks.0.mlp.c_fc.weight"))
        #expect(try Int8Policy().quantizes("vr.blocks.0.mlp.fc1.weight"))
        #expect(try Int8Policy(keepF32: Int8Policy.fastKeepF32).quantizes("clip.visual.transformer.resblocks.0.mlp.c_fc.weight"))
        #expect(try !Int8Policy().quantizes("fs.select.weight"))
        #expect(try ConvertArguments(["in.onnx", "-o", "o.gguf", "--type", "int8", "--keep-f32", "fast"]).options.int8KeepF32
                == Int8Policy.fastKeepF32)
        #expect(try !Int8Policy(keepF32: []).quantizes("clip.visual.ln_post.weight"))
        #expect(throws: ConvertError.self) { try Int8Policy(keepF32: ["fs.nothing"]) }
        let a = try ConvertArguments(["in.onnx", "-o", "o.gguf", "--type", "int8", "--keep-f32", "none"])
        #expect(a.options.type == "int8" && a.options.int8KeepF32 == [])
        let b = try ConvertArguments(["in.onnx", "-o", "o.gguf", "--type", "int8", "--keep-f32", "heads,fs.select"])
        #expect(b.options.int8KeepF32 == ["heads", "fs.select"])
        #expect(ConvertArguments.usage.contains("--keep-f32"))
    }
}

/// A config with every kind of tensor at sizes where shapes tell tensors apart.
enum BenchLikeConfig {
    static func medium() throws -> ModelConfig {
        let c = ModelConfig(
            imageSize: 32, resizeShort: 36, patchSize: 8, visionWidth: 48, visionLayers: 2, visionHeads: 4,
            textWidth: 32, textLayers: 2, textHeads: 2, vocabSize: 49408, contextLength: 16, textEmbedDim: 24,
            modelDim: 40, modelHeads: 4, fsLayers: 2, vrLayers: 2, numFrames: 6, numSelected: 3, qaHidden: 24,
            mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2], clipLnEps: 1e-5, lnEps: 1e-6)
        try c.validate()
        return c
    }
}
