import VideoDistill

/// The last VR-Block's LA-Gate map (SPEC 3, 6), one value per selected slot and patch: what the model kept
/// of each patch of each frame it looked at, for the question asked.
///
/// vr_gates [L_vr, 1+K*P, H] is reduced at layer l = L_vr - 1 to `patches[k][p]` = mean over the H heads of
/// vr_gates[l, 1 + k*P + p, h] (each a cosine in [-1, 1], so the mean is too), and `cls` = the same mean at
/// token 0 (`vr.cls_token`).
public struct SlotGates: Encodable {
    /// [K][P], patches row-major within the S x S frame.
    public let patches: [[Float]]
    /// Token 0's mean gate.
    public let cls: Float
    /// l = L_vr - 1, the layer reduced.
    public let layer: Int

    /// Reduces `vrGates` (AnswerOutputs.vrGates) for `config`; throws when its size is not L_vr (1+K*P) H.
    public init(vrGates: [Float], config c: ModelConfig) throws {
        let (L, T, H, K, P) = (c.vrLayers, c.refinementTokens, c.modelHeads, c.numSelected, c.patchesPerFrame)
        guard L >= 1, H >= 1, vrGates.count == L * T * H else {
            throw VideoDistillError.invalidArgument("vr_gates has \(vrGates.count) values, expected L_vr x (1+K*P) x H = \(L) x \(T) x \(H)")
        }
        let base = (L - 1) * T * H
        let mean = { (token: Int) -> Float in
            var s: Float = 0
            for h in 0..<H { s += vrGates[base + token * H + h] }
            return s / Float(H)
        }
        patches = (0..<K).map { k in (0..<P).map { p in mean(1 + k * P + p) } }
        cls = mean(0)
        layer = L - 1
    }
}
