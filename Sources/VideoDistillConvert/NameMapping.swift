/// Where an initializer's values go in the model file (SPEC 10).
public enum Destination: Equatable, Sendable {
    /// Copied as is to this SPEC name.
    case whole(String)
    /// Transposed (a 2-D [a, b] becomes [b, a]): HF's `text_projection.weight`.
    case transposed(String)
    /// Slice `index` (0 = q, 1 = k, 2 = v) of a tensor concatenated along its first dim: HF's q/k/v
    /// projections into OpenAI's `in_proj_weight` / `in_proj_bias`.
    case part(String, index: Int)

    /// The SPEC name it lands in.
    public var target: String {
        switch self {
        case .whole(let n), .transposed(let n), .part(let n, _): return n
        }
    }
}

/// Hugging Face CLIP names to OpenAI CLIP names, as a table of rules (SPEC 10). Names that no rule
/// matches are taken as SPEC names; the caller rejects those the SPEC does not list.
public enum NameMapping {
    /// Initializers a converter drops (SPEC 10): CLIP's unused projections and HF's position-id buffers.
    static let ignoredNames: Set<String> = ["clip.visual.proj", "clip.logit_scale", "clip.visual_projection.weight"]
    static let ignoredSuffix = ".embeddings.position_ids"

    /// Whole-name and prefix rules outside the transformer layers: (HF, OpenAI).
    static let exactRules: [(String, String)] = [
        ("clip.vision_model.embeddings.patch_embedding.weight", "clip.visual.conv1.weight"),
        ("clip.vision_model.embeddings.class_embedding", "clip.visual.class_embedding"),
        ("clip.vision_model.embeddings.position_embedding.weight", "clip.visual.positional_embedding"),
        ("clip.text_model.embeddings.token_embedding.weight", "clip.token_embedding.weight"),
        ("clip.text_model.embeddings.position_embedding.weight", "clip.positional_embedding"),
    ]
    static let prefixRules: [(String, String)] = [
        ("clip.vision_model.pre_layrnorm.", "clip.visual.ln_pre."),
        ("clip.vision_model.post_layernorm.", "clip.visual.ln_post."),
        ("clip.text_model.final_layer_norm.", "clip.ln_final."),
    ]
    /// Transformer layer prefixes: (HF, OpenAI); a layer number and a layer rule follow.
    static let layerPrefixes: [(String, String)] = [
        ("clip.vision_model.encoder.layers.", "clip.visual.transformer.resblocks."),
        ("clip.text_model.encoder.layers.", "clip.transformer.resblocks."),
    ]
    /// Inside a layer, prefix rules: (HF, OpenAI).
    static let layerRules: [(String, String)] = [
        ("self_attn.out_proj.", "attn.out_proj."),
        ("layer_norm1.", "ln_1."),
        ("layer_norm2.", "ln_2."),
        ("mlp.fc1.", "mlp.c_fc."),
        ("mlp.fc2.", "mlp.c_proj."),
    ]
    /// Inside a layer, q/k/v rules: (HF, OpenAI, slice).
    static let qkvRules: [(String, String, Int)] = [
        ("self_attn.q_proj.weight", "attn.in_proj_weight", 0),
        ("self_attn.k_proj.weight", "attn.in_proj_weight", 1),
        ("self_attn.v_proj.weight", "attn.in_proj_weight", 2),
        ("self_attn.q_proj.bias", "attn.in_proj_bias", 0),
        ("self_attn.k_proj.bias", "attn.in_proj_bias", 1),
        ("self_attn.v_proj.bias", "attn.in_proj_bias", 2),
    ]

    /// True for names SPEC 10 says to ignore.
    public static func isIgnored(_ name: String) -> Bool {
        ignoredNames.contains(name) || name.hasSuffix(ignoredSuffix)
    }

    /// Where `name` goes.
    public static func destination(of name: String) -> Destination {
        if name == "clip.text_projection.weight" { return .transposed("clip.text_projection") }
        for (hf, openAI) in exactRules where name == hf { return .whole(openAI) }
        for (hf, openAI) in prefixRules where name.hasPrefix(hf) { return .whole(openAI + name.dropFirst(hf.count)) }
        for (hf, openAI) in layerPrefixes where name.hasPrefix(hf) {
            let rest = name.dropFirst(hf.count)
            guard let dot = rest.firstIndex(of: "."), !rest[..<dot].isEmpty,
                  rest[..<dot].allSatisfy(\.isASCII), rest[..<dot].allSatisfy(\.isNumber) else { break }
            let layer = openAI + rest[...dot]
            let inner = rest[rest.index(after: dot)...]
            for (from, to, index) in qkvRules where inner == from { return .part(layer + to, index: index) }
            for (from, to) in layerRules where inner.hasPrefix(from) { return .whole(layer + to + inner.dropFirst(from.count)) }
        }
        return .whole(name)
    }
}
