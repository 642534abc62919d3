"""This project's runtime on a model file, for SPEC 8's int8 gate (vdref.int8_gate): the outputs of (video,
question) pairs through the Python binding (`videodistill`, Sources/python), as arrays. No torch. Used by
shapesqa.int8_eval --runtime and the reference suite's test_int8_runtime.py. It lives here, not in the reference
(vdref), because the reference must not import the product it judges.
"""

import numpy as np


def runtime_run(path, pixels, questions, threads):
    """Our runtime on a model file: the arrays of shapesqa.int8_eval.run, from the Python binding."""
    import videodistill
    m = videodistill.Model(path, threads=threads)
    out = {}
    for v in range(pixels.shape[0]):
        video = m.encode_pixels(pixels[v])
        for q in questions:
            a = m.answer(video, q, top_k=1)
            for k, val in (("selection_logits", a.selection_logits), ("selected", a.selected_frames),
                           ("v_star", a.v_star), ("qa_logits", a.logits)):
                out.setdefault(k, []).append(np.asarray(val, dtype=np.int64 if k == "selected" else np.float64))
    return {k: np.stack(v) for k, v in out.items()}
