"""Training initialisation of a VideoDistill (the reference's `init_random` is for fixtures, not training).

CLIP towers as OpenAI's `initialize_parameters`; VideoDistill's parts as FrozenInTime/ViT (truncated normal 0.02
for Linear weights and embeddings, zero biases, LayerNorm 1 / 0)."""

import torch
import torch.nn as nn


@torch.no_grad()
def init_for_training(model, seed):
    torch.manual_seed(seed)
    cfg = model.cfg
    Dv, Dtw = cfg["vision_width"], cfg["text_width"]
    clip = model.clip
    nn.init.normal_(clip.token_embedding.weight, std=0.02)
    nn.init.normal_(clip.positional_embedding, std=0.01)
    nn.init.normal_(clip.visual.class_embedding, std=Dv ** -0.5)
    nn.init.normal_(clip.visual.positional_embedding, std=Dv ** -0.5)
    for tower, width in ((clip.visual.transformer, Dv), (clip.transformer, Dtw)):
        layers = len(tower.resblocks)
        proj_std = width ** -0.5 * (2 * layers) ** -0.5
        for block in tower.resblocks:
            nn.init.normal_(block.attn.in_proj_weight, std=width ** -0.5)
            nn.init.zeros_(block.attn.in_proj_bias)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.zeros_(block.attn.out_proj.bias)
            nn.init.normal_(block.mlp.c_fc.weight, std=(2 * width) ** -0.5)
            nn.init.zeros_(block.mlp.c_fc.bias)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
            nn.init.zeros_(block.mlp.c_proj.bias)
    nn.init.normal_(clip.text_projection, std=Dtw ** -0.5)
    for name, p in model.named_parameters():
        if name.startswith("clip."):
            continue
        if name.endswith("norm.weight") or ".norm" in name and name.endswith(".weight"):
            nn.init.ones_(p)
        elif name.endswith(".bias"):
            nn.init.zeros_(p)
        else:  # Linear weights, cls token, position and temporal embeddings
            nn.init.trunc_normal_(p, std=0.02)
    for m in model.modules():  # every LayerNorm (towers included) starts at 1 / 0
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return model


@torch.no_grad()
def time_prior(model, seed, strength=3.0, sharpness=3.6):
    """Start the frame sampler as stratified sampling: slot k prefers frames in the k-th of K equal parts of the
    video. fs.temporal_embed gets a half-circle code of the frame's position n (angle pi n / (N - 1)) in a random
    zero-mean plane (u1, u2) of strength `strength` (above the content's ~1.3 norm at initialisation), and
    fs.select's row k reads that plane at the angle of part k's centre, so logits[n, k] ~ cos(angle_n - angle_k).
    Only weights are set (the SPEC model is unchanged). Why: slots keep their order (SPEC 5) and VR knows a frame's
    time only through its slot, so order questions need slots that follow time; and with the sampler frozen in
    the warm-up, its samples are stratified rather than random, so VR first learns on spread-out frames."""
    g = torch.Generator().manual_seed(seed + 7919)
    N, K = model.cfg["num_frames"], model.cfg["num_selected"]
    D = model.fs.temporal_embed.shape[1]
    u = torch.randn(D, 2, generator=g)
    u = u - u.mean(0)                     # zero mean: LayerNorm's centring leaves the plane alone
    u, _ = torch.linalg.qr(u)             # orthonormal columns
    theta = torch.pi * torch.arange(N) / max(1, N - 1)
    phi = torch.pi * (torch.arange(K) + 0.5) / K
    code = torch.stack([theta.cos(), theta.sin()], 1)          # [N, 2]
    model.fs.temporal_embed.add_(strength * code @ u.T)
    model.fs.select.weight.copy_(sharpness * torch.stack([phi.cos(), phi.sin()], 1) @ u.T)
    model.fs.select.bias.zero_()
    return model
