"""VideoDistill in PyTorch, exactly as ../../shared/SPEC.md sections 1-7 define it.

Every size comes from the config dict (SPEC 11 keys); state-dict names are SPEC 10's. Shapes in comments use the
SPEC letters: B batch, N frames, K selected, P patches per frame, T tokens, D model width, H heads, d = D/H.
"""

import math
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import patches, validate

EOT_ID = 49407


# ---------------------------------------------------------------------------------------------------------------
# CLIP towers (SPEC 2), OpenAI names


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class CLIPAttention(nn.Module):
    """nn.MultiheadAttention's parameter layout (in_proj q;k;v, out_proj), written out so export keeps names."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * width))
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, causal):  # x [B, T, W]
        B, T, W = x.shape
        H, d = self.heads, W // self.heads
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).split(W, dim=-1)
        q, k, v = (y.reshape(B, T, H, d).transpose(1, 2) for y in (q, k, v))  # [B, H, T, d]
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)  # [B, H, T, T]
        if causal:  # query i attends to keys 0..i
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        y = scores.softmax(dim=-1) @ v  # [B, H, T, d]
        return self.out_proj(y.transpose(1, 2).reshape(B, T, W))


class CLIPResidualBlock(nn.Module):
    def __init__(self, width, heads, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=eps)
        self.attn = CLIPAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width, eps=eps)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, 4 * width)), ("gelu", QuickGELU()), ("c_proj", nn.Linear(4 * width, width)),
        ]))

    def forward(self, x, causal=False):
        x = x + self.attn(self.ln_1(x), causal)
        return x + self.mlp(self.ln_2(x))


class CLIPTransformer(nn.Module):
    def __init__(self, width, layers, heads, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([CLIPResidualBlock(width, heads, eps) for _ in range(layers)])

    def forward(self, x, causal=False):
        for block in self.resblocks:
            x = block(x, causal)
        return x


class VisionTransformer(nn.Module):
    """SPEC 2.1: pixels [F, 3, S, S] -> tokens [F, 1+P, Dv]; ln_post on every token, no proj."""

    def __init__(self, cfg):
        super().__init__()
        Dv, p, eps = cfg["vision_width"], cfg["patch_size"], cfg["clip_ln_eps"]
        self.conv1 = nn.Conv2d(3, Dv, kernel_size=p, stride=p, bias=False)
        self.class_embedding = nn.Parameter(torch.empty(Dv))
        self.positional_embedding = nn.Parameter(torch.empty(1 + patches(cfg), Dv))
        self.ln_pre = nn.LayerNorm(Dv, eps=eps)
        self.transformer = CLIPTransformer(Dv, cfg["vision_layers"], cfg["vision_heads"], eps)
        self.ln_post = nn.LayerNorm(Dv, eps=eps)

    def forward(self, pixels):
        x = self.conv1(pixels)  # [F, Dv, S/p, S/p]
        x = x.flatten(2).transpose(1, 2)  # [F, P, Dv], patches row-major
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x))
        return self.ln_post(x)


class CLIP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        Dtw, eps = cfg["text_width"], cfg["clip_ln_eps"]
        self.visual = VisionTransformer(cfg)
        self.token_embedding = nn.Embedding(cfg["vocab_size"], Dtw)
        self.positional_embedding = nn.Parameter(torch.empty(cfg["context_length"], Dtw))
        self.transformer = CLIPTransformer(Dtw, cfg["text_layers"], cfg["text_heads"], eps)
        self.ln_final = nn.LayerNorm(Dtw, eps=eps)
        self.text_projection = nn.Parameter(torch.empty(Dtw, cfg["text_embed_dim"]))

    def encode_text(self, ids):  # ids [B, context_length] int64 -> t_cls [B, Dt]
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.ln_final(self.transformer(x, causal=True))
        eot = (ids == EOT_ID).int().argmax(dim=-1)  # first EOT
        x = x[torch.arange(x.shape[0]), eot]
        return x @ self.text_projection


# ---------------------------------------------------------------------------------------------------------------
# VideoDistill's own parts (SPEC 3-7)


class LAGate(nn.Module):
    """SPEC 3: one cosine per token per head between the token's query and the text key; no softmax."""

    def __init__(self, D, Dt, H):
        super().__init__()
        self.H = H
        self.q, self.k, self.v, self.o = nn.Linear(D, D), nn.Linear(Dt, D), nn.Linear(D, D), nn.Linear(D, D)

    def forward(self, v, t):  # v [B, m, D] (layer-normed), t [B, Dt] -> out [B, m, D], g [B, m, H]
        B, m, D = v.shape
        H, d = self.H, D // self.H
        key = self.k(t).reshape(B, 1, H, d)
        q = self.q(v).reshape(B, m, H, d)
        val = self.v(v).reshape(B, m, H, d)
        qn = q.square().sum(-1).sqrt().clamp_min(1e-6)
        kn = key.square().sum(-1).sqrt().clamp_min(1e-6)
        g = (q * key).sum(-1) / (qn * kn)
        return self.o((g.unsqueeze(-1) * val).reshape(B, m, D)), g


class Mlp(nn.Module):
    def __init__(self, D):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact (erf) GELU


def _heads(x, H):  # [B, T, 3D] -> q, k, v each [B, H, T, d]
    B, T, D3 = x.shape
    d = D3 // 3 // H
    return (y.reshape(B, T, H, d).transpose(1, 2) for y in x.split(D3 // 3, dim=-1))


class Attention(nn.Module):
    """Full self-attention with a fused qkv (FS-Blocks)."""

    def __init__(self, D, H):
        super().__init__()
        self.H = H
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)

    def forward(self, x):  # [B, T, D]
        B, T, D = x.shape
        q, k, v = _heads(self.qkv(x), self.H)
        y = (q @ k.transpose(-1, -2) / math.sqrt(D // self.H)).softmax(-1) @ v
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class VarAttention(nn.Module):
    """FrozenInTime's VarAttention (SPEC 6) over tokens [cls; K*P frame-major patches].

    The cls query attends to all 1+K*P tokens; every other query attends to the cls token plus its own group.
    Groups: 'space' = the P patches of one slot k; 'time' = the K tokens of one patch position p.
    """

    def __init__(self, D, H, mode):
        super().__init__()
        self.H, self.mode = H, mode
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)

    def forward(self, x, K, P):  # [B, 1+K*P, D]
        B, T, D = x.shape
        H, d = self.H, D // self.H
        q, k, v = _heads(self.qkv(x), H)  # [B, H, T, d]
        scale = 1.0 / math.sqrt(d)
        cls_out = ((q[:, :, :1] @ k.transpose(-1, -2)) * scale).softmax(-1) @ v  # [B, H, 1, d]

        def groups(y):  # [B, H, K*P, d] -> [B, H, G, n, d]
            y = y.reshape(B, H, K, P, d)
            return y if self.mode == "space" else y.transpose(2, 3)

        qg, kg, vg = groups(q[:, :, 1:]), groups(k[:, :, 1:]), groups(v[:, :, 1:])
        G = qg.shape[2]
        kg = torch.cat([k[:, :, :1, None].expand(B, H, G, 1, d), kg], dim=3)  # [B, H, G, 1+n, d]
        vg = torch.cat([v[:, :, :1, None].expand(B, H, G, 1, d), vg], dim=3)
        out = ((qg @ kg.transpose(-1, -2)) * scale).softmax(-1) @ vg  # [B, H, G, n, d]
        if self.mode == "time":
            out = out.transpose(2, 3)
        out = torch.cat([cls_out, out.reshape(B, H, K * P, d)], dim=2)  # [B, H, T, d]
        return self.proj(out.transpose(1, 2).reshape(B, T, D))


class FrameSamplingBlock(nn.Module):
    """SPEC 4: FrozenInTime's divided skip with the LA-Gate as first branch."""

    def __init__(self, D, Dt, H, eps):
        super().__init__()
        self.norm_g, self.norm_a, self.norm_m = (nn.LayerNorm(D, eps=eps) for _ in range(3))
        self.gate = LAGate(D, Dt, H)
        self.attn = Attention(D, H)
        self.mlp = Mlp(D)

    def forward(self, x, t):
        gated, g = self.gate(self.norm_g(x), t)
        h = x + gated
        x = x + self.attn(self.norm_a(h))  # residual from x, not from h
        x = x + self.mlp(self.norm_m(x))
        return x, g


class VisionRefinementBlock(nn.Module):
    """SPEC 6: LA-Gate, then FrozenInTime's space-time layer."""

    def __init__(self, D, Dt, H, eps):
        super().__init__()
        self.norm_g, self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(D, eps=eps) for _ in range(4))
        self.gate = LAGate(D, Dt, H)
        self.timeattn = VarAttention(D, H, "time")
        self.attn = VarAttention(D, H, "space")
        self.mlp = Mlp(D)

    def forward(self, x, t, K, P):
        gated, g = self.gate(self.norm_g(x), t)
        x = x + gated
        t_ = x + self.timeattn(self.norm3(x), K, P)
        s = x + self.attn(self.norm1(t_), K, P)  # residual from x
        x = s + self.mlp(self.norm2(s))
        return x, g


class FrameSampler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D, Dt, H, eps = cfg["model_dim"], cfg["text_embed_dim"], cfg["model_heads"], cfg["ln_eps"]
        self.temporal_embed = nn.Parameter(torch.empty(cfg["num_frames"], D))
        self.blocks = nn.ModuleList([FrameSamplingBlock(D, Dt, H, eps) for _ in range(cfg["fs_layers"])])
        self.norm = nn.LayerNorm(D, eps=eps)
        self.select = nn.Linear(D, cfg["num_selected"])

    def forward(self, x, t):  # x [B, N, D] -> logits [B, N, K], gates [B, L_fs, N, H]
        x = x + self.temporal_embed
        gates = []
        for block in self.blocks:
            x, g = block(x, t)
            gates.append(g)
        return self.select(self.norm(x)), torch.stack(gates, dim=1)


class VisionRefiner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D, Dt, H, eps = cfg["model_dim"], cfg["text_embed_dim"], cfg["model_heads"], cfg["ln_eps"]
        self.cls_token = nn.Parameter(torch.empty(D))
        self.pos_embed = nn.Parameter(torch.empty(1 + patches(cfg), D))
        self.temporal_embed = nn.Parameter(torch.empty(cfg["num_selected"], D))
        self.blocks = nn.ModuleList([VisionRefinementBlock(D, Dt, H, eps) for _ in range(cfg["vr_layers"])])
        self.norm = nn.LayerNorm(D, eps=eps)

    def forward(self, y, t):  # y [B, K, P, D] selected patches after input_proj -> v_star [B, D], gates
        B, K, P, D = y.shape
        y = y + self.pos_embed[1:] + self.temporal_embed[:, None]  # slot k gets temporal_embed[k]
        cls = (self.cls_token + self.pos_embed[0]).expand(B, 1, D)
        x = torch.cat([cls, y.reshape(B, K * P, D)], dim=1)
        gates = []
        for block in self.blocks:
            x, g = block(x, t, K, P)
            gates.append(g)
        return self.norm(x)[:, 0], torch.stack(gates, dim=1)


class QAHead(nn.Module):
    def __init__(self, D, D_qa, A):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(D, D_qa), nn.Linear(D_qa, A)

    def forward(self, v):
        return self.fc2(F.gelu(self.fc1(v)))


class Heads(nn.Module):
    def __init__(self, cfg, num_answers, heads):
        super().__init__()
        D = cfg["model_dim"]
        if "qa" in heads:
            self.qa = QAHead(D, cfg["qa_hidden"], num_answers)
        if "vtm" in heads:
            self.vtm = nn.Linear(D, 2)
        if "cl" in heads:
            self.cl_text_proj = nn.Linear(cfg["text_embed_dim"], D)


def cl_similarity(a, b):
    """SPEC 7's CL cosine with its 1e-8 clamp (a constant, not a config value)."""
    na = a.square().sum(-1).sqrt().clamp_min(1e-8)
    nb = b.square().sum(-1).sqrt().clamp_min(1e-8)
    return (a * b).sum(-1) / (na * nb)


class VideoDistill(nn.Module):
    def __init__(self, cfg, answers=(), heads=("qa", "vtm", "cl")):
        super().__init__()
        self.cfg = validate(dict(cfg))
        self.answers = list(answers)
        self.head_names = tuple(h for h in ("qa", "vtm", "cl") if h in heads)
        if "qa" in self.head_names and not self.answers:
            raise ValueError("a QA head needs a non-empty answer list")
        self.clip = CLIP(cfg)
        self.input_proj = nn.Linear(cfg["vision_width"], cfg["model_dim"])
        self.fs = FrameSampler(cfg)
        self.vr = VisionRefiner(cfg)
        self.heads = Heads(cfg, len(self.answers), self.head_names)
        self.gumbel_tau = 1.0

    # -- pieces usable on their own ------------------------------------------------------------------------------

    def encode_frames(self, pixels):  # [F, 3, S, S] -> tokens [F, 1+P, Dv]
        return self.clip.visual(pixels)

    def encode_text(self, ids):  # [B, context_length] -> t_cls [B, Dt]
        return self.clip.encode_text(ids)

    def select(self, logits):
        """SPEC 5 at inference (argmax over N, first index on ties); straight-through Gumbel-softmax in training.

        Returns (one_hot [B, N, K] or None, selected [B, K])."""
        if self.training:
            one_hot = F.gumbel_softmax(logits, tau=self.gumbel_tau, hard=True, dim=1)
            return one_hot, one_hot.argmax(dim=1)
        return None, logits.argmax(dim=1)

    def answer(self, tokens, t_cls):
        """tokens [B, N, 1+P, Dv], t_cls [B, Dt] -> dict of every answerer output (batched)."""
        v_cls, v_patch = tokens[:, :, 0], tokens[:, :, 1:]
        logits, fs_gates = self.fs(self.input_proj(v_cls), t_cls)  # [B, N, K]
        one_hot, selected = self.select(logits)
        if one_hot is None:  # gather by index, slot order kept, duplicates allowed
            B, N, P, Dv = v_patch.shape
            index = selected[:, :, None, None].expand(B, selected.shape[1], P, Dv)
            chosen = torch.gather(v_patch, 1, index)  # [B, K, P, Dv]
        else:  # straight-through: forward value equals the gather, gradient reaches the logits
            chosen = torch.einsum("bnk,bnpd->bkpd", one_hot, v_patch)
        v_star, vr_gates = self.vr(self.input_proj(chosen), t_cls)
        out = dict(selection_logits=logits, selected=selected, v_star=v_star, fs_gates=fs_gates,
                   vr_gates=vr_gates, t_cls=t_cls)
        if "qa" in self.head_names:
            out["qa_logits"] = self.heads.qa(v_star)
        if "vtm" in self.head_names:
            out["vtm_logits"] = self.heads.vtm(v_star)
        if "cl" in self.head_names:
            out["cl_sim"] = cl_similarity(v_star, self.heads.cl_text_proj(t_cls))
        return out

    def forward(self, pixels, ids):
        """One video's N preprocessed frames [N, 3, S, S] and question ids [B, ctx] -> batched outputs."""
        tokens = self.encode_frames(pixels)
        t = self.encode_text(ids)
        return self.answer(tokens.expand(ids.shape[0], *tokens.shape), t)


def match_score(vtm_logits):
    """SPEC 7: VTM match score = log_softmax(logits)[1]."""
    return torch.log_softmax(vtm_logits, dim=-1)[..., 1]


# ---------------------------------------------------------------------------------------------------------------
# Random initialisation that exercises every path (seeded)


@torch.no_grad()
def init_random(model, seed):
    """Deterministic random weights with non-trivial statistics: LayerNorm gains away from 1, non-zero biases,
    embeddings large enough that frames, slots and questions differ."""
    g = torch.Generator().manual_seed(seed)

    def randn(shape):
        return torch.randn(shape, generator=g)

    for name, p in model.named_parameters():
        leaf = name.rsplit(".", 1)[-1]
        is_norm = any(s in name for s in ("ln_", "norm", "ln_final", "ln_pre", "ln_post"))
        if is_norm and leaf == "weight":
            p.copy_(1.0 + 0.2 * randn(p.shape))
        elif is_norm and leaf == "bias":
            p.copy_(0.1 * randn(p.shape))
        elif leaf in ("bias", "in_proj_bias"):
            p.copy_(0.1 * randn(p.shape))
        elif name.endswith("conv1.weight"):
            p.copy_(randn(p.shape) / math.sqrt(p[0].numel()))
        elif name.endswith("text_projection"):
            p.copy_(randn(p.shape) / math.sqrt(p.shape[0]))
        elif p.dim() == 2 and (leaf == "weight" or leaf == "in_proj_weight") and "embedding" not in name:
            gain = 3.0 if ".gate.o." in name else 1.0  # let the question move the selection
            p.copy_(gain * randn(p.shape) / math.sqrt(p.shape[1]))
        else:  # embeddings, class/cls tokens, positional/temporal embeddings
            p.copy_(0.5 * randn(p.shape))
    return model
