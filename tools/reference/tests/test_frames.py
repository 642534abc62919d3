"""SPEC 1 and 1.1: frame indices, and the float64 resize/crop pipeline against torch's interpolate.

Oracle: `torch.nn.functional.interpolate(mode="bilinear", antialias=True, align_corners=False)`, the
resampler SPEC 1.1 names. Tolerance: SPEC 8's 0.01 in 0..255 units (torch works in float32 here; the
measured gap is ~2e-3 at 1080p and ~1e-5 on small frames).

torch's one known disagreement (torch 2.15): when the output width is 1 and the height is resampled,
every output row is a copy of the first. SPEC 1.1 says the formula wins there, so those cases are checked
against torch applied one axis at a time (each single-axis call has an output width > 1 or leaves the
height alone, where torch is right), which is the formula's separable definition.
"""

import numpy as np
import pytest

from vdref.frames import (
    axis_weights, crop_offset, frame_indices, normalize, preprocess_f64, resize_crop_f64, resized_size,
)

TOL = 0.01  # SPEC 8, 0..255 units
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def config(R, S, N):
    return dict(resize_short=R, image_size=S, num_frames=N, mean=MEAN, std=STD)


def random_video(F, H, W, seed):
    return np.random.default_rng(seed).integers(0, 256, (F, H, W, 3), dtype=np.uint8)


# ---- frame indices (SPEC 1) ----

def test_frame_indices_worked_examples():
    # ((2n+1) * F) div (2N), worked by hand.
    assert frame_indices(10, 4) == [1, 3, 6, 8]       # F > N
    assert frame_indices(3, 4) == [0, 1, 1, 2]        # F < N: repeats
    assert frame_indices(1, 5) == [0, 0, 0, 0, 0]     # a single frame
    assert frame_indices(7, 7) == list(range(7))      # F = N: every frame once
    assert frame_indices(8, 4) == [1, 3, 5, 7]        # F = 2N: the odd frames


@pytest.mark.parametrize("F", [1, 2, 3, 5, 99, 100, 101, 1000, 10**6])
@pytest.mark.parametrize("N", [1, 2, 8, 100])
def test_frame_indices_properties(F, N):
    idx = frame_indices(F, N)
    assert len(idx) == N
    assert all(0 <= i < F for i in idx)
    assert idx == sorted(idx)
    if F >= N:
        assert len(set(idx)) == N  # no repeats once there are enough frames
    if F == N:
        assert idx == list(range(N))


def test_frame_indices_rejects_empty():
    with pytest.raises(ValueError):
        frame_indices(0, 4)
    with pytest.raises(ValueError):
        frame_indices(4, 0)


# ---- sizes and crop (SPEC 1.1 steps 1-2) ----

def test_resized_size():
    assert resized_size(1080, 1920, 256) == (256, 455)   # landscape: 256 * 1920 // 1080 = 455
    assert resized_size(1920, 1080, 256) == (455, 256)   # portrait
    assert resized_size(37, 37, 32) == (32, 32)          # square
    assert resized_size(27, 50, 35) == (35, 64)          # 35 * 50 // 27 = 64 (floor of 64.8)
    assert crop_offset(455, 224) == 115                  # floor(231 / 2)
    assert crop_offset(225, 224) == 0                    # torchvision would round to 1; we floor


def test_axis_weights_rows_sum_to_one_and_identity():
    for n_in, n_out in [(1, 1), (1, 7), (7, 1), (5, 13), (1920, 455), (37, 32)]:
        w = axis_weights(n_in, n_out)
        assert np.allclose(w.sum(axis=1), 1.0)
        assert (w >= 0).all()
    assert np.array_equal(axis_weights(9, 9), np.eye(9))


# ---- float64 pipeline vs torch (SPEC 1.1, SPEC 8's 0.01) ----

# (H, W, R, S): up- and downscaling, odd, non-square, portrait and landscape, 1-pixel inputs.
SIZES = [
    (37, 53, 32, 24), (53, 37, 32, 24), (45, 37, 36, 32), (27, 50, 35, 30),
    (7, 5, 16, 16), (5, 7, 16, 12), (3, 3, 3, 3), (1, 1, 4, 4), (1, 9, 4, 4), (9, 1, 4, 4),
    (1, 2, 5, 5), (2, 1, 5, 3), (600, 10, 4, 4), (10, 600, 4, 4), (17, 17, 17, 17),
    (31, 64, 31, 31), (64, 31, 63, 40), (240, 320, 256, 224), (320, 240, 256, 224),
    (1080, 1920, 256, 224), (1920, 1080, 256, 224), (101, 99, 256, 224),
]


@pytest.mark.parametrize("H,W,R,S", SIZES)
def test_resize_crop_matches_torch(torch, H, W, R, S):
    frame = random_video(1, H, W, seed=H * 1000 + W)[0]
    got = resize_crop_f64(frame, R, S)
    assert got.shape == (3, S, S)
    x = torch.from_numpy(frame).permute(2, 0, 1)[None].to(torch.float32)
    h, w = resized_size(H, W, R)
    full = torch.nn.functional.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
    top, left = crop_offset(h, S), crop_offset(w, S)
    want = full[0, :, top:top + S, left:left + S].double().numpy()
    assert np.abs(got - want).max() <= TOL


# Output width 1 with a resampled height: torch copies the first row, the formula wins (SPEC 1.1).
@pytest.mark.parametrize("H,W,h,w", [(9, 2, 4, 1), (5, 7, 3, 1), (7, 1, 3, 1), (30, 3, 10, 1), (3, 5, 9, 1)])
def test_output_width_one_follows_formula(torch, H, W, h, w):
    interp = torch.nn.functional.interpolate
    x = torch.from_numpy(np.random.default_rng(H + W).integers(0, 256, (H, W))).double()[None, None]
    formula = axis_weights(H, h) @ x[0, 0].numpy() @ axis_weights(W, w).T
    # One axis at a time: width H -> 1 with the height untouched, then the height as a width (output h > 1).
    cols = interp(x, size=(H, w), mode="bilinear", antialias=True, align_corners=False)
    rows = interp(cols.transpose(2, 3), size=(w, h), mode="bilinear", antialias=True, align_corners=False)
    assert np.abs(formula - rows.transpose(2, 3)[0, 0].numpy()).max() <= 1e-9


def test_pipeline_width_one_crop_uses_formula():
    # R = S = 1 on a 9 x 2 portrait frame: resized 4 x 1, crop row (4 - 1) div 2 = 1, not torch's row 0.
    frame = random_video(1, 9, 2, seed=5)[0]
    got = resize_crop_f64(frame, 1, 1)
    x = frame.astype(np.float64).transpose(2, 0, 1)
    want = np.einsum("yh,chw,xw->cyx", axis_weights(9, 4)[1:2], x, axis_weights(2, 1))
    assert np.allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("F,H,W,R,S,N", [(9, 45, 37, 36, 32, 6), (5, 27, 50, 35, 30, 8), (4, 64, 48, 40, 40, 4)])
def test_preprocess_matches_torch(torch, F, H, W, R, S, N):
    from vdref.frames import preprocess_torch
    video = random_video(F, H, W, seed=F)
    cfg = config(R, S, N)
    resized, pixels = preprocess_f64(video, cfg)
    assert resized.shape == pixels.shape == (N, 3, S, S)
    t_resized = preprocess_torch(video, cfg, normalize_pixels=False).double().numpy()
    t_pixels = preprocess_torch(video, cfg).double().numpy()
    assert np.abs(resized - t_resized).max() <= TOL
    # 0.01 of 0..255 becomes 0.01 / 255 / std after normalisation.
    assert np.abs(pixels - t_pixels).max() <= TOL / 255 / min(STD)
    assert np.allclose(pixels, normalize(resized, MEAN, STD))
    for n, i in enumerate(frame_indices(F, N)):
        assert np.array_equal(resized[n], resize_crop_f64(video[i], R, S))


def test_preprocess_rejects_bad_video():
    with pytest.raises(ValueError):
        preprocess_f64(np.zeros((2, 4, 4, 3), dtype=np.float32), config(4, 4, 2))
    with pytest.raises(ValueError):
        preprocess_f64(np.zeros((2, 4, 4), dtype=np.uint8), config(4, 4, 2))
