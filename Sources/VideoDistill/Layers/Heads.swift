import Foundation
import _VDKernels

/// The optional heads on v_star (SPEC 7). A head is present when all its tensors are.
struct Heads {
    /// QA: fc1 (D -> D_qa), exact GELU, fc2 (D_qa -> A).
    struct QA {
        let fc1: Linear   // "heads.qa.fc1"  [D_qa, D]
        let fc2: Linear   // "heads.qa.fc2"  [A, D_qa]

        /// qa_logits [A] of v_star [D].
        func logits(_ vStar: UnsafePointer<Float>) -> [Float] {
            let hidden = FloatBuffer(count: fc1.outputs)
            var out = [Float](repeating: 0, count: fc2.outputs)
            withExtendedLifetime(hidden) {
                fc1.apply(vStar, rows: 1, into: hidden.base)
                vd_gelu_erf(hidden.base, fc1.outputs)
                out.withUnsafeMutableBufferPointer { fc2.apply(hidden.base, rows: 1, into: $0.baseAddress!) }
            }
            return out
        }
    }

    let qa: QA?            // "heads.qa.*"
    let vtm: Linear?       // "heads.vtm"           [2, D]
    let clTextProj: Linear? // "heads.cl_text_proj" [D, Dt]

    /// SPEC 7's clamp of the CL norms: a constant, not a config value.
    static let clEps: Float = 1e-8

    /// Each head the file has; all heads' Linear weights are SPEC 8's group "heads".
    init(_ w: WeightReader, _ c: ModelConfig, answerCount A: Int) throws {
        let D = c.modelDim
        qa = try w.head(.qa) { w in
            QA(fc1: try Linear(w, "heads.qa.fc1", out: c.qaHidden, in: D, int8Group: "heads"),
               fc2: try Linear(w, "heads.qa.fc2", out: A, in: c.qaHidden, int8Group: "heads"))
        }
        vtm = try w.head(.vtm) { w in try Linear(w, "heads.vtm", out: 2, in: D, int8Group: "heads") }
        clTextProj = try w.head(.cl) { w in
            try Linear(w, "heads.cl_text_proj", out: D, in: c.textEmbedDim, int8Group: "heads")
        }
    }

    /// vtm_logits [2] of v_star.
    func vtmLogits(_ vStar: UnsafePointer<Float>) -> [Float]? {
        guard let vtm else { return nil }
        var out = [Float](repeating: 0, count: 2)
        out.withUnsafeMutableBufferPointer { vtm.apply(vStar, rows: 1, into: $0.baseAddress!) }
        return out
    }

    /// cl_sim = dot(a, b) / (max(|a|, 1e-8) * max(|b|, 1e-8)), a = v_star [D], b = cl_text_proj(t_cls) [D].
    func clSimilarity(_ vStar: UnsafePointer<Float>, tCls: UnsafePointer<Float>) -> Float? {
        guard let clTextProj else { return nil }
        let D = clTextProj.outputs
        let b = FloatBuffer(count: D)
        return withExtendedLifetime(b) {
            clTextProj.apply(tCls, rows: 1, into: b.base)
            let dot = vd_dot(vStar, b.base, D)
            let na = vd_dot(vStar, vStar, D).squareRoot(), nb = vd_dot(b.base, b.base, D).squareRoot()
            return dot / (Swift.max(na, Self.clEps) * Swift.max(nb, Self.clEps))
        }
    }

    /// SPEC 7's match score: log_softmax(vtm_logits)[1].
    static func matchScore(_ vtmLogits: [Float]) -> Float {
        let (a, b) = (Double(vtmLogits[0]), Double(vtmLogits[1]))
        let m = Swift.max(a, b)
        return Float(b - (m + log(exp(a - m) + exp(b - m))))
    }
}
