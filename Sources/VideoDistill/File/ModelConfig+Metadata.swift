/// The config as GGUF metadata: one `videodistill.<json key>` per SPEC 11 config key (`ModelFileKeys`).
extension ModelConfig {
    /// Size fields by SPEC JSON key (stored as UINT32).
    static let sizeFields: [(key: String, path: WritableKeyPath<ModelConfig, Int>)] = [
        ("image_size", \.imageSize), ("resize_short", \.resizeShort), ("patch_size", \.patchSize),
        ("vision_width", \.visionWidth), ("vision_layers", \.visionLayers), ("vision_heads", \.visionHeads),
        ("text_width", \.textWidth), ("text_layers", \.textLayers), ("text_heads", \.textHeads),
        ("vocab_size", \.vocabSize), ("context_length", \.contextLength), ("text_embed_dim", \.textEmbedDim),
        ("model_dim", \.modelDim), ("model_heads", \.modelHeads), ("fs_layers", \.fsLayers),
        ("vr_layers", \.vrLayers), ("num_frames", \.numFrames), ("num_selected", \.numSelected),
        ("qa_hidden", \.qaHidden),
    ]
    /// Epsilon fields (FLOAT32).
    static let floatFields: [(key: String, path: WritableKeyPath<ModelConfig, Float>)] = [
        ("clip_ln_eps", \.clipLnEps), ("ln_eps", \.lnEps),
    ]
    /// Per-channel fields (ARRAY of FLOAT32).
    static let arrayFields: [(key: String, path: WritableKeyPath<ModelConfig, [Float]>)] = [
        ("mean", \.mean), ("std", \.std),
    ]

    /// The config's metadata entries. Precondition: `validate()` passed (sizes fit in UInt32).
    package var metadata: [(key: String, value: GGUFValue)] {
        Self.sizeFields.map { (ModelFileKeys.config($0.key), .uint32(UInt32(self[keyPath: $0.path]))) }
            + Self.floatFields.map { (ModelFileKeys.config($0.key), .float32(self[keyPath: $0.path])) }
            + Self.arrayFields.map { (ModelFileKeys.config($0.key), .floats(self[keyPath: $0.path])) }
    }

    /// Reads every config key from `metadata` with its exact GGUF type, then `validate()`s the result.
    init(metadata: [String: GGUFValue]) throws {
        func value(_ key: String) throws -> GGUFValue {
            guard let v = metadata[ModelFileKeys.config(key)] else {
                throw VideoDistillError.invalidModelFile("metadata lacks \(ModelFileKeys.config(key))")
            }
            return v
        }
        func wrongType(_ key: String, _ want: String) -> VideoDistillError {
            .invalidModelFile("metadata \(ModelFileKeys.config(key)) is not \(want)")
        }
        var c = ModelConfig(imageSize: 0, resizeShort: 0, patchSize: 0, visionWidth: 0, visionLayers: 0,
                            visionHeads: 0, textWidth: 0, textLayers: 0, textHeads: 0, vocabSize: 0,
                            contextLength: 0, textEmbedDim: 0, modelDim: 0, modelHeads: 0, fsLayers: 0,
                            vrLayers: 0, numFrames: 0, numSelected: 0, qaHidden: 0, mean: [], std: [],
                            clipLnEps: 0, lnEps: 0)
        for (key, path) in Self.sizeFields {
            guard case .uint32(let v) = try value(key) else { throw wrongType(key, "a UINT32") }
            c[keyPath: path] = Int(v)
        }
        for (key, path) in Self.floatFields {
            guard case .float32(let v) = try value(key) else { throw wrongType(key, "a FLOAT32") }
            c[keyPath: path] = v
        }
        for (key, path) in Self.arrayFields {
            guard case .array(.float32, let items) = try value(key) else { throw wrongType(key, "an ARRAY of FLOAT32") }
            c[keyPath: path] = items.compactMap { if case .float32(let x) = $0 { return x } else { return nil } }
        }
        do { try c.validate() } catch let VideoDistillError.invalidConfig(m) {
            throw VideoDistillError.invalidModelFile("config in the model file: \(m)")
        }
        self = c
    }
}
