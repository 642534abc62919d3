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
    package var prefix: String {
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
package struct ExpectedTensor: Equatable, Sendable {
    package let name: String
    package let shape: [Int]
    package let head: Head?

    /// The int8 group of this tensor when SPEC 8 allows it in int8 (`int8Group(of:)`), else nil.
    package var int8Group: String? { VideoDistill.int8Group(of: name) }
    /// True for the weights an int8 model file may store as int8 (the 2-D weights of Linear layers and the
    /// patch convolution): shape[0] is the output channel, each with its own scale.
    package var isQuantizable: Bool { int8Group != nil }
}

/// The groups of weights SPEC 8 allows in int8, in model order. An int8 model file stores each weight of a
/// group either as int8 with a per-output-channel scale or as fp32; the converter's policy picks (see
/// `convert-weights --help`). Everything outside these groups (embeddings, position/temporal embeddings,
/// class/CLS tokens, LayerNorms, biases, `clip.text_projection`) is always fp32.
package let int8Groups = ["vision.conv1", "vision.blocks", "text.blocks", "input_proj", "fs.gate", "fs.attn",
                         "fs.mlp", "fs.select", "vr.gate", "vr.attn", "vr.mlp", "heads"]

/// The int8 group of a SPEC 10 name, or nil when the tensor is not a Linear or patch-convolution weight.
///
/// | group | weights |
/// |---|---|
/// | `vision.conv1` | `clip.visual.conv1.weight` [Dv, 3, p, p] (one output channel per row of Dv) |
/// | `vision.blocks` / `text.blocks` | `attn.in_proj_weight`, `attn.out_proj`, `mlp.c_fc`, `mlp.c_proj` of the ViT / text blocks |
/// | `input_proj` | `input_proj` |
/// | `fs.gate`, `fs.attn`, `fs.mlp` | the FS blocks' `gate.{q,k,v,o}`, `attn.{qkv,proj}`, `mlp.{fc1,fc2}` |
/// | `fs.select` | `fs.select` |
/// | `vr.gate`, `vr.attn`, `vr.mlp` | the VR blocks' `gate.*`, `timeattn.*` and `attn.*`, `mlp.*` |
/// | `heads` | `heads.qa.fc1`, `heads.qa.fc2`, `heads.vtm`, `heads.cl_text_proj` |
package func int8Group(of name: String) -> String? {
    if name == "clip.visual.conv1.weight" { return "vision.conv1" }
    if name == "input_proj.weight" { return "input_proj" }
    if name == "fs.select.weight" { return "fs.select" }
    if name.hasPrefix("heads."), name.hasSuffix(".weight") { return "heads" }
    let clipLinears = [".attn.in_proj_weight", ".attn.out_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"]
    if clipLinears.contains(where: name.hasSuffix) {
        if name.hasPrefix("clip.visual.transformer.resblocks.") { return "vision.blocks" }
        if name.hasPrefix("clip.transformer.resblocks.") { return "text.blocks" }
    }
    let parts: [(suffixes: [String], group: String)] = [
        ([".gate.q.weight", ".gate.k.weight", ".gate.v.weight", ".gate.o.weight"], "gate"),
        ([".attn.qkv.weight", ".attn.proj.weight", ".timeattn.qkv.weight", ".timeattn.proj.weight"], "attn"),
        ([".mlp.fc1.weight", ".mlp.fc2.weight"], "mlp"),
    ]
    for stack in ["fs", "vr"] where name.hasPrefix(stack + ".blocks.") {
        for (suffixes, group) in parts where suffixes.contains(where: name.hasSuffix) { return stack + "." + group }
    }
    return nil
}

/// The number of required (non-head) rows `expectedTensors` gives for `config`, counted without building them.
///
/// A config may declare up to 2^20 layers per stack, which would make the table hundreds of millions of rows:
/// readers compare this count with the tensors their input actually holds before they build the table, so a
/// hostile file cannot make them allocate by what it declares. Counted from the table itself: the rows of the
/// config with no layers, plus each stack's rows per layer times its layer count.
package func requiredTensorCount(_ config: ModelConfig) -> Int {
    func required(_ c: ModelConfig) -> Int { expectedTensors(c, answerCount: 1).filter { $0.head == nil }.count }
    let stacks: [WritableKeyPath<ModelConfig, Int>] = [\.visionLayers, \.textLayers, \.fsLayers, \.vrLayers]
    var none = config
    for k in stacks { none[keyPath: k] = 0 }
    let fixed = required(none)
    var total = fixed
    for k in stacks {
        var one = none
        one[keyPath: k] = 1
        // Layer counts are at most ModelConfig.maxDimension (validate()), so no product here overflows.
        total += (required(one) - fixed) * max(0, config[keyPath: k])
    }
    return total
}

/// Why an input holding `held` tensors is refused before the table for `config` is built, or nil when the table
/// may be built: it is built (so that errors can name missing tensors) only while it stays within twice what the
/// input holds. `holder` and `verb` name the input in the message ("the file holds", "the inputs hold").
package func tableSizeRefusal(_ config: ModelConfig, tensorsHeld held: Int, holder: String, verb: String = "holds")
    -> String? {
    let required = requiredTensorCount(config)
    guard required > 2 * held else { return nil }
    return "the config (\(config.visionLayers) + \(config.textLayers) + \(config.fsLayers) + \(config.vrLayers) layers) "
        + "needs \(required) tensors; \(holder) \(verb) \(held)"
}

/// Every SPEC 10 tensor for `config`, required ones first in the SPEC's order, then the heads.
///
/// - Parameter answerCount: A, the number of answers (rows of `heads.qa.fc2.weight`).
/// Precondition: `config.validate()` passed, so every product below is far from overflow.
package func expectedTensors(_ config: ModelConfig, answerCount: Int) -> [ExpectedTensor] {
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
