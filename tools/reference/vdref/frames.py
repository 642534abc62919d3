"""SPEC section 1 and 1.1: pick N frames, resize (antialiased bilinear), centre crop, normalise.

Two pipelines:
- `preprocess_f64`: the reference. The SPEC 1.1 formula written out in float64 (per-axis weight
  matrices), so it does not depend on any library's resampler. Fixtures' `resized.npy` come from it.
- `preprocess_torch`: the same steps through `torch.nn.functional.interpolate(..., antialias=True)`
  in float32, the resampler the SPEC names. It agrees with the float64 pipeline within 0.01 (0..255)
  except where torch itself is wrong (output width or height 1; see `tests/test_frames.py`).
"""

import math

import numpy as np


def frame_indices(F, N):
    """SPEC 1: idx_n = ((2n + 1) * F) div (2N), n = 0..N-1 (repeats when F < N)."""
    if F < 1 or N < 1:
        raise ValueError(f"need F >= 1 and N >= 1 (got F = {F}, N = {N})")
    return [((2 * n + 1) * F) // (2 * N) for n in range(N)]


def resized_size(H, W, R):
    """SPEC 1.1 step 1: the shorter side becomes R, the longer (R * long) div short."""
    if H < 1 or W < 1 or R < 1:
        raise ValueError(f"need H, W, R >= 1 (got {H}, {W}, {R})")
    if H <= W:
        return R, (R * W) // H
    return (R * H) // W, R


def axis_weights(n_in, n_out):
    """Weights [n_out, n_in] (float64) of one axis, SPEC 1.1's formula: row i holds output i's weights."""
    scale = n_in / n_out
    s = max(scale, 1.0)
    w = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        c = (i + 0.5) * scale
        lo = max(math.floor(c - s + 0.5), 0)
        hi = min(math.floor(c + s + 0.5), n_in)  # exclusive
        j = np.arange(lo, hi, dtype=np.float64)
        row = np.maximum(0.0, 1.0 - np.abs((j + 0.5 - c) / s))
        w[i, lo:hi] = row / row.sum()
    return w


def crop_offset(size, S):
    """SPEC 1.1 step 2: floor centre-crop offset."""
    if size < S:
        raise ValueError(f"resized size {size} is smaller than the crop {S}")
    return (size - S) // 2


def resize_crop_f64(frame, R, S):
    """One uint8 frame [H, W, 3] -> resized and centre-cropped float64 [3, S, S], values 0..255."""
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame must be [H, W, 3] (got {frame.shape})")
    H, W = frame.shape[:2]
    h, w = resized_size(H, W, R)
    top, left = crop_offset(h, S), crop_offset(w, S)
    wy = axis_weights(H, h)[top:top + S]    # [S, H]
    wx = axis_weights(W, w)[left:left + S]  # [S, W]
    x = frame.astype(np.float64).transpose(2, 0, 1)  # [3, H, W]
    return np.einsum("yh,chw,xw->cyx", wy, x, wx, optimize=True)


def normalize(resized, mean, std):
    """SPEC 1.1 step 3 on [..., 3, S, S] values 0..255."""
    m = np.asarray(mean, dtype=np.float64).reshape(3, 1, 1)
    s = np.asarray(std, dtype=np.float64).reshape(3, 1, 1)
    return (resized / 255.0 - m) / s


def preprocess_f64(video, config):
    """video uint8 [F, H, W, 3] -> (resized float64 [N, 3, S, S] before mean/std, pixels float64 [N, 3, S, S])."""
    video = np.asarray(video)
    if video.dtype != np.uint8 or video.ndim != 4 or video.shape[3] != 3:
        raise ValueError(f"video must be uint8 [F, H, W, 3] (got {video.dtype} {video.shape})")
    R, S, N = config["resize_short"], config["image_size"], config["num_frames"]
    idx = frame_indices(video.shape[0], N)
    done = {}
    for i in set(idx):
        done[i] = resize_crop_f64(video[i], R, S)
    resized = np.stack([done[i] for i in idx])
    return resized, normalize(resized, config["mean"], config["std"])


def preprocess_torch(video, config, normalize_pixels=True):
    """The same pipeline through torch's interpolate (float32). Returns float32 [N, 3, S, S]:
    pixels, or 0..255 resized values when normalize_pixels is False."""
    import torch
    import torch.nn.functional as Fn

    video = torch.as_tensor(np.asarray(video))
    R, S, N = config["resize_short"], config["image_size"], config["num_frames"]
    F, H, W, _ = video.shape
    h, w = resized_size(H, W, R)
    top, left = crop_offset(h, S), crop_offset(w, S)
    out = []
    for i in frame_indices(F, N):
        x = video[i].permute(2, 0, 1).unsqueeze(0).to(torch.float32)  # [1, 3, H, W], 0..255
        y = Fn.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
        out.append(y[0, :, top:top + S, left:left + S])
    out = torch.stack(out)
    if not normalize_pixels:
        return out
    mean = torch.tensor(config["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(config["std"], dtype=torch.float32).view(1, 3, 1, 1)
    return (out / 255.0 - mean) / std
