"""The default ShapesQA model's configuration (SPEC 11 keys) and the paths the scripts share."""

import os

from vdref.config import CLIP_MEAN, CLIP_STD

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # tools/shapesqa
REPO = os.path.dirname(os.path.dirname(HERE))

#: 64 x 64 frames (resize and crop are the identity), 16 px patches (P = 16), N = 32 of the 64 frames,
#: K = 4 selected. The token embedding (49408 x 32 floats, 6.3 MB) is most of the file.
CONFIG = dict(
    image_size=64, resize_short=64, patch_size=16,
    vision_width=64, vision_layers=3, vision_heads=4,
    text_width=32, text_layers=2, text_heads=4, vocab_size=49408, context_length=32, text_embed_dim=64,
    model_dim=64, model_heads=4, fs_layers=2, vr_layers=2, num_frames=32, num_selected=4, qa_hidden=128,
    mean=CLIP_MEAN, std=CLIP_STD, clip_ln_eps=1e-5, ln_eps=1e-6,
)

LOGS = os.path.join(HERE, "logs")
