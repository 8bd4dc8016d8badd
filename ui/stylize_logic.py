"""The Stylize tab's logic without Qt: style models, directions, inputs, preview downscale and blend, output plans.

Files go through `assetgan.runtime.stylize_io`, the code path of `assetgan stylize`, so the tab writes the same
bytes as the command line for the same inputs and options.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from assetgan.core.errors import AssetganError
from assetgan.core.progress import Progress
from assetgan.runtime.card import ModelCard
from assetgan.runtime.pixel_grid import PixelArtMode
from assetgan.runtime.stylize import StyleModel
from assetgan.runtime.stylize_io import (
    StylizeJob,
    StylizeReport,
    expand_inputs,
    plan_jobs,
    read_for_stylize,
    stylize_jobs,
)

from .library import LibraryModel

DEFAULT_STYLE_MODEL = "monet"  # the shipped photo -> monet model, as in `assetgan stylize`
PREVIEW_SIDE = 768  # the quick preview runs on a copy whose longest side is at most this
CACHE_PIXELS = 24_000_000  # previews kept for going back: about 150 MB of before/after pairs
PIXEL_ART_CHOICES = [(PixelArtMode.auto, "auto"), (PixelArtMode.on, "on"), (PixelArtMode.off, "off")]
NO_MODEL_HINT = ("No style-transfer (cyclegan) model is installed. The shipped one is monet (photo → monet); add a "
                 "cyclegan .onnx with Library › Add model… or by dropping it on the window, or train one with "
                 "`assetgan train cut` or `assetgan train cyclegan`.")


# ---- models and directions
def style_models(library: Iterable[LibraryModel]) -> list[LibraryModel]:
    """The library's cyclegan models, in library order (shipped first)."""
    return [m for m in library if m.card is not None and m.card.kind == "cyclegan"]


def default_style_model(models: list[LibraryModel]) -> LibraryModel | None:
    """monet when installed, else the first cyclegan model."""
    return next((m for m in models if m.name == DEFAULT_STYLE_MODEL), models[0] if models else None)


def domains(card: ModelCard) -> tuple[str, str]:
    """(domain A, domain B) names; "a"/"b" when the card names none."""
    a, b = (list(card.domains) + ["a", "b"])[:2]
    return a, b


def direction_choices(card: ModelCard) -> list[tuple[str, str]]:
    """[(direction, label)] of the directions the file holds, e.g. [("a2b", "photo → monet"), ("b2a", "monet →
    photo")]."""
    a, b = domains(card)
    return [(d, label) for d, label in (("a2b", f"{a} → {b}"), ("b2a", f"{b} → {a}")) if d in card.translations]


def target_domain(card: ModelCard, direction: str) -> str:
    a, b = domains(card)
    return b if direction == "a2b" else a


def default_suffix(card: ModelCard, direction: str) -> str:
    """What `assetgan stylize` adds to output names by default: '.<target domain>'."""
    return f".{target_domain(card, direction)}"


# ---- inputs
@dataclass
class Added:
    """The result of adding paths to the input list: the new list and one line per refused path."""

    files: list[Path]
    refused: list[str] = field(default_factory=list)


def add_inputs(current: list[Path], paths: Iterable[Path]) -> Added:
    """Files and folders (recursive) appended to `current` without duplicates, through `expand_inputs`.

    Paths that are not images (wrong extension), missing, or folders without images are refused with a reason;
    the rest are added. Corrupt image files are found when they are read (preview or batch) and skipped then.
    """
    from assetgan.data.imageio import IMAGE_SUFFIXES

    out = Added(list(current))
    seen = {p.resolve() for p in current}
    for p in paths:
        p = Path(p)
        if p.is_file() and p.suffix.lower() not in IMAGE_SUFFIXES:
            out.refused.append(f"{p.name}: not an image file ({', '.join(sorted(IMAGE_SUFFIXES))})")
            continue
        try:
            found = expand_inputs([p])
        except AssetganError as exc:
            out.refused.append(str(exc))
            continue
        for f in found:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.files.append(f)
    return out


# ---- preview
def downscale(rgb: np.ndarray, max_side: int = PREVIEW_SIDE) -> np.ndarray:
    """uint8 [H, W, 3] with the longest side at most `max_side` (area-averaged); smaller images are kept."""
    h, w = rgb.shape[:2]
    s = max_side / max(h, w)
    if s >= 1.0:
        return rgb
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.BOX))


def blend(before: np.ndarray, after: np.ndarray, strength: float) -> np.ndarray:
    """input + s * (output - input), rounded, exactly as StyleModel.stylize blends; s = 1 is the output itself."""
    if strength >= 1.0:
        return after
    return np.round(before + (after.astype(np.float32) - before) * strength).astype(np.uint8)


PreviewKey = tuple[str, str, str, str]  # (model path, direction, file, pixel-art mode)


@dataclass(frozen=True)
class Preview:
    """An input and its full-strength result for one key: downscaled (quick) or the file's full resolution."""

    key: PreviewKey
    before: np.ndarray  # uint8 [h, w, 3]
    after: np.ndarray  # uint8 [h, w, 3], strength 1
    full_size: tuple[int, int]  # (H, W) of the file
    seconds: float  # inference time of the preview
    full: bool = False  # True: `after` at any strength is what Stylize all writes
    note: str | None = None  # what pixel-art handling did (full results only)

    def at(self, strength: float) -> np.ndarray:
        return blend(self.before, self.after, strength)


def preview_key(model: StyleModel, direction: str, path: Path,
                pixel_art: PixelArtMode = PixelArtMode.auto) -> PreviewKey:
    return (str(model.path), direction, str(path), PixelArtMode(pixel_art).value)


def make_preview(model: StyleModel, direction: str, path: Path, max_side: int = PREVIEW_SIDE,
                 pixel_art: PixelArtMode = PixelArtMode.auto) -> Preview:
    """Read `path` as `assetgan stylize` does, downscale it and stylize at full strength (slow: run in a worker)."""
    rgb, _alpha = read_for_stylize(path)
    small = downscale(rgb, max_side)
    after = model.stylize(small, direction, 1.0)
    return Preview(preview_key(model, direction, path, pixel_art), small, after, rgb.shape[:2], model.last_seconds)


class PreviewCache:
    """The last few previews by key, so going back to an input (or moving the slider) needs no model call.

    At most `size` previews and `max_pixels` before/after pixels (the newest is always kept); a quick preview
    never replaces a full-resolution one of the same key."""

    def __init__(self, size: int = 8, max_pixels: int = CACHE_PIXELS) -> None:
        self.size = size
        self.max_pixels = max_pixels
        self._items: dict[PreviewKey, Preview] = {}

    def get(self, key: PreviewKey) -> Preview | None:
        p = self._items.pop(key, None)
        if p is not None:
            self._items[key] = p  # most recently used last
        return p

    def put(self, p: Preview) -> None:
        old = self._items.pop(p.key, None)
        self._items[p.key] = old if old is not None and old.full and not p.full else p
        while len(self._items) > 1 and (len(self._items) > self.size or sum(
                q.before.shape[0] * q.before.shape[1] for q in self._items.values()) > self.max_pixels):
            self._items.pop(next(iter(self._items)))


# ---- batch
@dataclass(frozen=True)
class BatchPlan:
    """Where each input goes, and which of those outputs already exist (to ask before overwriting)."""

    jobs: list[StylizeJob]
    existing: list[Path]


def plan_batch(files: list[Path], out_dir: Path | None, suffix: str) -> BatchPlan:
    """Outputs beside the inputs (out_dir None) or in out_dir; an output that would replace an input is refused
    (AssetganError), as `assetgan stylize` does without --overwrite."""
    if not files:
        raise AssetganError("no input images: open files or a folder first")
    jobs = plan_jobs(files, out_dir, suffix)
    return BatchPlan(jobs, [j.dst for j in jobs if j.dst.exists()])


def overwrite_question(existing: list[Path], limit: int = 8) -> str:
    names = "\n".join(f"  {p}" for p in existing[:limit])
    more = f"\n  … and {len(existing) - limit} more" if len(existing) > limit else ""
    return (f"{len(existing)} output file(s) already exist and would be replaced:\n{names}{more}\n\n"
            "Overwrite them? Inputs are never replaced.")


def run_batch(model: StyleModel, plan: BatchPlan, direction: str, strength: float, progress: Progress,
              on_done: Callable[[StylizeJob], None] | None = None, pixel_art: PixelArtMode = PixelArtMode.auto,
              on_note: Callable[[Path, str], None] | None = None) -> StylizeReport:
    """stylize_jobs on the plan (whole image up to ~2.2 Mpixels, tiles above, as the CLI without --tile);
    `pixel_art` and `on_note` as the CLI's --pixel-art and its notes.

    Unreadable inputs are skipped (in the report); an unwritable output folder stops the batch with one
    AssetganError naming the folder. Files already written stay; nothing is ever half-written (atomic)."""
    finished = [0]

    def count(*_a: object) -> None:
        finished[0] += 1

    def done(job: StylizeJob) -> None:
        count()
        if on_done is not None:
            on_done(job)

    try:
        return stylize_jobs(model, plan.jobs, direction, strength, None, progress, on_skip=count, on_done=done,
                            pixel_art=pixel_art, on_note=on_note)
    except (OSError, AssetganError) as exc:
        if isinstance(exc, AssetganError) and "permission denied" not in str(exc):
            raise
        folder = plan.jobs[min(finished[0], len(plan.jobs) - 1)].dst.parent
        why = "permission denied" if isinstance(exc, AssetganError) else (exc.strerror or str(exc))
        raise AssetganError(f"{folder}: cannot write there ({why}); choose a writable output folder. "
                            f"{finished[0]} of {len(plan.jobs)} images were done before it stopped.") from None


def batch_summary(report: StylizeReport, total: int, cancelled: bool) -> str:
    done = f"{'cancelled: ' if cancelled else ''}stylized {len(report.written)} of {total} images"
    return done + (f" ({len(report.skipped)} skipped)" if report.skipped else "")


def skipped_message(skipped: list[tuple[Path, str]], limit: int = 12) -> str:
    lines = "\n".join(f"  {p.name}: {why}" for p, why in skipped[:limit])
    more = f"\n  … and {len(skipped) - limit} more" if len(skipped) > limit else ""
    return f"{len(skipped)} file(s) could not be read and were skipped; the others were stylized:\n{lines}{more}"


def command_line(model: Path, files: list[Path], out_dir: Path | None, direction: str, strength: float,
                 pixel_art: PixelArtMode = PixelArtMode.auto) -> str:
    """The `assetgan stylize` command that writes the same files."""
    args = ["assetgan", "stylize", str(model), *(str(f) for f in files)]
    if out_dir is not None:
        args += ["--out", str(out_dir)]
    if direction != "a2b":
        args += ["--direction", direction]
    if strength != 1.0:
        args += ["--strength", f"{strength:g}"]
    if PixelArtMode(pixel_art) is not PixelArtMode.auto:
        args += ["--pixel-art", PixelArtMode(pixel_art).value]
    return shlex.join(args)
