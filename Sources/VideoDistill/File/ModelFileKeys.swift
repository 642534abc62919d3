/// The metadata layout of a VideoDistill model file (GGUF v3), the one place its keys are spelled.
///
/// | key | GGUF type | value |
/// |---|---|---|
/// | `general.alignment` | UINT32 | 64 (data section and every tensor start on a multiple) |
/// | `general.architecture` | STRING | `"videodistill"` |
/// | `general.name` | STRING | a human-readable name (not checked) |
/// | `videodistill.weight_type` | STRING | `"f32"` (every tensor F32) or `"int8"` (see below) |
/// | `videodistill.<key>` for each SPEC 11 config key | UINT32 (sizes), FLOAT32 (`clip_ln_eps`, `ln_eps`), ARRAY of FLOAT32 (`mean`, `std`) | the config |
/// | `videodistill.answers` | ARRAY of STRING | the A answers in logit order; absent without a QA head |
/// | `tokenizer.ggml.model` | STRING | `"clip-bpe"` |
/// | `tokenizer.ggml.merges` | ARRAY of STRING | CLIP's BPE merges in rank order ("a b"; V - 514 = 48,894 of them) |
/// | `tokenizer.ggml.bos_token_id` / `eos_token_id` | UINT32 | 49406 / 49407 (V - 2 / V - 1) |
/// | `videodistill.bpe_sha256` | STRING | SHA-256 (hex) of the `bpe_simple_vocab_16e6.txt.gz` the merges came from |
///
/// Tensors: every SPEC 10 name (`expectedTensors`), each in GGUF's dimension order: `ne[0]`, the first
/// dim stored, is the innermost (fastest-varying) one, so the stored dims are the PyTorch shape reversed
/// (ggml/llama.cpp's convention). A `[out, in]` Linear weight is stored as dims `[in, out]` with its bytes
/// in PyTorch's row-major order, so Python's `gguf.GGUFReader` shows `tensor.shape` = `[in, out]` and
/// `tensor.data.shape` = `(out, in)`, the PyTorch shape. `TensorView.shape` is the PyTorch shape.
///
/// Weight type `"int8"` (SPEC 8): each weight of a Linear layer or of the patch convolution
/// (`ExpectedTensor.isQuantizable`, grouped by `ExpectedTensor.int8Group`) is stored either as F32 or as I8 (GGML type
/// 24, same shape, values in [-127, 127]) with a companion F32 tensor `<weight name>.scale` of shape [out]
/// (finite, >= 0): the real weight is `scale[j] * q[j, ...]` for output channel j (symmetric, per output
/// channel). Every other tensor (embeddings, position/temporal embeddings, class/CLS tokens, LayerNorms, biases,
/// `clip.text_projection`) stays F32. Which weights are I8 is the converter's policy; the file says it per tensor.
///
/// Unknown keys outside the `videodistill.` namespace are ignored (tools add their own); unknown keys
/// inside it, and unknown tensors, are errors.
package enum ModelFileKeys {
    package static let alignment = "general.alignment"
    package static let architecture = "general.architecture"
    package static let name = "general.name"
    package static let weightType = "videodistill.weight_type"
    package static let answers = "videodistill.answers"
    package static let bpeSHA256 = "videodistill.bpe_sha256"
    package static let tokenizerModel = "tokenizer.ggml.model"
    package static let merges = "tokenizer.ggml.merges"
    package static let bosTokenID = "tokenizer.ggml.bos_token_id"
    package static let eosTokenID = "tokenizer.ggml.eos_token_id"

    /// The namespace of this model's own keys.
    package static let namespace = "videodistill."
    /// `general.architecture`'s value.
    package static let architectureValue = "videodistill"
    /// `tokenizer.ggml.model`'s value.
    package static let tokenizerModelValue = "clip-bpe"
    /// The alignment the converter writes (a cache line: every tensor row start SIMD-friendly).
    package static let writtenAlignment = 64
    /// The weight types this runtime reads.
    package static let supportedWeightTypes = ["f32", "int8"]
    /// The weight type whose Linear weights may be I8.
    package static let int8WeightType = "int8"

    /// The name of the per-output-channel scale of the int8 weight `weightName`: `<weight name>.scale`.
    package static func scaleName(of weightName: String) -> String { weightName + ".scale" }

    /// `videodistill.<json key>` for a SPEC 11 config key.
    package static func config(_ jsonKey: String) -> String { namespace + jsonKey }

    /// Config keys stored as FLOAT32.
    static let floatConfigKeys: Set<String> = ["clip_ln_eps", "ln_eps"]
    /// Config keys stored as ARRAY of FLOAT32.
    static let arrayConfigKeys: Set<String> = ["mean", "std"]

    /// Every key in the `videodistill.` namespace this runtime knows.
    static var knownOwnKeys: Set<String> {
        Set(ModelConfig.keys.map(config(_:))).union([weightType, answers, bpeSHA256])
    }
}
