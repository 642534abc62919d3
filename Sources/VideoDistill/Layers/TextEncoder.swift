import _VDKernels

/// CLIP's text encoder (SPEC 2.2): ids [context_length] -> t_cls [Dt].
///
/// token_embedding + positional_embedding, causal residual blocks, ln_final, the row at the first EOT
/// (49407), times text_projection (x @ P). Query i sees keys 0...i only, so rows after the first EOT cannot
/// change its row: they are not computed.
struct TextEncoder {
    static let eot: Int32 = 49407

    let tokenEmbedding: TensorView        // "clip.token_embedding.weight" [V, Dt_w]
    let positionalEmbedding: TensorView   // "clip.positional_embedding"   [context_length, Dt_w]
    let blocks: [CLIPResidualBlock]       // "clip.transformer.resblocks.{i}"
    let lnFinal: LayerNorm                // "clip.ln_final"
    let textProjection: TensorView        // "clip.text_projection"        [Dt_w, Dt]
    let config: ModelConfig

    init(_ w: WeightReader, _ c: ModelConfig) throws {
        let W = c.textWidth
        tokenEmbedding = try w.tensor("clip.token_embedding.weight", [c.vocabSize, W])
        positionalEmbedding = try w.tensor("clip.positional_embedding", [c.contextLength, W])
        blocks = try (0..<c.textLayers).map {
            try CLIPResidualBlock(w, "clip.transformer.resblocks.\($0)", width: W, heads: c.textHeads,
                                  eps: c.clipLnEps, int8Group: "text.blocks")
        }
        lnFinal = try LayerNorm(w, "clip.ln_final", width: W, eps: c.clipLnEps)
        textProjection = try w.tensor("clip.text_projection", [W, c.textEmbedDim])
        config = c
    }

    /// Checks ids (1...context_length of them, each < V, with an EOT) and returns the first EOT's position.
    func eotPosition(_ ids: [Int32]) throws -> Int {
        let c = config
        guard (1...c.contextLength).contains(ids.count) else {
            throw VideoDistillError.invalidArgument(
                "token ids: \(ids.count) given, expected 1...\(c.contextLength) (context_length)")
        }
        if let bad = ids.firstIndex(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            throw VideoDistillError.invalidArgument("token id \(ids[bad]) at \(bad) is outside 0..<\(c.vocabSize)")
        }
        guard let eot = ids.firstIndex(of: Self.eot) else {
            throw VideoDistillError.invalidArgument("token ids hold no end-of-text id \(Self.eot)")
        }
        return eot
    }

    /// t_cls [Dt] of ids (checked by `eotPosition`).
    func encode(_ ids: [Int32]) throws -> [Float] {
        let c = config, W = c.textWidth
        let n = try eotPosition(ids) + 1     // rows 0...first EOT
        let x = FloatBuffer(count: n * W)     // [n, Dt_w]
        let ws = Workspace(rows: n, width: W, hidden: 4 * W, scoreCount: n * n, gated: false)
        var tCls = [Float](repeating: 0, count: c.textEmbedDim)
        withExtendedLifetime((x, ws)) {
            // token_embedding[ids] + positional_embedding
            for i in 0..<n {
                let row = x.base + i * W
                row.update(from: tokenEmbedding.floats + Int(ids[i]) * W, count: W)
                vd_add(row, positionalEmbedding.floats + i * W, W)
            }
            for block in blocks { block.apply(x.base, groups: 1, n: n, causal: true, ws: ws) }
            // ln_final on the EOT row, then x @ text_projection
            let eotRow = ws.xn.base
            lnFinal.apply(x.base + (n - 1) * W, rows: 1, into: eotRow)
            tCls.withUnsafeMutableBufferPointer {
                GEMM.gemvT(m: W, n: c.textEmbedDim, a: textProjection.floats, lda: c.textEmbedDim, x: eotRow,
                           y: $0.baseAddress!)
            }
        }
        return tCls
    }
}
