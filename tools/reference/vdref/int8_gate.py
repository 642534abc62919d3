"""SPEC 8's int8 gate as numbers (no torch): `gate(ref, test)` compares the outputs of an fp32 and an int8 run
((video, question) pairs: selection logits, selected frames, v_star, QA logits), whoever computed them: the
simulation (shapesqa.int8_eval.run) or the runtime (shapesqa.int8_runtime.runtime_run). Used by
shapesqa.int8_eval and the tests.
"""

import numpy as np

GAP = 1e-2          # SPEC 8: selection / answer flips are allowed only below this fp32 top-2 gap
MIN_COS = 0.99      # SPEC 8: cos(v_star int8, v_star fp32) where the selection is equal
MIN_AGREE = 0.99    # SPEC 8: top-1 agreement over >= 1000 pairs of a trained model


def top2_gap(x, axis):
    s = -np.sort(-x, axis=axis)
    return np.take(s, 0, axis=axis) - np.take(s, 1, axis=axis)


def gate(ref, test):
    """SPEC 8's int8 figures of test against ref (arrays of shapesqa.int8_runtime.runtime_run or shapesqa.int8_eval.run)."""
    sel_gap = top2_gap(ref["selection_logits"], axis=1)  # [B, K]
    flips = ref["selected"] != test["selected"]
    same = ~flips.any(axis=1)
    a, b = ref["v_star"], test["v_star"]
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    r = dict(pairs=len(cos), slots=flips.size, flips=int(flips.sum()), bad_flips=int((flips & (sel_gap >= GAP)).sum()),
             flip_gaps=sorted(float(g) for g in sel_gap[flips]),
             min_cos_same=float(cos[same].min()) if same.any() else float("nan"),
             min_cos_all=float(cos.min()),
             logit_err_max=float(np.abs(ref["selection_logits"] - test["selection_logits"]).max()),
             logit_err_p99=float(np.quantile(np.abs(ref["selection_logits"] - test["selection_logits"]), 0.99)),
             logit_scale=float(np.abs(ref["selection_logits"]).max()),
             # v_cls is not an output of the runtime's binding: the simulation alone reports its error.
             v_cls_rel=float((np.linalg.norm(ref["v_cls"] - test["v_cls"], axis=-1)
                              / np.linalg.norm(ref["v_cls"], axis=-1)).mean()) if "v_cls" in ref else float("nan"))
    if "qa_logits" in ref:
        qa_gap = top2_gap(ref["qa_logits"], axis=1)
        dis = ref["qa_logits"].argmax(1) != test["qa_logits"].argmax(1)
        r.update(top1_agree=1 - float(dis.mean()), top1_disagree=int(dis.sum()),
                 bad_top1=int((dis & (qa_gap >= GAP)).sum()),
                 top1_gaps=sorted(float(g) for g in qa_gap[dis]),
                 qa_err_max=float(np.abs(ref["qa_logits"] - test["qa_logits"]).max()))
    r["passes_fixture_rules"] = (r["bad_flips"] == 0 and not (r["min_cos_same"] < MIN_COS)
                                 and r.get("bad_top1", 0) == 0)
    r["passes_trained_rules"] = (r["bad_flips"] == 0 and not (r["min_cos_same"] < MIN_COS)
                                 and r.get("top1_agree", 1) >= MIN_AGREE)
    return r

