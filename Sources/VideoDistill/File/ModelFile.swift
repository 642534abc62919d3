/// A loaded model file: GGUF v3 (`GGUF`) with the metadata layout of `ModelFileKeys`, memory-mapped or
/// copied, and checked against the SPEC before anything uses it.
///
/// After `init` succeeds: the config passed `validate()`; every required SPEC 10 tensor is present with
/// exactly its shape and type, each head is present whole or not at all, no other tensor exists; the
/// answers match the QA head; the tokenizer metadata is CLIP's. Nothing in the file is trusted before
/// it is checked, and every problem is a `VideoDistillError.invalidModelFile` naming it.
///
/// Thread-safety: immutable after `init`; share it freely. `TensorView`s point into it: keep the
/// `ModelFile` alive while using them.
package final class ModelFile: @unchecked Sendable {
    package let config: ModelConfig
    /// SPEC 11 `videodistill.answers` (empty without a QA head).
    package let answers: [String]
    /// The BPE merges, in rank order (48,894 lines "a b" for CLIP).
    package let bpeMerges: [String]
    /// "f32" or "int8" (`ModelFileKeys.supportedWeightTypes`).
    package let weightType: String
    /// All tensors by SPEC name (section 10), shapes in PyTorch order; in an int8 file some Linear weights
    /// are `.i8` (their scales are in `scales`).
    package let tensors: [String: TensorView]
    /// The per-output-channel scales [out] of the `.i8` weights, by the weight's SPEC name (stored in the file
    /// as `ModelFileKeys.scaleName(of:)`). Empty in an f32 file.
    package let scales: [String: TensorView]
    /// The optional heads the file holds.
    package let heads: Set<Head>
    /// Every metadata entry, in file order.
    package let metadata: [(key: String, value: GGUFValue)]
    /// `general.name`, if the file has one.
    package let name: String?

    private let storage: ModelStorage

    /// Releases the memory of a tensor of this file whose values have been copied elsewhere (`ModelStorage.dropPages`).
    func dropPages(of tensor: TensorView) {
        storage.dropPages(tensor.data, count: tensor.byteCount)
    }

    /// Maps and checks the file at `path`.
    package convenience init(path: String) throws {
        try self.init(storage: ModelStorage.map(path: path))
    }

    /// Copies a whole model file from memory and checks it; `bytes` may be freed afterwards.
    package convenience init(bytes: UnsafeRawBufferPointer) throws {
        try self.init(storage: ModelStorage.copy(bytes))
    }

    /// Copies a whole model file from an array and checks it.
    package convenience init(bytes: [UInt8]) throws {
        try self.init(storage: bytes.withUnsafeBytes { ModelStorage.copy($0) })
    }

    private init(storage: ModelStorage) throws {
        self.storage = storage
        let contents = try GGUFContents(parsing: storage.bytes)
        let kv = Dictionary(contents.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        metadata = contents.metadata

        try Self.expect(kv, ModelFileKeys.architecture, ModelFileKeys.architectureValue)
        guard case .string(let weightType)? = kv[ModelFileKeys.weightType] else {
            throw Self.bad("metadata \(ModelFileKeys.weightType) is missing or not a STRING")
        }
        guard ModelFileKeys.supportedWeightTypes.contains(weightType) else {
            throw Self.bad("weight type \"\(weightType)\" is not one of \(ModelFileKeys.supportedWeightTypes)")
        }
        self.weightType = weightType
        let unknown = kv.keys.filter { $0.hasPrefix(ModelFileKeys.namespace) && !ModelFileKeys.knownOwnKeys.contains($0) }
        guard unknown.isEmpty else { throw Self.bad("unknown metadata keys \(Self.list(unknown.sorted()))") }
        if case .string(let n)? = kv[ModelFileKeys.name] { name = n } else { name = nil }

        config = try ModelConfig(metadata: kv)
        bpeMerges = try Self.readTokenizer(kv, config)
        answers = try Self.readAnswers(kv)
        (heads, tensors, scales) = try Self.readTensors(contents, storage, config, answers, weightType)
    }

    /// The tensor with this SPEC name, or an error naming it.
    package func tensor(_ name: String) throws -> TensorView {
        guard let t = tensors[name] else { throw VideoDistillError.invalidModelFile("tensor \(name) is missing") }
        return t
    }

    /// The SPEC names of the weights stored as int8, sorted.
    package var int8TensorNames: [String] { scales.keys.sorted() }

    static func bad(_ message: String) -> VideoDistillError { .invalidModelFile(message) }

    /// The first few items of a list, for messages.
    static func list(_ items: [String], limit: Int = 8) -> String {
        let head = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? "\(head) and \(items.count - limit) more" : head
    }

    static func expect(_ kv: [String: GGUFValue], _ key: String, _ value: String) throws {
        guard case .string(let s)? = kv[key] else { throw bad("metadata \(key) is missing or not a STRING") }
        guard s == value else { throw bad("metadata \(key) is \"\(s)\", not \"\(value)\"") }
    }
}
