"""mp4 in and out through the ffmpeg command line (H.264, yuv420p, one thread so the bytes are reproducible)."""

import subprocess

import numpy as np

CRF = 20


def write_mp4(path, frames, fps=16, crf=CRF):
    """uint8 RGB frames [F, H, W, 3] (H, W even) -> H.264 mp4 at `path`."""
    F, H, W, _ = frames.shape
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
           "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "medium", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-threads", "1", "-x264-params", "threads=1", "-bitexact",
           "-movflags", "+faststart", "-map_metadata", "-1", str(path)]
    subprocess.run(cmd, input=np.ascontiguousarray(frames, dtype=np.uint8).tobytes(), check=True)


def read_mp4(path, size=None):
    """Decode every frame of a video to uint8 RGB [F, H, W, 3]; size (H, W) skips the ffprobe call."""
    if size is None:
        probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                "stream=width,height", "-of", "csv=p=0", str(path)],
                               capture_output=True, text=True, check=True).stdout.strip().split(",")
        size = (int(probe[1]), int(probe[0]))
    H, W = size
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24",
                          "-threads", "1", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, H, W, 3)
