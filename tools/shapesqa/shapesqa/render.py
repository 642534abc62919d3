"""Rasterise a Scene into uint8 RGB frames [F, H, W, 3] with numpy (3 x 3 supersampled coverage)."""

import numpy as np

from .vocab import BACKGROUND, COLOURS, FLASH

SUPER = 3      # samples per pixel along each axis
HALO = 3.0     # a flashing object's white halo reaches this many px beyond its radius


def _grid(size):
    """Sample positions (x, y) [size*SUPER, size*SUPER] in pixel units (pixel i covers [i, i+1))."""
    s = (np.arange(size * SUPER) + 0.5) / SUPER
    return np.meshgrid(s, s)  # x varies along columns


def _inside(shape, dx, dy, r):
    """Boolean mask of the shape of radius r centred at the origin, at offsets (dx, dy)."""
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "square":
        return np.maximum(np.abs(dx), np.abs(dy)) <= 0.85 * r
    if shape == "triangle":  # apex up at -r, base at +0.7 r, base half-width 0.95 r
        return (dy >= -r) & (dy <= 0.7 * r) & (np.abs(dx) <= (dy + r) * (0.95 / 1.7))
    if shape == "cross":
        arm = 0.38 * r
        return ((np.abs(dx) <= arm) & (np.abs(dy) <= r)) | ((np.abs(dy) <= arm) & (np.abs(dx) <= r))
    raise ValueError(f"unknown shape {shape!r}")


def _coverage(mask, size):
    """Supersampled boolean mask -> per-pixel coverage [size, size] in 0..1."""
    return mask.reshape(size, SUPER, size, SUPER).mean(axis=(1, 3))


def _paint(img, cover, rgb):
    img *= (1.0 - cover)[..., None]
    img += cover[..., None] * np.asarray(rgb, dtype=np.float64)


def render_frame(scene, f, grid=None):
    """Frame f of the scene: uint8 [H, W, 3]."""
    size = scene.size
    gx, gy = grid if grid is not None else _grid(size)
    img = np.empty((size, size, 3), dtype=np.float64)
    img[:] = BACKGROUND
    for i, t in enumerate(scene.things):
        x, y = t.path[f]
        dx, dy = gx - x, gy - y
        if i == scene.flash_index and scene.flash[0] <= f < scene.flash[1]:
            rh = t.radius + HALO
            _paint(img, _coverage(dx * dx + dy * dy <= rh * rh, size), FLASH)
        _paint(img, _coverage(_inside(t.shape, dx, dy, t.radius), size), COLOURS[t.colour_at(f)])
    if scene.appearance[0] <= f < scene.appearance[1]:
        a = scene.appear
        x, y = a.path[f]
        _paint(img, _coverage(_inside(a.shape, gx - x, gy - y, a.radius), size), COLOURS[a.colour])
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def render(scene):
    """All frames: uint8 [F, H, W, 3]."""
    grid = _grid(scene.size)
    return np.stack([render_frame(scene, f, grid) for f in range(scene.frames)])
