"""SPEC 8's int8 scheme, simulated in PyTorch: what the runtime computes with `--type int8` model files.

- Weights: symmetric per output channel (one fp32 scale per row of a Linear weight [out, in], per output channel
  of the patch convolution [Dv, 3, p, p]): scale = max|w_row| / 127, q = round-half-even(w / scale) in
  [-127, 127]; a zero row gets scale 0.
- Activations: the input of every int8 Linear is quantized per token (row) at run time the same way
  (`vd_quantize_rows_int8`), the products are exact integers, the output is dequantized to fp32 and the bias added.
  On CPUs without VNNI with VD_INT8_NARROW=1 the runtime quantizes activations to [-64, 64] instead (its "avx2"
  int8 path; the binding's `videodistill.compute_info()["int8_activation_max"]`):
  `quantize_model(..., activation_qmax=64)`.
- LayerNorm, softmax, GELU, the gate cosine and the attention products stay fp32.

`quantize_model(model, names)` turns a float model into that simulation in place: each named weight is replaced
by its dequantized int8 value and the input of its layer by its per-token fake-quantized value. Which SPEC 10
weights a policy quantizes (`int8_names`, the groups, the converter's default) is vdref.int8_policy, which needs
no torch; its names are re-exported here.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .int8_policy import DEFAULT_KEEP_F32, FAST_KEEP_F32, GROUPS, int8_names, linear_weights  # noqa: F401

QMAX = 127


def quantize_rows(w):
    """Symmetric per-row int8: (q int8 [rows, cols], scale float32 [rows]). w: [rows, ...] (flattened per row)."""
    w2 = w.detach().reshape(w.shape[0], -1).float()
    scale = w2.abs().amax(dim=1) / QMAX
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w2 / safe[:, None]).clamp(-QMAX, QMAX)  # torch.round is half-to-even
    q = torch.where(scale[:, None] > 0, q, torch.zeros_like(q))
    return q.to(torch.int8).reshape(w.shape), scale


def dequantize_rows(q, scale):
    return (q.float().reshape(q.shape[0], -1) * scale[:, None]).reshape(q.shape)


def fake_quant_tokens(x, qmax=QMAX):
    """x [..., k] -> the per-row (token) int8 round trip of x, as `vd_quantize_rows_int8_max` (qmax) then
    dequantization."""
    scale = x.abs().amax(dim=-1, keepdim=True) / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(x / safe).clamp(-qmax, qmax)
    return torch.where(scale > 0, q * scale, torch.zeros_like(x))


# ---------------------------------------------------------------------------------------------------------------
# The simulation


def _token_hook(qmax):
    return lambda module, args: (fake_quant_tokens(args[0], qmax),) + tuple(args[1:])


def _patch_hook(qmax):
    return lambda module, args: _quantized_patches(module, args, qmax)


def _quantized_patches(module, args, qmax):
    """conv1's input: quantize each patch (3 x p x p values, one GEMM row in the runtime) as one token."""
    x = args[0]
    Fr, C, S, _ = x.shape
    p = module.kernel_size[0]
    n = S // p
    patches = x.reshape(Fr, C, n, p, n, p).permute(0, 2, 4, 1, 3, 5).reshape(Fr, n, n, C * p * p)
    patches = fake_quant_tokens(patches, qmax)
    return (patches.reshape(Fr, n, n, C, p, p).permute(0, 3, 1, 4, 2, 5).reshape(Fr, C, S, S),)


@torch.no_grad()
def quantize_model(model, names, weights=True, activations=True, activation_qmax=QMAX):
    """Replaces each named weight by its int8 round trip and quantizes its layer's input per token (in place) to
    [-activation_qmax, activation_qmax]. `weights` / `activations` False leave that side in float (to measure each
    side's share of the error). Returns the handles of the hooks (remove them to undo the activation part)."""
    names = set(names)
    params = dict(model.named_parameters())
    missing = names - set(params)
    if missing:
        raise KeyError(f"no such parameters: {sorted(missing)[:5]}")
    handles = []
    modules = dict(model.named_modules())
    for name in sorted(names):
        p = params[name]
        if weights:
            q, s = quantize_rows(p)
            p.copy_(dequantize_rows(q, s).to(p.dtype))
        owner, leaf = name.rsplit(".", 1)
        if not activations:
            continue
        m = modules[owner]
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_pre_hook(_patch_hook(activation_qmax)))
        elif isinstance(m, nn.Linear) or leaf == "in_proj_weight":
            # CLIPAttention's only use of its input is in_proj, so quantizing the module's input is the same.
            handles.append(m.register_forward_pre_hook(_token_hook(activation_qmax)))
        else:
            raise ValueError(f"{name} is not the weight of a Linear or the patch convolution")
    return handles


def fake_quant_linear(x, w, b):
    """One int8 Linear in float arithmetic (for tests): dequant(quant_rows(x) . quant_rows(W)^T) + b."""
    q, s = quantize_rows(w)
    return F.linear(fake_quant_tokens(x), dequantize_rows(q, s), b)
