// PLACEHOLDER API, to be replaced by the GGUF loader (format work): the shape of the type is the contract
// that the model code builds on.

/// A loaded model file: GGUF v3, memory-mapped, every offset, size, dtype and shape checked.
public final class ModelFile: @unchecked Sendable {
    public let config: ModelConfig
    /// SPEC 11 `videodistill.answers` (empty without a QA head).
    public let answers: [String]
    /// The BPE merges, in rank order (48,894 lines for CLIP).
    public let bpeMerges: [String]
    /// "f32" or "int8".
    public let weightType: String
    /// All tensors by SPEC name (section 10), shapes in PyTorch order.
    public let tensors: [String: TensorView]

    public init(path: String) throws {
        throw VideoDistillError.io("ModelFile loader not implemented yet")
    }

    /// The tensor with this SPEC name, or an error naming it.
    public func tensor(_ name: String) throws -> TensorView {
        guard let t = tensors[name] else { throw VideoDistillError.invalidModelFile("tensor \(name) is missing") }
        return t
    }
}
