import Foundation
import Testing
import VideoDistill

/// Builds small model files (valid, then damaged by the tests) without any ONNX or Python.
package enum TinyModel {
    /// A small config that passes `validate()`: P = 4, Dv = Dt_w = D = 8, Dt = 6, one block each.
    package static let config = try! JSONDecoder().decode(ModelConfig.self, from: Data("""
        {"image_size": 8, "resize_short": 9, "patch_size": 4, "vision_width": 8, "vision_layers": 1, "vision_heads": 2,
         "text_width": 8, "text_layers": 1, "text_heads": 2, "vocab_size": 49408, "context_length": 8, "text_embed_dim": 6,
         "model_dim": 8, "model_heads": 2, "fs_layers": 1, "vr_layers": 1, "num_frames": 4, "num_selected": 2, "qa_hidden": 5,
         "mean": [0.5, 0.25, 0.125], "std": [0.2, 0.3, 0.4], "clip_ln_eps": 1e-5, "ln_eps": 1e-6}
        """.utf8))
    package static let answers = ["yes", "no", "a cat"]

    /// A copy of `config` with every stack at `layers` layers.
    package static func configWith(layers: Int) -> ModelConfig {
        var c = config
        (c.visionLayers, c.textLayers, c.fsLayers, c.vrLayers) = (layers, layers, layers, layers)
        return c
    }

    /// 48,894 distinct well-formed merges (not CLIP's: the loader checks form, not content).
    package static let merges: [String] = (0..<ModelFile.mergeCount(vocabSize: 49408)).map { "m\($0) x" }

    package static let sha = String(repeating: "ab", count: 32)

    /// The value of element `i` of the `t`-th tensor: distinct per tensor, exact in fp32.
    package static func value(tensor t: Int, element i: Int) -> Float { Float(t) + Float(i % 1000) / 1024 }

    /// The tensors of `config` (all heads), with recognisable f32 data.
    package static func tensors(answers: [String] = answers, heads: Set<Head> = Set(Head.allCases))
        -> [(GGUFTensorDeclaration, [UInt8])] {
        let rows = expectedTensors(config, answerCount: answers.count).filter { $0.head == nil || heads.contains($0.head!) }
        return rows.enumerated().map { t, row in
            let decl = GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .f32)
            let n = row.shape.reduce(1, *)
            let floats = (0..<n).map { value(tensor: t, element: $0) }
            return (decl, floats.withUnsafeBytes { Array($0) })
        }
    }

    package static func metadata(answers: [String] = answers) -> [(key: String, value: GGUFValue)] {
        ModelFile.metadata(config: config, answers: answers, merges: merges, bpeSHA256: sha, name: "tiny")
    }

    /// A whole file from parts (defaults: a valid file with every head).
    package static func file(metadata: [(key: String, value: GGUFValue)] = metadata(),
                     tensors: [(GGUFTensorDeclaration, [UInt8])] = tensors()) -> [UInt8] {
        GGUFWriter.bytes(metadata: metadata, tensors: tensors.map(\.0), data: tensors.map(\.1),
                         alignment: ModelFileKeys.writtenAlignment)
    }

    /// The metadata with `key` replaced (or removed when `value` is nil).
    package static func replacing(_ key: String, with value: GGUFValue?, in kv: [(key: String, value: GGUFValue)] = metadata())
        -> [(key: String, value: GGUFValue)] {
        var out = kv.filter { $0.key != key }
        if let v = value { out.append((key, v)) }
        return out
    }
}

/// Byte surgery on a serialized file.
package enum Bytes {
    /// Where `needle` first occurs in `hay`.
    package static func find(_ needle: String, in hay: [UInt8]) -> Int? {
        let n = Array(needle.utf8)
        guard n.count <= hay.count else { return nil }
        return (0...(hay.count - n.count)).first { hay[$0..<($0 + n.count)].elementsEqual(n) }
    }

    /// Byte offset just after the GGUF string `s` (its u64 length sits just before its bytes).
    package static func after(_ s: String, in hay: [UInt8]) -> Int {
        find(s, in: hay)! + s.utf8.count
    }

    package static func put<T: FixedWidthInteger>(_ v: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    }
}

/// Expects loading `bytes` to fail with `invalidModelFile` whose message contains `fragment`.
package func expectInvalid(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try ModelFile(bytes: bytes)
        Issue.record("loaded a file that should fail with \"\(fragment)\"", sourceLocation: sourceLocation)
    } catch let VideoDistillError.invalidModelFile(m) {
        #expect(m.contains(fragment), "message: \(m)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
    }
}
