import _VDKernels

/// The question side after the text encoder (SPEC 1, 4-6): frame sampling, selection and vision refinement,
/// from the frames' tokens and t_cls to v_star (the heads' input; `Heads` is the rest of the answer).
///
///   x = input_proj(v_cls) + fs.temporal_embed  -> L_fs FS-Blocks -> fs.norm -> fs.select -> logits [N, K]
///   idx_k = argmax_n logits[n, k]
///   x = [vr.cls_token; input_proj(v_patch[idx_k])] + VR embeddings -> L_vr VR-Blocks -> vr.norm -> v_star
struct FrameSamplingAndRefinement {
    let inputProj: Linear                 // "input_proj"          [D, Dv]
    let fsTemporalEmbed: TensorView       // "fs.temporal_embed"   [N, D]
    let fsBlocks: [FrameSamplingBlock]    // "fs.blocks.{i}"
    let fsNorm: LayerNorm                 // "fs.norm"
    let fsSelect: Linear                  // "fs.select"           [K, D]
    let vrClsToken: TensorView            // "vr.cls_token"        [D]
    let vrPosEmbed: TensorView            // "vr.pos_embed"        [1+P, D]
    let vrTemporalEmbed: TensorView       // "vr.temporal_embed"   [K, D]
    let vrBlocks: [VisionRefinementBlock] // "vr.blocks.{i}"
    let vrNorm: LayerNorm                 // "vr.norm"
    let config: ModelConfig

    /// What one (video, question) gives before the heads.
    struct Result {
        var selectionLogits: [Float]   // [N, K]
        var selected: [Int]            // [K]
        var vStar: [Float]             // [D]
        var fsGates: [Float]           // [L_fs, N, H]
        var vrGates: [Float]           // [L_vr, 1+K*P, H]
    }

    init(_ w: WeightReader, _ c: ModelConfig) throws {
        let D = c.modelDim
        inputProj = try Linear(w, "input_proj", out: D, in: c.visionWidth, int8Group: "input_proj")
        fsTemporalEmbed = try w.tensor("fs.temporal_embed", [c.numFrames, D])
        fsBlocks = try (0..<c.fsLayers).map { try FrameSamplingBlock(w, "fs.blocks.\($0)", c) }
        fsNorm = try LayerNorm(w, "fs.norm", width: D, eps: c.lnEps)
        fsSelect = try Linear(w, "fs.select", out: c.numSelected, in: D, int8Group: "fs.select")
        vrClsToken = try w.tensor("vr.cls_token", [D])
        vrPosEmbed = try w.tensor("vr.pos_embed", [c.tokensPerFrame, D])
        vrTemporalEmbed = try w.tensor("vr.temporal_embed", [c.numSelected, D])
        vrBlocks = try (0..<c.vrLayers).map { try VisionRefinementBlock(w, "vr.blocks.\($0)", c) }
        vrNorm = try LayerNorm(w, "vr.norm", width: D, eps: c.lnEps)
        config = c
    }

    /// Floats of scratch one call holds (for the load-time size check).
    static func scratchFloats(_ c: ModelConfig) -> Int {
        let rows = Swift.max(c.numFrames, c.refinementTokens), D = c.modelDim
        return Workspace.floats(rows: rows, width: D, hidden: 4 * D, scoreCount: scoreCount(c), gated: true)
            + rows * D + c.numSelected * c.patchesPerFrame * c.visionWidth + c.numFrames * c.visionWidth
    }

    private static func scoreCount(_ c: ModelConfig) -> Int {
        Swift.max(c.numFrames * c.numFrames,
                  VarAttention.scoreCount(slots: c.numSelected, patches: c.patchesPerFrame))
    }

    /// frames: one video's tokens, of which this reads v_cls of the N frames and the patches of the K selected
    /// ones only; tCls: [Dt]. Throws `.numerical` on NaN selection logits.
    /// `selection` (K indices in 0..<N, checked by the caller) replaces SPEC 5's argmax, for the paper's
    /// ablations (evenly spaced frames); the selection logits are still computed and returned.
    func run(frames: EncodedVideo.FrameTokens, tCls: UnsafePointer<Float>, selection: [Int]? = nil) throws -> Result {
        let c = config, N = c.numFrames, K = c.numSelected, P = c.patchesPerFrame, D = c.modelDim
        let Dv = c.visionWidth, H = c.modelHeads, T = c.refinementTokens
        let ws = Workspace(rows: Swift.max(N, T), width: D, hidden: 4 * D, scoreCount: Self.scoreCount(c),
                           gated: true)
        let x = FloatBuffer(count: Swift.max(N, T) * D)   // the residual stream: [N, D], then [1+K*P, D]
        let chosen = FloatBuffer(count: K * P * Dv)       // v_patch[idx_k], slot order   [K, P, Dv]
        let logits = FloatBuffer(count: N * K)
        let fsGates = FloatBuffer(count: c.fsLayers * N * H)
        let vrGates = FloatBuffer(count: c.vrLayers * T * H)
        let vStar = FloatBuffer(count: D)
        let clsScratch = FloatBuffer(count: N * Dv)        // v_cls widened from a compact file   [N, Dv]
        return try withExtendedLifetime((ws, x, chosen, logits, fsGates, vrGates, vStar, clsScratch)) {
            // Frame sampling: v_cls -> input_proj -> + fs.temporal_embed -> FS-Blocks -> fs.norm -> fs.select
            let cls = frames.cls(clsScratch.base)
            inputProj.apply(cls.rows, rows: N, ldx: cls.stride, into: x.base)
            vd_add(x.base, fsTemporalEmbed.floats, N * D)
            for (l, block) in fsBlocks.enumerated() {
                block.apply(x.base, n: N, tCls: tCls, gates: fsGates.base + l * N * H, ws: ws)
            }
            fsNorm.apply(x.base, rows: N, into: ws.xn.base)
            fsSelect.apply(ws.xn.base, rows: N, into: logits.base)

            // Selection: gather by index in slot order (never a float mask).
            let selected = try selection ?? Selection.argmax(logits.base, frames: N, slots: K)
            for (k, n) in selected.enumerated() {
                frames.copyPatches(n, chosen.base + k * P * Dv)
            }

            // Vision refinement: token 0 = cls_token + pos_embed[0];
            // token 1 + k*P + p = input_proj(patch) + pos_embed[1 + p] + temporal_embed[k].
            x.base.update(from: vrClsToken.floats, count: D)
            vd_add(x.base, vrPosEmbed.floats, D)
            inputProj.apply(chosen.base, rows: K * P, into: x.base + D)
            for k in 0..<K {
                let slot = x.base + (1 + k * P) * D
                vd_add(slot, vrPosEmbed.floats + D, P * D)
                vd_add_bias_rows(slot, vrTemporalEmbed.floats + k * D, P, D)
            }
            for (l, block) in vrBlocks.enumerated() {
                block.apply(x.base, slots: K, patches: P, tCls: tCls, gates: vrGates.base + l * T * H, ws: ws)
            }
            vrNorm.apply(x.base, rows: 1, into: vStar.base)   // v_star = vr.norm(x)[0]

            return Result(selectionLogits: Array(logits), selected: selected, vStar: Array(vStar),
                          fsGates: Array(fsGates), vrGates: Array(vrGates))
        }
    }
}

extension Array where Element == Float {
    /// A copy of a buffer's floats.
    init(_ buffer: FloatBuffer) {
        self = Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
    }
}
