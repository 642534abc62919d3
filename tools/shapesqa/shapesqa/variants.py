"""Table 4's variants on ShapesQA: the SPEC model (videodistill) and the ablations that only the reference trains
and evaluates (not SPEC models, never exported):

- uniform: the K evenly spaced frames (the runtime's n = (2k+1)N div 2K), no frame sampler;
- soft: each slot a softmax-weighted mix of the N frames (softmax over n of the selection logits), trained and
  evaluated as such, instead of one frame per slot;
- no-vr: the v_cls of the selected frames only (mean over the slots after input_proj, then vr.norm) instead of VR
  over their patches;
- cross-attn: every LA-Gate (FS and VR) replaced by cross-attention from the visual tokens to the question's
  tokens (the text tower's outputs up to the first EOT, after ln_final and text_projection), softmax over them.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from videodistill import uniform_selection  # the runtime's (vd_frame_indices)
from vdref.model import EOT_ID

VARIANTS = ("videodistill", "uniform", "soft", "no-vr", "cross-attn")


class CrossAttention(nn.Module):
    """In place of an LA-Gate: (visual tokens [B, m, D] normed, (text [B, L, Dt], mask [B, L])) -> (out [B, m, D],
    zeros [B, m, H] where the gate map would be)."""

    def __init__(self, D, Dt, H):
        super().__init__()
        self.H = H
        self.q, self.k, self.v, self.o = nn.Linear(D, D), nn.Linear(Dt, D), nn.Linear(Dt, D), nn.Linear(D, D)

    def forward(self, x, text):
        feats, mask = text
        B, m, D = x.shape
        H, d, L = self.H, D // self.H, feats.shape[1]
        q = self.q(x).view(B, m, H, d).transpose(1, 2)
        k = self.k(feats).view(B, L, H, d).transpose(1, 2)
        v = self.v(feats).view(B, L, H, d).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, m, D)
        return self.o(out), x.new_zeros(B, m, H)


def use_cross_attention(model):
    """Swap every FS and VR block's LA-Gate for CrossAttention (before the training initialisation)."""
    D, Dt, H = model.cfg["model_dim"], model.cfg["text_embed_dim"], model.cfg["model_heads"]
    for block in list(model.fs.blocks) + list(model.vr.blocks):
        block.gate = CrossAttention(D, Dt, H)
    return model


def encode_question(model, ids, variant):
    """What the blocks' text input is: t_cls [B, Dt], or for cross-attn (tokens [B, L, Dt], mask [B, L])."""
    if variant != "cross-attn":
        return model.encode_text(ids)
    clip = model.clip
    x = clip.ln_final(clip.transformer(clip.token_embedding(ids) + clip.positional_embedding, causal=True))
    eot = (ids == EOT_ID).int().argmax(dim=-1)
    mask = torch.arange(ids.shape[1])[None, :] <= eot[:, None]
    return x @ clip.text_projection, mask


def repeat(text, times):
    """The text input repeated `times` times along the batch (a tensor or a tuple of tensors)."""
    if isinstance(text, tuple):
        return tuple(repeat(t, times) for t in text)
    return text.unsqueeze(0).expand(times, *text.shape).reshape(times * text.shape[0], *text.shape[1:])


def refine(model, tokens, text, sel=None, weights=None, variant="videodistill"):
    """v_star [B, D] from the frames of `sel` [B, K] (gathered, slot order kept) or the mixes `weights` [B, N, K]
    (soft sampling); no-vr: from the selected frames' v_cls only."""
    part = tokens[:, :, :1] if variant == "no-vr" else tokens[:, :, 1:]
    if weights is not None:
        chosen = torch.einsum("bnk,bnpd->bkpd", weights, part)
    else:
        chosen = part[torch.arange(len(sel))[:, None], sel]  # [B, K, P or 1, Dv]
    if variant == "no-vr":
        return model.vr.norm(model.input_proj(chosen[:, :, 0]).mean(1))
    return model.vr(model.input_proj(chosen), text)[0]


def selection_logits(model, tokens, text):
    return model.fs(model.input_proj(tokens[:, :, 0]), text)[0]  # [B, N, K]


def variant_answer(model, tokens, text, variant):
    """Evaluation (deterministic): (QA logits [B, A], selected [B, K]) of a variant."""
    if variant == "videodistill":
        out = model.answer(tokens, text)
        return out["qa_logits"], out["selected"]
    N, K = model.cfg["num_frames"], model.cfg["num_selected"]
    if variant == "uniform":
        sel = torch.as_tensor(uniform_selection(N, K)).expand(len(tokens), K)
        return model.heads.qa(refine(model, tokens, text, sel)), sel
    logits = selection_logits(model, tokens, text)
    if variant == "soft":
        v_star = refine(model, tokens, text, weights=logits.softmax(1))
    else:
        v_star = refine(model, tokens, text, logits.argmax(1), variant=variant)
    return model.heads.qa(v_star), logits.argmax(1)


def draws(model, tokens, text, samples, variant="videodistill"):
    """The frame sampler as a policy: `samples` selections drawn per question, each slot from the softmax over the
    N frames of its logits (the distribution the straight-through Gumbel-softmax's forward draws from too), and VR
    on each draw. Returns (log-probability of each draw [S, B], v_star [S, B, D]); uniform and soft, which draw
    nothing, give (None, v_star [1, B, D]). Only the first draw carries the answerer's gradient."""
    N, K = model.cfg["num_frames"], model.cfg["num_selected"]
    B = len(tokens)
    if variant == "uniform":
        sel = torch.as_tensor(uniform_selection(N, K)).expand(B, K)
        return None, refine(model, tokens, text, sel)[None]
    logits = selection_logits(model, tokens, text)
    if variant == "soft":
        return None, refine(model, tokens, text, weights=logits.softmax(1))[None]
    with torch.no_grad():
        sel = torch.distributions.Categorical(logits=logits.transpose(1, 2)).sample((samples,))  # [S, B, K]
    logp = F.log_softmax(logits, dim=1).unsqueeze(0).expand(samples, B, N, K)
    logp_sel = logp.gather(2, sel.unsqueeze(2)).squeeze(2).sum(-1)  # [S, B]
    first = refine(model, tokens, text, sel[0], variant=variant)
    if samples == 1:
        return logp_sel, first[None]
    # The other draws only price their selections (the policy gradient needs their losses, not their
    # gradients): without autograd they cost about a third of the first.
    with torch.no_grad():
        rest = refine(model, repeat(tokens, samples - 1), repeat(text, samples - 1),
                      sel[1:].reshape((samples - 1) * B, K), variant=variant)
    return logp_sel, torch.cat([first[None], rest.view(samples - 1, B, -1)])
