"""CycleGAN style transfer on arrays of any size: whole-image or tiled with whole-image InstanceNorm statistics.

Tiled runs first measure the generator's normalisation statistics once on the whole image (downscaled to at
most `stats_pixels`), then run overlapping tiles with those fixed statistics and blend them with feathered
weights, so tiles neither show seams nor shift colour, and memory is bounded by the tile size.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image

from ..core.errors import AssetganError
from ..core.progress import NullProgress, Progress
from .model import OpenedModel, open_session, read_card
from .tiling import Blend, plan_tiles

DIRECTIONS = ("a2b", "b2a")
WHOLE_PIXELS = 2_200_000  # images up to this size (1080p and a bit) run in one pass unless tiles are asked for
DEFAULT_TILE = 1536  # tile core side for larger images: 6 tiles at 3840x2400, fewer overlaps to run twice than with
# smaller tiles, each still below the statistics pass, which sets the peak RSS (lab/2026-12-07-lean-graph.md)
DEFAULT_OVERLAP = 32  # pixels each tile extends past its core, blended with its neighbours
STATS_PIXELS = WHOLE_PIXELS  # the statistics pass sees the whole image, downscaled to at most this many pixels
BORDER = 16  # a reflected margin on every side: the network's own border behaviour (colour fringes) falls outside
# the image and is cropped away (lab/2026-12-06-monet-retrain.md)


class Cancelled(AssetganError):
    """The user stopped a stylize run."""

    exit_code = 130


@dataclass
class StyleModel(OpenedModel):
    """A CycleGAN translator (both directions in one ONNX file); uint8 RGB arrays in and out."""

    @property
    def multiple(self) -> int:
        return max(1, int(self.card.pad_multiple))

    def direction_label(self, direction: str) -> str:
        a, b = (list(self.card.domains) + ["a", "b"])[:2]
        return f"{a} -> {b}" if direction == "a2b" else f"{b} -> {a}"

    def check_direction(self, direction: str) -> str:
        """`direction` when this file holds it; else one line naming the file and what it can do."""
        check_direction(direction)
        if direction not in self.card.translations:
            only = self.card.translations[0]
            raise AssetganError(f"{self.path}: this model translates {self.direction_label(only)} only; use "
                                f"--direction {only}")
        return direction

    # ----- raw graph calls ----------------------------------------------------------------------------
    def run_graph(self, direction: str, img: np.ndarray, stats: np.ndarray | None,
                  release: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """img uint8 [H, W, 3] (sides multiples of `multiple`) -> (uint8 [H, W, 3], measured stats).

        With `stats`, the file's lean fixed-statistics entry runs where it has one (the same pixels; `stats` is
        returned as the measured ones). `release` hands the CPU memory arena's free blocks back after the call:
        after the statistics pass, the largest call of a tiled run, so that the tiles' differently sized blocks do
        not stack on top of it.
        """
        image = np.ascontiguousarray(img[None])  # [1, H, W, 3]
        options = _release_options() if release else None
        if stats is not None and f"{direction}.fixed.output" in self._outputs:
            feeds = {f"{direction}.fixed.image": image, f"{direction}.stats": stats}
            return self._sess.run([f"{direction}.fixed.output"], feeds, options)[0][0], stats
        feeds = {f"{direction}.image": image}
        if stats is not None:
            feeds[f"{direction}.stats"] = stats
            feeds[f"{direction}.weight"] = np.ones(1, np.float32)
        out, measured = self._sess.run([f"{direction}.output", f"{direction}.measured"], feeds, options)
        return out[0], measured

    @cached_property
    def _outputs(self) -> frozenset[str]:
        return frozenset(o.name for o in self._sess.get_outputs())

    def canvas(self, img: np.ndarray) -> np.ndarray:
        """The image with a reflected BORDER on every side, padded to multiples: it sits at (BORDER, BORDER)."""
        mode = "reflect" if min(img.shape[:2]) > 1 else "edge"  # numpy reflects repeatedly when the pad is long
        return self.pad(np.pad(img, ((BORDER, BORDER), (BORDER, BORDER), (0, 0)), mode=mode))

    def pad(self, img: np.ndarray) -> np.ndarray:
        """Pad bottom/right to multiples of `multiple` (and at least 4x it, for the network's own padding)."""
        m = self.multiple
        h, w = img.shape[:2]
        ph, pw = max(-h % m, 4 * m - h), max(-w % m, 4 * m - w)
        if not ph and not pw:
            return img
        mode = "reflect" if min(h, w) > 1 else "edge"  # numpy reflects repeatedly when the pad is long
        return np.pad(img, ((0, ph), (0, pw), (0, 0)), mode=mode)

    def measure_stats(self, img: np.ndarray, direction: str, max_pixels: int = STATS_PIXELS) -> np.ndarray:
        """The generator's normalisation statistics for the whole image (downscaled to <= max_pixels)."""
        h, w = img.shape[:2]
        s = min(1.0, (max_pixels / (h * w)) ** 0.5)
        if s < 1.0:
            size = (max(self.multiple, round(w * s)), max(self.multiple, round(h * s)))
            img = np.asarray(Image.fromarray(img).resize(size, Image.BOX))
        return self.run_graph(direction, self.pad(img), None, release=True)[1]

    # ----- public -------------------------------------------------------------------------------------
    def stylize(self, rgb: np.ndarray, direction: str = "a2b", strength: float = 1.0, tile: int | None = None,
                overlap: int = DEFAULT_OVERLAP, stats_pixels: int = STATS_PIXELS,
                progress: Progress | None = None) -> np.ndarray:
        """Translate uint8 RGB [H, W, 3]; `strength` blends with the input; `tile` forces tiling (None: auto)."""
        self.check_direction(direction)
        if not 0.0 <= strength <= 1.0:
            raise AssetganError(f"--strength {strength}: must be between 0 and 1")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise AssetganError(f"image array {rgb.shape} {rgb.dtype}: expected uint8 [H, W, 3]")
        progress = progress or NullProgress()
        t0 = time.perf_counter()
        h, w = rgb.shape[:2]
        canvas, b = self.canvas(rgb), BORDER
        if tile is None and h * w <= WHOLE_PIXELS:
            progress.update(0, 1)
            out = self.run_graph(direction, canvas, None)[0][b : b + h, b : b + w]
            progress.update(1, 1)
        else:
            out = self._tiled(canvas, direction, tile or DEFAULT_TILE, overlap, stats_pixels, progress)
            out = out[b : b + h, b : b + w]
        if strength < 1.0:
            out = np.round(rgb + (out.astype(np.float32) - rgb) * strength).astype(np.uint8)
        self.last_seconds = time.perf_counter() - t0
        return out

    def _tiled(self, canvas: np.ndarray, direction: str, tile: int, overlap: int, stats_pixels: int,
               progress: Progress) -> np.ndarray:
        m = self.multiple
        if tile < 8 * m:
            raise AssetganError(f"--tile {tile}: must be at least {8 * m} pixels")
        h, w = canvas.shape[:2]
        tiles = plan_tiles(h, w, tile, overlap, m)
        progress.update(0, len(tiles) + 1)
        stats = self.measure_stats(canvas, direction, stats_pixels)
        blend = Blend(tiles, h, w, -(-overlap // m) * m)
        for i, t in enumerate(tiles):
            if progress.aborted():
                raise Cancelled("stylize cancelled")
            blend.add(t, self.run_graph(direction, canvas[t.y0 : t.y1, t.x0 : t.x1], stats)[0])
            progress.update(i + 2, len(tiles) + 1)
        return blend.finish()


def _release_options():
    """Run options that shrink the CPU memory arena to what is in use once the call returns."""
    import onnxruntime as ort

    opts = ort.RunOptions()
    opts.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return opts


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise AssetganError(f"--direction {direction}: must be a2b or b2a")
    return direction


def open_style_model(path: str | Path, providers: Sequence[str] | None = None) -> StyleModel:
    """Open an assetgan CycleGAN model; refuses non-ONNX files, foreign ONNX and DCGAN models."""
    path = Path(path)
    sess, used, note = open_session(path, providers)
    return StyleModel(path, read_card(path, sess, "cyclegan"), used, note, sess)
