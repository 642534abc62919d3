/// SPEC section 10 as data: every parameter's name and PyTorch shape, built from the config.
///
/// This is the one table of the checkpoint contract. The model-file loader checks a file against it and
/// the converter checks ONNX initializers against it; nothing else spells parameter names or shapes.

/// An optional head (SPEC 7). A head is present when all of its tensors are.
public enum Head: String, CaseIterable, Sendable, Comparable {
    /// Open-ended answers: `heads.qa.fc1`, `heads.qa.fc2`.
    case qa
    /// Video-text matching: `heads.vtm`.
    case vtm
    /// Similarity: `heads.cl_text_proj`.
    case cl

    /// Every tensor of this head starts with this prefix.
    public var prefix: String {
        switch self {
        case .qa: return "heads.qa."
        case .vtm: return "heads.vtm."
        case .cl: return "heads.cl_text_proj."
        }
    }

    public static func < (a: Head, b: Head) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One row of SPEC 10: a name, its PyTorch shape (outermost first; Linear weights `[out, in]`), and the
/// head it belongs to (`nil`: required).
public struct ExpectedTensor: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let head: Head?
}

/// Every SPEC 10 tensor for `config`, required ones first in the SPEC's order, then the heads.
///
/// - Parameter answerCount: A, the number of answers (rows of `heads.qa.fc2.weight`).
/// Precondition: `config.validate()` passed, so every product below is far from overflow.
public func expectedTensors(_ config: ModelConfig, answerCount: Int) -> [ExpectedTensor] {
    var rows: [ExpectedTensor] = []
    func add(_ name: String, _ shape: [Int], _ head: Head? = nil) {
        rows.append(ExpectedTensor(name: name, shape: shape, head: head))
    }
    func layerNorm(_ prefix: String, _ width: Int, _ head: Head? = nil) {
        add(prefix + ".weight", [width], head)
        add(prefix + ".bias", [width], head)
    }
    func linear(_ prefix: String, out: Int, in inWidth: Int, _ head: Head? = nil) {
        add(prefix + ".weight", [out, inWidth], head)
        add(prefix + ".bias", [out], head)
    }
    // CLIP residual block (SPEC 2.1): ln_1, attn (fused in_proj), ln_2, mlp.
    func clipBlock(_ prefix: String, _ width: Int) {
        layerNorm(prefix + ".ln_1", width)
        add(prefix + ".attn.in_proj_weight", [3 * width, width])
        add(prefix + ".attn.in_proj_bias", [3 * width])
        linear(prefix + ".attn.out_proj", out: width, in: width)
        layerNorm(prefix + ".ln_2", width)
        linear(prefix + ".mlp.c_fc", out: 4 * width, in: width)
        linear(prefix + ".mlp.c_proj", out: width, in: 4 * width)
    }
    let c = config
    let (dv, dtw, dt, d) = (c.visionWidth, c.textWidth, c.textEmbedDim, c.modelDim)
    // LA-Gate (SPEC 3), attention and MLP of the FS/VR blocks (SPEC 4).
    func gate(_ prefix: String) {
        linear(prefix + ".gate.q", out: d, in: d)
        linear(prefix + ".gate.k", out: d, in: dt)
        linear(prefix + ".gate.v", out: d, in: d)
        linear(prefix + ".gate.o", out: d, in: d)
    }
    func attention(_ prefix: String) {
        linear(prefix + ".qkv", out: 3 * d, in: d)
        linear(prefix + ".proj", out: d, in: d)
    }
    func mlp(_ prefix: String) {
        linear(prefix + ".fc1", out: 4 * d, in: d)
        linear(prefix + ".fc2", out: d, in: 4 * d)
    }

    // Frame encoder (SPEC 2.1).
    add("clip.visual.conv1.weight", [dv, 3, c.patchSize, c.patchSize])
    add("clip.visual.class_embedding", [dv])
    add("clip.visual.positional_embedding", [c.tokensPerFrame, dv])
    layerNorm("clip.visual.ln_pre", dv)
    for i in 0..<c.visionLayers { clipBlock("clip.visual.transformer.resblocks.\(i)", dv) }
    layerNorm("clip.visual.ln_post", dv)

    // Text encoder (SPEC 2.2).
    add("clip.token_embedding.weight", [c.vocabSize, dtw])
    add("clip.positional_embedding", [c.contextLength, dtw])
    for i in 0..<c.textLayers { clipBlock("clip.transformer.resblocks.\(i)", dtw) }
    layerNorm("clip.ln_final", dtw)
    add("clip.text_projection", [dtw, dt])

    // Frame sampling (SPEC 4).
    linear("input_proj", out: d, in: dv)
    add("fs.temporal_embed", [c.numFrames, d])
    for i in 0..<c.fsLayers {
        let b = "fs.blocks.\(i)"
        layerNorm(b + ".norm_g", d)
        layerNorm(b + ".norm_a", d)
        layerNorm(b + ".norm_m", d)
        gate(b)
        attention(b + ".attn")
        mlp(b + ".mlp")
    }
    layerNorm("fs.norm", d)
    linear("fs.select", out: c.numSelected, in: d)

    // Vision refinement (SPEC 6).
    add("vr.cls_token", [d])
    add("vr.pos_embed", [c.tokensPerFrame, d])
    add("vr.temporal_embed", [c.numSelected, d])
    for i in 0..<c.vrLayers {
        let b = "vr.blocks.\(i)"
        layerNorm(b + ".norm_g", d)
        layerNorm(b + ".norm1", d)
        layerNorm(b + ".norm2", d)
        layerNorm(b + ".norm3", d)
        gate(b)
        attention(b + ".timeattn")
        attention(b + ".attn")
        mlp(b + ".mlp")
    }
    layerNorm("vr.norm", d)

    // Heads (SPEC 7), each optional.
    linear("heads.qa.fc1", out: c.qaHidden, in: d, .qa)
    linear("heads.qa.fc2", out: answerCount, in: c.qaHidden, .qa)
    linear("heads.vtm", out: 2, in: d, .vtm)
    linear("heads.cl_text_proj", out: d, in: dt, .cl)
    return rows
}
