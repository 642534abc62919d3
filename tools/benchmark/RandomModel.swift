import Foundation
import VideoDistill
import VideoDistillConvert

/// Writes a model file with random weights for a config: every SPEC 10 tensor (all heads), streamed
/// tensor by tensor with the File folder's GGUF writer, with CLIP's real BPE merges. With an int8 policy the
/// same random values are written as `convert-weights --type int8` would write them (SPEC 8).
enum RandomModel {
    static func write(config c: ModelConfig, answerCount: Int, to path: String, int8 policy: Int8Policy? = nil) throws {
        let answers = (0..<answerCount).map { "answer \($0)" }
        let merges = try BPEMergesFile.embeddedMerges(count: ModelFile.mergeCount(vocabSize: c.vocabSize))
        let metadata = ModelFile.metadata(config: c, answers: answers, merges: merges,
                                          bpeSHA256: BPEMergesFile.sha256, name: "vd-bench random",
                                          weightType: policy == nil ? "f32" : ModelFileKeys.int8WeightType)
        let rows = expectedTensors(c, answerCount: answerCount)
        var rng = XorShift(seed: 0x5EED)
        _ = try writeModelFile(to: path, metadata: metadata, rows: rows,
                               int8: rows.map(\.name).filter { policy?.quantizes($0) == true },
                               heads: Set(rows.compactMap(\.head))) { values(for: $1, &rng) }
    }

    /// LayerNorm gains near 1, small biases, weights uniform with variance 1/fan_in (activations stay O(1)).
    private static func values(for row: ExpectedTensor, _ rng: inout XorShift) -> [Float] {
        let count = row.shape.reduce(1, *)
        let leaf = row.name.split(separator: ".").last ?? ""
        let isNorm = row.name.contains("norm") || row.name.contains(".ln_")
        if isNorm && leaf == "weight" { return (0..<count).map { _ in 1 + 0.1 * rng.uniform() } }
        if leaf == "bias" || leaf == "in_proj_bias" || isNorm { return (0..<count).map { _ in 0.02 * rng.uniform() } }
        let fanIn = row.shape.count > 1 ? row.shape.dropFirst().reduce(1, *) : 1
        let scale = Float(3.0 / Double(fanIn)).squareRoot()
        return (0..<count).map { _ in scale * rng.uniform() }
    }
}

/// xorshift64*: fast, deterministic, good enough for random weights.
struct XorShift {
    private var s: UInt64
    init(seed: UInt64) { s = seed | 1 }

    /// Uniform in [-1, 1).
    mutating func uniform() -> Float {
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27
        return Float((s &* 0x2545_F491_4F6C_DD1D) >> 40) / Float(1 << 23) - 1
    }
}
