import _VDKernels

/// CLIP's ViT frame encoder (SPEC 2.1): pixels [F, 3, S, S] -> tokens [F, 1+P, Dv].
///
/// conv1 (kernel = stride = patch, no bias) as a product of patch rows with the kernel, patches row-major,
/// class_embedding in front, + positional_embedding, ln_pre, the residual blocks, and ln_post on every
/// token (not only the CLS as in CLIP). `clip.visual.proj` is not used.
struct FrameEncoder {
    /// Every frame-encoder tensor's name starts with this (SPEC 10).
    static let prefix = "clip.visual."
    let conv1: Linear                     // "clip.visual.conv1.weight"         [Dv, 3, patch, patch], no bias
    let classEmbedding: TensorView        // "clip.visual.class_embedding"      [Dv]
    let positionalEmbedding: TensorView   // "clip.visual.positional_embedding" [1+P, Dv]
    let lnPre: LayerNorm                  // "clip.visual.ln_pre"
    let blocks: [CLIPResidualBlock]       // "clip.visual.transformer.resblocks.{i}"
    let lnPost: LayerNorm                 // "clip.visual.ln_post"
    let config: ModelConfig

    init(_ w: WeightReader, _ c: ModelConfig) throws {
        let Dv = c.visionWidth
        let k = 3 * c.patchSize * c.patchSize
        conv1 = try Linear(w, weight: "clip.visual.conv1.weight", bias: nil, out: Dv, in: k,
                           shape: [Dv, 3, c.patchSize, c.patchSize], int8Group: "vision.conv1")
        classEmbedding = try w.tensor("clip.visual.class_embedding", [Dv])
        positionalEmbedding = try w.tensor("clip.visual.positional_embedding", [c.tokensPerFrame, Dv])
        lnPre = try LayerNorm(w, "clip.visual.ln_pre", width: Dv, eps: c.clipLnEps)
        blocks = try (0..<c.visionLayers).map {
            try CLIPResidualBlock(w, "clip.visual.transformer.resblocks.\($0)", width: Dv, heads: c.visionHeads,
                                  eps: c.clipLnEps, int8Group: "vision.blocks")
        }
        lnPost = try LayerNorm(w, "clip.visual.ln_post", width: Dv, eps: c.clipLnEps)
        config = c
    }

    /// True when the residual blocks' Linears are int8 (an int8 model file): OpenBLAS then computes only the
    /// per-head attention products and the patch convolution.
    var blocksAreInt8: Bool { blocks.contains { $0.mlp.fc1.weight.isInt8 } }

    /// The scratch for batches of up to `frames` frames.
    func workspace(frames: Int) -> Workspace {
        let n = config.tokensPerFrame, Dv = config.visionWidth
        return Workspace(rows: frames * n, width: Dv, hidden: 4 * Dv, scoreCount: n * n, gated: false)
    }

    /// Floats one frame of a batch needs in `workspace(frames:)` (for sizing batches).
    var workspaceFloatsPerFrame: Int {
        let n = config.tokensPerFrame, Dv = config.visionWidth
        return Workspace.floats(rows: n, width: Dv, hidden: 4 * Dv, scoreCount: 0, gated: false)
    }

    /// tokens = ViT(pixels) for F frames, F * (1+P) <= ws.rows.
    /// pixels: [F, 3, S, S]; tokens: [F, 1+P, Dv]; patches: scratch [P, 3 * patch^2].
    /// `shouldAbort` is polled before each block; true throws `.aborted`.
    func encode(pixels: UnsafePointer<Float>, frames F: Int, into tokens: UnsafeMutablePointer<Float>,
                patches: UnsafeMutablePointer<Float>, ws: Workspace, shouldAbort: (() -> Bool)? = nil) throws {
        let c = config, n = c.tokensPerFrame, Dv = c.visionWidth, S = c.imageSize
        let x = tokens   // the residual stream lives in the output
        for f in 0..<F {
            let frame = x + f * n * Dv
            // conv1: patch rows (c, ky, kx order, as the kernel [Dv, 3, patch, patch]) times the kernel.
            gatherPatches(pixels + f * 3 * S * S, into: patches)
            conv1.apply(patches, rows: c.patchesPerFrame, into: frame + Dv)
            // [class_embedding; patches] + positional_embedding
            frame.update(from: classEmbedding.floats, count: Dv)
            vd_add(frame, positionalEmbedding.floats, n * Dv)
        }
        lnPre.apply(x, rows: F * n, into: x)
        for block in blocks {
            if shouldAbort?() == true { throw VideoDistillError.aborted }
            block.apply(x, groups: F, n: n, causal: false, ws: ws)
        }
        lnPost.apply(x, rows: F * n, into: x)
    }

    /// patches[py * (S/p) + px, (ch * p + ky) * p + kx] = pixels[ch, py * p + ky, px * p + kx].
    /// pixels: [3, S, S]; patches: [P, 3 * p^2]
    private func gatherPatches(_ pixels: UnsafePointer<Float>, into patches: UnsafeMutablePointer<Float>) {
        let S = config.imageSize, p = config.patchSize, side = S / p
        var out = patches
        for py in 0..<side {
            for px in 0..<side {
                for ch in 0..<3 {
                    for ky in 0..<p {
                        out.update(from: pixels + (ch * S + py * p + ky) * S + px * p, count: p)
                        out += p
                    }
                }
            }
        }
    }
}
