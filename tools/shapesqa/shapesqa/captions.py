"""Frame captions for pretraining the frame and text encoders (stage 1): what one frame shows, events first.

Example: "a flash around the red circle. a big new green cross. blue square, red circle, yellow triangle."
"""


def caption(scene, f):
    """The caption of frame f: the flash and the appearance when visible, then every persistent object
    (colour at f, shape), sorted so the caption is a function of the frame's content."""
    parts = []
    if scene.flash[0] <= f < scene.flash[1]:
        t = scene.things[scene.flash_index]
        parts.append(f"a flash around the {t.colour_at(f)} {t.shape}.")
    if scene.appearance[0] <= f < scene.appearance[1]:
        parts.append(f"a big new {scene.appear.colour} {scene.appear.shape}.")
    objects = sorted(f"{t.colour_at(f)} {t.shape}" for t in scene.things)
    parts.append(", ".join(objects) + ".")
    return " ".join(parts)
