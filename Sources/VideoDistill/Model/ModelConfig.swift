/// The model's blueprint: SPEC section 11's `videodistill.config`, read from the model file.
///
/// Every size, epsilon and normalisation constant the runtime uses comes from here, never from code.
/// Swift names follow the SPEC letters; the coded keys are the SPEC's JSON keys.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var imageSize: Int        // S
    public var resizeShort: Int      // R
    public var patchSize: Int        // patch
    public var visionWidth: Int      // Dv
    public var visionLayers: Int
    public var visionHeads: Int
    public var textWidth: Int        // Dt_w
    public var textLayers: Int
    public var textHeads: Int
    public var vocabSize: Int        // V
    public var contextLength: Int
    public var textEmbedDim: Int     // Dt
    public var modelDim: Int         // D
    public var modelHeads: Int       // H
    public var fsLayers: Int         // L_fs
    public var vrLayers: Int         // L_vr
    public var numFrames: Int        // N
    public var numSelected: Int      // K
    public var qaHidden: Int         // D_qa
    public var mean: [Float]         // [3]
    public var std: [Float]          // [3]
    public var clipLnEps: Float
    public var lnEps: Float

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imageSize = "image_size", resizeShort = "resize_short", patchSize = "patch_size"
        case visionWidth = "vision_width", visionLayers = "vision_layers", visionHeads = "vision_heads"
        case textWidth = "text_width", textLayers = "text_layers", textHeads = "text_heads"
        case vocabSize = "vocab_size", contextLength = "context_length", textEmbedDim = "text_embed_dim"
        case modelDim = "model_dim", modelHeads = "model_heads", fsLayers = "fs_layers", vrLayers = "vr_layers"
        case numFrames = "num_frames", numSelected = "num_selected", qaHidden = "qa_hidden"
        case mean, std, clipLnEps = "clip_ln_eps", lnEps = "ln_eps"
    }

    /// The SPEC's JSON keys, in declaration order.
    public static let keys: [String] = CodingKeys.allCases.map(\.rawValue)

    /// P: patches per frame.
    public var patchesPerFrame: Int { (imageSize / patchSize) * (imageSize / patchSize) }
    /// 1 + P: tokens per frame out of the frame encoder.
    public var tokensPerFrame: Int { 1 + patchesPerFrame }
    /// 1 + K*P: tokens in the VR-Blocks.
    public var refinementTokens: Int { 1 + numSelected * patchesPerFrame }

    /// Largest size any single config value may take. Keeps every product of sizes far from overflow
    /// and refuses hostile files before anything is allocated from them.
    public static let maxDimension = 1 << 20

    /// Checks every rule the SPEC places on a config; throws naming the first value that breaks one.
    public func validate() throws {
        func positive(_ name: String, _ v: Int) throws {
            guard v >= 1, v <= ModelConfig.maxDimension else {
                throw VideoDistillError.invalidConfig("\(name) = \(v) is out of range 1...\(ModelConfig.maxDimension)")
            }
        }
        let sizes: [(String, Int)] = [
            ("image_size", imageSize), ("resize_short", resizeShort), ("patch_size", patchSize),
            ("vision_width", visionWidth), ("vision_layers", visionLayers), ("vision_heads", visionHeads),
            ("text_width", textWidth), ("text_layers", textLayers), ("text_heads", textHeads),
            ("vocab_size", vocabSize), ("context_length", contextLength), ("text_embed_dim", textEmbedDim),
            ("model_dim", modelDim), ("model_heads", modelHeads), ("fs_layers", fsLayers),
            ("vr_layers", vrLayers), ("num_frames", numFrames), ("num_selected", numSelected),
            ("qa_hidden", qaHidden),
        ]
        for (name, v) in sizes { try positive(name, v) }
        func divides(_ a: String, _ av: Int, _ b: String, _ bv: Int) throws {
            guard bv % av == 0 else {
                throw VideoDistillError.invalidConfig("\(b) = \(bv) is not a multiple of \(a) = \(av)")
            }
        }
        guard resizeShort >= imageSize else {
            throw VideoDistillError.invalidConfig("resize_short = \(resizeShort) is smaller than image_size = \(imageSize)")
        }
        try divides("patch_size", patchSize, "image_size", imageSize)
        try divides("vision_heads", visionHeads, "vision_width", visionWidth)
        try divides("text_heads", textHeads, "text_width", textWidth)
        try divides("model_heads", modelHeads, "model_dim", modelDim)
        guard numSelected <= numFrames else {
            throw VideoDistillError.invalidConfig("num_selected = \(numSelected) exceeds num_frames = \(numFrames)")
        }
        guard vocabSize == 49408 else {
            throw VideoDistillError.invalidConfig("vocab_size = \(vocabSize); CLIP's BPE vocabulary has 49408 entries")
        }
        guard contextLength >= 2 else {
            throw VideoDistillError.invalidConfig("context_length = \(contextLength) leaves no room for SOT and EOT")
        }
        // Products the runtime forms: keep them representable.
        guard patchesPerFrame <= ModelConfig.maxDimension,
              numSelected.multipliedReportingOverflow(by: patchesPerFrame).partialValue <= ModelConfig.maxDimension
        else { throw VideoDistillError.invalidConfig("K * P = \(numSelected) * \(patchesPerFrame) is too large") }
        guard mean.count == 3, std.count == 3 else {
            throw VideoDistillError.invalidConfig("mean and std need 3 values each (got \(mean.count), \(std.count))")
        }
        for (name, v) in [("mean", mean), ("std", std)] {
            for x in v where !x.isFinite {
                throw VideoDistillError.invalidConfig("\(name) holds a non-finite value")
            }
        }
        for s in std where !(s > 0) {
            throw VideoDistillError.invalidConfig("std values must be positive (got \(s))")
        }
        for (name, e) in [("clip_ln_eps", clipLnEps), ("ln_eps", lnEps)] where !(e.isFinite && e >= 0) {
            throw VideoDistillError.invalidConfig("\(name) = \(e) must be a finite, non-negative number")
        }
    }
}
