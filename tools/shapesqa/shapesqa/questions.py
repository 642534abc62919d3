"""Question templates over a Scene. Each question has an answer from vocab.ANSWERS, a category, a template
name, and the frame windows that hold its evidence when that evidence is brief (`event_frames`, a list of
[start, end) in video frames; empty when the evidence lasts)."""

from .vocab import PLURALS, SHAPES


def _q(template, category, question, answer, windows=()):
    return dict(template=template, category=category, question=question, answer=answer,
                event_frames=[list(w) for w in windows])


def questions(scene, rng):
    """Every template, instantiated once for the scene (rng picks the shape a counting question asks about
    and the objects attribute questions name)."""
    things, F = scene.things, scene.frames
    flasher, changer, a = things[scene.flash_index], things[scene.change_index], scene.appear
    out = [
        # (a) needle: the evidence is visible for 3-5 frames only
        _q("flash_shape", "needle", "which shape flashed?", flasher.shape, [scene.flash]),
        _q("flash_colour", "needle", "what colour is the shape that flashed?", flasher.colour, [scene.flash]),
        _q("appear_shape", "needle", "what shape was the big one that appeared briefly?", a.shape, [scene.appearance]),
        _q("appear_colour", "needle", "what colour was the big shape that appeared briefly?", a.colour,
           [scene.appearance]),
        # (b) temporal order
        _q("colour_before", "order", f"what colour was the {changer.shape} before it changed colour?",
           changer.colour),
        _q("colour_after", "order", f"what colour did the {changer.shape} change to?", changer.new_colour),
        _q("first_event", "order", "what happened first, the flash or the appearance?",
           "flash" if scene.flash[0] < scene.appearance[0] else "appearance", [scene.flash, scene.appearance]),
    ]
    # (c) counting: persistent (moving) objects; the brief appearance does not move
    shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
    count = sum(t.shape == shape for t in things)
    out.append(_q("count_shape", "counting", f"how many {PLURALS[shape]} are moving?", str(count)))
    out.append(_q("count_all", "counting", "how many shapes are moving?", str(len(things))))
    # (d) attribute of one object among several (never the colour-changing one)
    steady = [t for i, t in enumerate(things) if i != scene.change_index]
    by_shape = [t for t in steady if sum(u.shape == t.shape for u in things) == 1]
    if by_shape:
        t = by_shape[int(rng.integers(0, len(by_shape)))]
        out.append(_q("colour_of_shape", "attribute", f"what colour is the moving {t.shape}?", t.colour))
    t = steady[int(rng.integers(0, len(steady)))]  # persistent colours are distinct
    out.append(_q("shape_of_colour", "attribute", f"which moving shape is {t.colour}?", t.shape))
    return out
