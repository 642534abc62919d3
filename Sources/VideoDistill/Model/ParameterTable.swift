/// SPEC section 10 as data: every parameter's name, PyTorch shape, head and int8 group, built from the config.
///
/// This is the one table of the checkpoint contract. The model-file loader checks a file against it and
/// the converter checks ONNX initializers against it. Each name and shape is spelled once, in the layer that
/// reads the tensor (`Layers/`, beside the property it fills); the table is what the layers read, recorded
/// (`expectedTensors`), so the table and the layers cannot disagree.

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

/// One row of SPEC 10: a name, its PyTorch shape (outermost first; Linear weights `[out, in]`), the head it
/// belongs to (`nil`: required) and, for a weight an int8 file may store as int8, its SPEC 8 group.
package struct ExpectedTensor: Equatable, Sendable {
    package let name: String
    package let shape: [Int]
    package let head: Head?
    /// The int8 group of this tensor when SPEC 8 allows it in int8 (one of `int8Groups`), else nil: named by the
    /// layer that reads the tensor (`Linear`'s `int8Group`).
    package let int8Group: String?

    /// True for the weights an int8 model file may store as int8 (the 2-D weights of Linear layers and the
    /// patch convolution): shape[0] is the output channel, each with its own scale.
    package var isQuantizable: Bool { int8Group != nil }
}

/// The groups of weights SPEC 8 allows in int8, in model order, as the layers name them. An int8 model file
/// stores each weight of a group either as int8 with a per-output-channel scale or as fp32; the converter's
/// policy picks (see `convert-weights --help`). Everything outside these groups (embeddings, position/temporal
/// embeddings, class/CLS tokens, LayerNorms, biases, `clip.text_projection`) is always fp32.
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
package let int8Groups: [String] = {
    var seen = Set<String>()
    return patternTable.compactMap(\.int8Group).filter { seen.insert($0).inserted }
}()

/// The int8 group of a SPEC 10 name (`ExpectedTensor.int8Group` of its row), or nil when the tensor is not a
/// Linear or patch-convolution weight, or not a SPEC 10 name.
package func int8Group(of name: String) -> String? {
    int8GroupsByPattern[layerPattern(name)]
}

/// The table of a config with one layer per stack (every size 1): each name of SPEC 10 once, `{i}` being 0.
private let patternTable: [ExpectedTensor] = expectedTensors(
    ModelConfig(imageSize: 1, resizeShort: 1, patchSize: 1, visionWidth: 1, visionLayers: 1, visionHeads: 1,
                textWidth: 1, textLayers: 1, textHeads: 1, vocabSize: 1, contextLength: 1, textEmbedDim: 1,
                modelDim: 1, modelHeads: 1, fsLayers: 1, vrLayers: 1, numFrames: 1, numSelected: 1, qaHidden: 1,
                mean: [0, 0, 0], std: [1, 1, 1], clipLnEps: 1e-5, lnEps: 1e-6),
    answerCount: 1)

private let int8GroupsByPattern: [String: String] = Dictionary(
    uniqueKeysWithValues: patternTable.compactMap { row in row.int8Group.map { (row.name, $0) } })

/// `name` with each block index as 0: "vr.blocks.2.attn.qkv.weight" -> "vr.blocks.0.attn.qkv.weight".
private func layerPattern(_ name: String) -> String {
    name.split(separator: ".", omittingEmptySubsequences: false)
        .map { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } ? "0" : String($0) }
        .joined(separator: ".")
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

/// Every SPEC 10 tensor for `config`, required ones first in the SPEC's order, then the heads: what the layers
/// read, recorded by building them against a `WeightReader` that reads nothing (`WeightReader.recording`).
///
/// - Parameter answerCount: A, the number of answers (rows of `heads.qa.fc2.weight`).
/// Precondition: `config.validate()` passed, so every product of sizes is far from overflow (or, as in
/// `requiredTensorCount`, a layer count of 0 or 1 in a config that did).
package func expectedTensors(_ config: ModelConfig, answerCount: Int) -> [ExpectedTensor] {
    let table = WeightReader.Recorder()
    do {
        _ = try VideoDistillModel.layers(.recording(into: table), config, answerCount: answerCount)
    } catch {
        preconditionFailure("a recording WeightReader reads nothing and cannot fail: \(error)")
    }
    return table.rows
}
