"""A random ShapesQA scene: moving persistent objects and three events, all drawn from one seed.

Events (frame indices are half-open windows [start, end) of the video's F frames):
- flash: one persistent object gets a white halo for 3-5 frames;
- appearance: a new, big, static object is visible for 3-5 frames only (its size marks it in a single frame);
- colour change: another persistent object switches to a colour no persistent object had, for good.
The flash and the appearance never overlap (at least MIN_GAP frames apart). The colour-changing object has a
shape no other persistent object has, so questions can name it by shape.
"""

from dataclasses import dataclass, field

import numpy as np

from .vocab import COLOURS, SHAPES

F_DEFAULT, SIZE_DEFAULT = 64, 64
EVENT_LEN = (3, 5)   # inclusive range of a brief event's length in frames
EDGE = 4             # brief events start at >= EDGE and end at <= F - EDGE
MIN_GAP = 6          # frames between the flash and the appearance
CHANGE_RANGE = (0.2, 0.8)  # the colour change happens in this fraction of the video
RADIUS = (5.0, 7.0)        # persistent objects
BIG_RADIUS = (9.5, 11.0)   # the briefly appearing object


@dataclass
class Thing:
    """One object: shape, radius (px), colour name, and its centre per frame [F, 2] as (x, y)."""
    shape: str
    radius: float
    colour: str
    path: np.ndarray
    new_colour: str | None = None   # after the colour change
    change_frame: int | None = None

    def colour_at(self, f):
        if self.change_frame is not None and f >= self.change_frame:
            return self.new_colour
        return self.colour


@dataclass
class Scene:
    frames: int
    size: int
    things: list              # persistent objects
    flash_index: int          # index into things
    flash: tuple              # (start, end)
    appear: Thing             # the briefly appearing object (static)
    appearance: tuple         # (start, end)
    change_index: int         # index into things
    seed: list = field(default_factory=list)


def _path(rng, F, size, r):
    """Constant speed, reflected at the walls: centres [F, 2]."""
    lo, hi = r + 1.0, size - 1.0 - r
    p = rng.uniform(lo, hi, size=2)
    angle = rng.uniform(0, 2 * np.pi)
    v = rng.uniform(0.4, 1.0) * np.array([np.cos(angle), np.sin(angle)])
    out = np.empty((F, 2))
    for f in range(F):
        out[f] = p
        p = p + v
        for a in range(2):
            if p[a] < lo:
                p[a], v[a] = 2 * lo - p[a], -v[a]
            elif p[a] > hi:
                p[a], v[a] = 2 * hi - p[a], -v[a]
    return out


def _window(rng, F, avoid=None):
    """A brief event window [start, end) inside [EDGE, F - EDGE], at least MIN_GAP frames from `avoid`."""
    while True:
        n = int(rng.integers(EVENT_LEN[0], EVENT_LEN[1] + 1))
        start = int(rng.integers(EDGE, F - EDGE - n + 1))
        w = (start, start + n)
        if avoid is None or w[0] >= avoid[1] + MIN_GAP or avoid[0] >= w[1] + MIN_GAP:
            return w


def make_scene(seed, frames=F_DEFAULT, size=SIZE_DEFAULT):
    """The scene for `seed` (an int or a list of ints for np.random.SeedSequence)."""
    entropy = list(seed) if isinstance(seed, (list, tuple)) else [int(seed)]
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    n = int(rng.integers(2, 5))  # 2..4 persistent objects
    while True:  # at least one shape that occurs once, for the colour-changing object
        shapes = [SHAPES[i] for i in rng.integers(0, len(SHAPES), size=n)]
        unique = [i for i, s in enumerate(shapes) if shapes.count(s) == 1]
        if unique:
            break
    names = list(COLOURS)
    order = rng.permutation(len(names))
    colours = [names[i] for i in order[:n]]
    unused = [names[i] for i in order[n:]]
    things = []
    for s, c in zip(shapes, colours):
        r = float(rng.uniform(*RADIUS))
        things.append(Thing(s, r, c, _path(rng, frames, size, r)))
    change_index = int(unique[rng.integers(0, len(unique))])
    others = [i for i in range(n) if i != change_index]
    flash_index = int(others[rng.integers(0, len(others))])
    changer = things[change_index]
    changer.new_colour = unused[int(rng.integers(0, len(unused)))]
    changer.change_frame = int(rng.integers(int(CHANGE_RANGE[0] * frames), int(CHANGE_RANGE[1] * frames)))
    flash = _window(rng, frames)
    appearance = _window(rng, frames, avoid=flash)
    r = float(rng.uniform(*BIG_RADIUS))
    pos = rng.uniform(r + 1.0, size - 1.0 - r, size=2)
    appear = Thing(SHAPES[int(rng.integers(0, len(SHAPES)))], r, names[int(rng.integers(0, len(names)))],
                   np.tile(pos, (frames, 1)))
    return Scene(frames, size, things, flash_index, flash, appear, appearance, change_index, entropy)
