/// Everything one (video, question) gives (SPEC 8), before any choice is made from it.
public struct AnswerOutputs: Sendable {
    /// t_cls [Dt]: the question's CLIP text embedding.
    public var tCls: [Float]
    /// Frame-selection logits [N, K], row-major.
    public var selectionLogits: [Float]
    /// idx_k [K]: the selected frame (0..<N) of each slot, in slot order; repeats allowed.
    public var selected: [Int]
    /// v_star [D].
    public var vStar: [Float]
    /// qa_logits [A] in the order of `VideoDistillModel.answers`; nil without a QA head.
    public var qaLogits: [Float]?
    /// vtm_logits [2]; nil without a VTM head.
    public var vtmLogits: [Float]?
    /// CL similarity of v_star and the question; nil without a CL head.
    public var clSim: Float?
    /// LA-Gate cosines of the FS-Blocks [L_fs, N, H].
    public var fsGates: [Float]
    /// LA-Gate cosines of the VR-Blocks [L_vr, 1+K*P, H], token order as SPEC 6.
    public var vrGates: [Float]

    /// The index of the highest QA logit (the first on ties); nil without a QA head or when a logit is NaN.
    public var topAnswer: Int? {
        guard let l = qaLogits, !l.contains(where: \.isNaN) else { return nil }
        return Choice.best(l)
    }

    /// SPEC 7's VTM match score log_softmax(vtm_logits)[1]; nil without a VTM head.
    public var matchScore: Float? { vtmLogits.map(Heads.matchScore) }
}
