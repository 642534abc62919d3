"""PyTorch reference against ONNX Runtime's fixture outputs and against naive SPEC loops (needs torch)."""

import math
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from vdref.spec_names import spec_tensors
from vdref.testing import tolerance

# Every test here takes conftest's `torch` fixture (skips without torch); vdref.model is imported inside the tests
# because it imports torch, and collecting the suite must not (test_collection.py).


def load_from_onnx(fixture):
    import torch
    from vdref.model import VideoDistill
    cfg, answers = fixture.json("config"), fixture.json("answers")
    model = VideoDistill(cfg, answers).eval()
    state = {}
    for file in ("frame_encoder.onnx", "answerer.onnx"):
        for init in onnx.load(fixture.path(file)).graph.initializer:
            state[init.name] = torch.from_numpy(numpy_helper.to_array(init).copy())
    model.load_state_dict(state, strict=True)
    return model


def test_state_dict_is_spec_10(torch):
    from vdref.config import PAPER
    from vdref.model import VideoDistill
    cfg = dict(PAPER, vision_layers=1, text_layers=1, fs_layers=2, vr_layers=1)
    with torch.device("meta"):
        model = VideoDistill(cfg, ["a"] * 3)
    got = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert got == spec_tensors(cfg, 3)


def test_torch_matches_onnx_runtime(torch, fixture):
    model = load_from_onnx(fixture)
    with torch.no_grad():
        tokens = model.encode_frames(torch.from_numpy(fixture.npy("pixels"))).numpy()
        ref_tokens = fixture.npy("tokens")
        assert np.abs(tokens - ref_tokens).max() <= tolerance(ref_tokens)
        ids = torch.from_numpy(fixture.npy("token_ids"))
        Q = ids.shape[0]
        out = model.answer(torch.from_numpy(ref_tokens).expand(Q, *ref_tokens.shape), model.encode_text(ids))
    logits = fixture.npy("selection_logits")
    exempt = fixture.npy("selection_gap") < 2e-4 * max(1.0, np.abs(logits).max())
    assert not exempt.any()  # fixtures are chosen without near-ties
    for key, value in out.items():
        ref = fixture.npy(key)
        got = value.numpy()
        if key == "selected":
            assert (got == ref).all()
        else:
            assert np.abs(got - ref).max() <= tolerance(ref), key
    assert (out["qa_logits"].argmax(-1).numpy() == fixture.npy("qa_logits").argmax(-1)).all()


def naive_var_attention(x, module, K, P, mode):
    """SPEC 6 by the letter, one query at a time in float64."""
    import torch
    x = x.double()[0]
    T, D = x.shape
    H, d = module.H, D // module.H
    qkv = x @ module.qkv.weight.double().T + module.qkv.bias.double()
    q, k, v = qkv[:, :D], qkv[:, D:2 * D], qkv[:, 2 * D:]
    out = torch.zeros(T, D, dtype=torch.float64)

    def group(i):  # token index -> keys it attends to
        if i == 0:
            return list(range(T))
        kk, p = divmod(i - 1, P)
        if mode == "space":
            return [0] + [1 + kk * P + j for j in range(P)]
        return [0] + [1 + j * P + p for j in range(K)]

    for i in range(T):
        keys = group(i)
        for h in range(H):
            sl = slice(h * d, (h + 1) * d)
            s = torch.stack([q[i, sl] @ k[j, sl] for j in keys]) / math.sqrt(d)
            w = torch.softmax(s, 0)
            out[i, sl] = sum(w[n] * v[j, sl] for n, j in enumerate(keys))
    return out @ module.proj.weight.double().T + module.proj.bias.double()


@pytest.mark.parametrize("mode", ["space", "time"])
def test_var_attention_against_naive_loops(torch, mode):
    from vdref.model import VarAttention
    torch.manual_seed(0)
    K, P, D, H = 3, 5, 12, 3
    module = VarAttention(D, H, mode)
    x = torch.randn(1, 1 + K * P, D)
    with torch.no_grad():
        got = module(x, K, P)[0].double()
        ref = naive_var_attention(x, module, K, P, mode)
    assert (got - ref).abs().max() < 1e-5


def test_la_gate_against_naive_loops(torch):
    from vdref.model import LAGate
    torch.manual_seed(1)
    D, Dt, H, m = 12, 7, 4, 5
    gate = LAGate(D, Dt, H)
    v, t = torch.randn(1, m, D), torch.randn(1, Dt)
    v[0, 2] = 0.0
    with torch.no_grad():
        gate.q.bias.zero_()  # token 2's query is exactly zero: g must be 0
        out, g = gate(v, t)
        key = gate.k(t)[0].double()
        d = D // H
        ref_g = torch.zeros(m, H, dtype=torch.float64)
        mixed = torch.zeros(m, D, dtype=torch.float64)
        for i in range(m):
            qi = gate.q(v[0, i]).double()
            vi = gate.v(v[0, i]).double()
            for h in range(H):
                sl = slice(h * d, (h + 1) * d)
                ref_g[i, h] = (qi[sl] @ key[sl]) / (max(qi[sl].norm(), 1e-6) * max(key[sl].norm(), 1e-6))
                mixed[i, sl] = ref_g[i, h] * vi[sl]
        ref_out = mixed @ gate.o.weight.double().T + gate.o.bias.double()
    assert (g[0].double() - ref_g).abs().max() < 1e-6
    assert (g[0, 2] == 0).all()
    assert (out[0].double() - ref_out).abs().max() < 1e-5


def test_text_encoder_uses_first_eot_and_ignores_padding(torch, fixture):
    model = load_from_onnx(fixture)
    ids = torch.from_numpy(fixture.npy("token_ids")[:1].copy())
    eot = int((ids[0] == 49407).nonzero()[0])
    changed = ids.clone()
    changed[0, eot + 1:] = 49407  # more EOTs after the first: padding must not matter
    with torch.no_grad():
        assert torch.equal(model.encode_text(ids), model.encode_text(changed))


def test_gumbel_selection_is_straight_through(torch, fixture):
    model = load_from_onnx(fixture).train()
    model.gumbel_tau = 0.5
    tokens = torch.from_numpy(fixture.npy("tokens"))[None]
    t = model.encode_text(torch.from_numpy(fixture.npy("token_ids")[:1]))
    torch.manual_seed(0)
    out = model.answer(tokens, t)
    out["v_star"].sum().backward()
    assert model.fs.select.weight.grad is not None and model.fs.select.weight.grad.abs().sum() > 0
    with torch.no_grad():  # forward value = the gather of the sampled indices
        model.eval()
        chosen = tokens[0, out["selected"][0], 1:]
        v_star, _ = model.vr(model.input_proj(chosen)[None], t)
    assert torch.allclose(out["v_star"], v_star, atol=1e-5)


@pytest.mark.skipif(not os.environ.get("VD_SLOW_TESTS"), reason="set VD_SLOW_TESTS=1 (about 1 minute)")
def test_fixture_regeneration_is_byte_identical(torch, tmp_path, fixture):
    script = os.path.join(os.path.dirname(__file__), "..", "make_fixtures.py")
    subprocess.run([sys.executable, script, str(tmp_path)], check=True, capture_output=True)
    for name in sorted(os.listdir(fixture.dir)):
        with open(os.path.join(fixture.dir, name), "rb") as a, open(tmp_path / fixture.name / name, "rb") as b:
            assert a.read() == b.read(), name
