"""Writes Tests/Fixtures/frames/: random uint8 frames of varied sizes and their SPEC 1.1 resized and
centre-cropped values (0..255, before mean/std) from the float64 pipeline, for several (R, S) pairs.

The Swift frame pipeline's tests compare against these (SPEC 8: within 0.01). Deterministic: running it
twice gives identical bytes. Usage: python3 tools/reference/make_frame_fixture.py
"""

import json
from pathlib import Path

import numpy as np

from vdref.frames import resize_crop_f64, resized_size

ROOT = Path(__file__).resolve().parents[2]

# (H, W): odd, square, portrait and landscape, extreme aspect, 1-pixel sides; up- and downscaled below.
FRAMES = [(37, 53), (53, 37), (9, 14), (1, 17), (17, 1), (120, 213), (101, 99), (64, 64), (3, 200), (45, 37)]
# (R, S): R >= S, crops on both axes, no crop, and one crop of a single pixel.
PAIRS = [(32, 24), (20, 20), (40, 32), (1, 1)]


def main():
    out_dir = ROOT / "Tests" / "Fixtures" / "frames"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261127)
    cases = []
    for k, (H, W) in enumerate(FRAMES):
        frame = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
        name = f"frame{k}.npy"
        np.save(out_dir / name, frame)
        outputs = []
        for R, S in PAIRS:
            file = f"frame{k}_R{R}_S{S}.npy"
            np.save(out_dir / file, resize_crop_f64(frame, R, S))
            outputs.append(dict(resize_short=R, image_size=S, resized=list(resized_size(H, W, R)), file=file))
        cases.append(dict(frame=name, height=H, width=W, outputs=outputs))
    (out_dir / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
