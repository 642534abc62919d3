"""mp4 out through the ffmpeg command line (H.264, yuv420p, one thread so the bytes are reproducible). Reading is the
runtime's: videodistill.read_video_frames decodes exactly as the product does."""

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

