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


def tile_ramps(t: Tile, height: int, width: int, overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """A tile's feather weights as two 1-D ramps (rows, columns); its weights are their outer product."""
    return (_ramp(t.y1 - t.y0, t.y0 > 0, t.y1 < height, overlap),
            _ramp(t.x1 - t.x0, t.x0 > 0, t.x1 < width, overlap))


def tile_weight(t: Tile, height: int, width: int, overlap: int) -> np.ndarray:
    """Feather weights [h, w] for a tile: ramps across its overlaps with neighbours, 1 elsewhere."""
    wy, wx = tile_ramps(t, height, width, overlap)
    return wy[:, None] * wx[None, :]


def _coverage(length: int, windows: set[tuple[int, int]]) -> np.ndarray:
    """How many windows cover each position along one axis."""
    count = np.zeros(length, np.int32)
    for a, b in windows:
        count[a:b] += 1
    return count


def _single(count: np.ndarray, a: int, b: int) -> tuple[int, int]:
    """The run of positions in window a:b (relative to a) that no other window covers; (0, 0) when none."""
    idx = np.flatnonzero(count[a:b] == 1)
    if len(idx) and idx[-1] + 1 - idx[0] != len(idx):
        raise ValueError(f"window {a}:{b}: the positions only it covers are not one run")
    return (int(idx[0]), int(idx[-1]) + 1) if len(idx) else (0, 0)


def _runs(flags: np.ndarray) -> list[tuple[int, int, bool]]:
    """Maximal runs (start, end, flag) of equal values in a 1-D boolean array."""
    cuts = [0, *(np.flatnonzero(flags[1:] != flags[:-1]) + 1).tolist(), len(flags)]
    return [(a, b, bool(flags[a])) for a, b in zip(cuts[:-1], cuts[1:]) if a < b]


class Blend:
    """Tile outputs blended into one uint8 [H, W, C] image with the feathered weights of `tile_weight`.

    Pixels that only one tile covers are copied as they are (weight over weight); only the overlaps are weighted,
    summed and divided, in two compact stores: the rows that several windows share (full width) and, in the
    other rows, the shared columns. The result is the same, bit for bit, as accumulating every tile over a
    whole-image float array, without that array: touching its scattered overlap columns costs about as much as
    zeroing all of it. Tiles must form a grid (rows x columns of windows), as `plan_tiles` makes them.
    """

    def __init__(self, tiles: list[Tile], height: int, width: int, overlap: int, channels: int = 3) -> None:
        ys, xs = {(t.y0, t.y1) for t in tiles}, {(t.x0, t.x1) for t in tiles}
        if len(ys) * len(xs) != len(tiles):
            raise ValueError(f"{len(tiles)} tiles are not a grid of {len(ys)} x {len(xs)} windows")
        self.height, self.width, self.overlap, self.channels = height, width, overlap, channels
        self._cy, self._cx = _coverage(height, ys), _coverage(width, xs)
        shared_y, shared_x = self._cy >= 2, self._cx >= 2
        self._row_at, self._col_at = np.cumsum(shared_y) - 1, np.cumsum(shared_x) - 1  # index in the stores
        self._rows, self._cols = np.flatnonzero(shared_y), np.flatnonzero(shared_x)
        # weighted sums in the first C channels, the sum of weights in the last
        self._shared_rows = np.zeros((len(self._rows), width, channels + 1), np.float32)
        self._shared_cols = np.zeros((height, len(self._cols), channels + 1), np.float32)
        self.result = np.empty((height, width, channels), np.uint8)

    def _store(self, y0: int, y1: int, x0: int, x1: int, shared_row: bool) -> np.ndarray:
        """The view of a store that holds canvas rows y0:y1, columns x0:x1."""
        if shared_row:
            r = self._row_at[y0]
            return self._shared_rows[r : r + y1 - y0, x0:x1]
        if not (self._cx[x0:x1] >= 2).all():
            raise ValueError(f"columns {x0}:{x1} are not all shared")  # cannot happen on a grid of windows
        c = self._col_at[x0]
        return self._shared_cols[y0:y1, c : c + x1 - x0]

    def add(self, t: Tile, out: np.ndarray) -> None:
        """Blend one tile's output (uint8 [th, tw, C])."""
        tw = t.x1 - t.x0
        ya, yb = _single(self._cy, t.y0, t.y1)
        xa, xb = _single(self._cx, t.x0, t.x1)
        self.result[t.y0 + ya : t.y0 + yb, t.x0 + xa : t.x0 + xb] = out[ya:yb, xa:xb]
        wy, wx = tile_ramps(t, self.height, self.width, self.overlap)
        C = self.channels
        for r0, r1, shared_row in _runs(self._cy[t.y0 : t.y1] >= 2):
            for c0, c1 in ([(0, tw)] if shared_row else [(0, xa), (xb, tw)]):
                if c0 < c1:
                    w = (wy[r0:r1, None] * wx[None, c0:c1])[..., None]
                    store = self._store(t.y0 + r0, t.y0 + r1, t.x0 + c0, t.x0 + c1, shared_row)
                    store[..., :C] += out[r0:r1, c0:c1] * w
                    store[..., C:] += w

    def finish(self) -> np.ndarray:
        """The blended image (every tile must have been added)."""
        C = self.channels
        single_rows = np.flatnonzero(self._cy == 1)
        for idx, store in ((np.ix_(self._rows, np.arange(self.width)), self._shared_rows),
                           (np.ix_(single_rows, self._cols), self._shared_cols[single_rows])):
            v = store[..., :C] / store[..., C:]
            np.rint(v, out=v)
            self.result[idx] = np.clip(v, 0, 255, out=v)
        return self.result
