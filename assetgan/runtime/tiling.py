"""Overlapping tiles over an image and the feathered weights that blend them back without seams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tile:
    """A tile's window on the canvas (y0:y1, x0:x1), including the overlap that is blended away."""

    y0: int
    y1: int
    x0: int
    x1: int


def _starts(length: int, tile: int, overlap: int, multiple: int) -> list[tuple[int, int]]:
    """Windows [(a, b)] covering 0..length: cores of about `tile`, extended by `overlap` each side."""
    if length <= tile + 2 * overlap:
        return [(0, length)]
    n = max(1, -(-length // tile))
    edges = [round(i * length / n / multiple) * multiple for i in range(n)] + [length]
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        out.append((max(0, a - overlap), min(length, b + overlap)))
    return out


def plan_tiles(height: int, width: int, tile: int, overlap: int, multiple: int = 1) -> list[Tile]:
    """Row-major tiles covering a height x width canvas; window edges fall on multiples of `multiple`.

    `height` and `width` must themselves be multiples of `multiple` (the caller pads first).
    """
    if tile < 1 or overlap < 0:
        raise ValueError(f"tile {tile} / overlap {overlap}: tile must be positive and overlap non-negative")
    overlap = -(-overlap // multiple) * multiple
    return [Tile(y0, y1, x0, x1) for y0, y1 in _starts(height, tile, overlap, multiple)
            for x0, x1 in _starts(width, tile, overlap, multiple)]


def _ramp(n: int, lo_open: bool, hi_open: bool, overlap: int) -> np.ndarray:
    """1-D weight across a tile's 2*overlap-wide zones shared with neighbours (0 at its own edge, 1 inside).

    The outer half of the tile's overhang (`overlap // 2` pixels at its edge, where zero and reflection padding
    of the network disturb the result) gets weight 0; the weight then rises linearly to 1 over the next
    `overlap` pixels. A neighbour's weights mirror this, so the two always sum to 1.
    """
    w = np.ones(n, np.float32)
    if overlap <= 0:
        return w
    zone = min(2 * overlap, n // 2)
    if zone <= 0:
        return w
    margin = zone // 4
    ramp = np.clip((np.arange(zone, dtype=np.float32) + 0.5 - margin) / (zone - 2 * margin), 0.0, 1.0)
    if lo_open:
        w[:zone] = np.minimum(w[:zone], ramp)
    if hi_open:
        w[n - zone :] = np.minimum(w[n - zone :], ramp[::-1])
    return w


def tile_weight(t: Tile, height: int, width: int, overlap: int) -> np.ndarray:
    """Feather weights [h, w] for a tile: ramps across its overlaps with neighbours, 1 elsewhere."""
    wy = _ramp(t.y1 - t.y0, t.y0 > 0, t.y1 < height, overlap)
    wx = _ramp(t.x1 - t.x0, t.x0 > 0, t.x1 < width, overlap)
    return wy[:, None] * wx[None, :]
