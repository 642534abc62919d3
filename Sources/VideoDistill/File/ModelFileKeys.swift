/// The metadata layout of a VideoDistill model file (GGUF v3), the one place its keys are spelled.
///
/// | key | GGUF type | value |
/// |---|---|---|
/// | `general.alignment` | UINT32 | 64 (data section and every tensor start on a multiple) |
/// | `general.architecture` | STRING | `"videodistill"` |
/// | `general.name` | STRING | a human-readable name (not checked) |
/// | `videodistill.weight_type` | STRING | `"f32"` (every tensor F32) |
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
/// Unknown keys outside the `videodistill.` namespace are ignored (tools add their own); unknown keys
/// inside it, and unknown tensors, are errors.
public enum ModelFileKeys {
    public static let alignment = "general.alignment"
    public static let architecture = "general.architecture"
    public static let name = "general.name"
    public static let weightType = "videodistill.weight_type"
    public static let answers = "videodistill.answers"
    public static let bpeSHA256 = "videodistill.bpe_sha256"
    public static let tokenizerModel = "tokenizer.ggml.model"
    public static let merges = "tokenizer.ggml.merges"
    public static let bosTokenID = "tokenizer.ggml.bos_token_id"
    public static let eosTokenID = "tokenizer.ggml.eos_token_id"

    /// The namespace of this model's own keys.
    public static let namespace = "videodistill."
    /// `general.architecture`'s value.
    public static let architectureValue = "videodistill"
    /// `tokenizer.ggml.model`'s value.
    public static let tokenizerModelValue = "clip-bpe"
    /// The alignment the converter writes (a cache line: every tensor row start SIMD-friendly).
    public static let writtenAlignment = 64
    /// The weight types this runtime reads.
    public static let supportedWeightTypes = ["f32"]

    /// `videodistill.<json key>` for a SPEC 11 config key.
    public static func config(_ jsonKey: String) -> String { namespace + jsonKey }

    /// Config keys stored as FLOAT32.
    static let floatConfigKeys: Set<String> = ["clip_ln_eps", "ln_eps"]
    /// Config keys stored as ARRAY of FLOAT32.
    static let arrayConfigKeys: Set<String> = ["mean", "std"]

    /// Every key in the `videodistill.` namespace this runtime knows.
    static var knownOwnKeys: Set<String> {
        Set(ModelConfig.keys.map(config(_:))).union([weightType, answers, bpeSHA256])
    }
}
