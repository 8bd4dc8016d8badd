"""Stylize image files: inputs from files, folders and globs; sRGB, EXIF and alpha handled; atomic outputs.

One code path for `assetgan stylize` and the desktop app's Stylize tab.
"""

from __future__ import annotations

import glob
import io
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..core.atomic import atomic_write_bytes
from ..core.errors import AssetganError, ImageError
from ..core.out_dir import check_folder_path, is_inside, resolved
from ..core.paths import write_error
from ..core.progress import NullProgress, Progress
from ..data.imageio import IMAGE_SUFFIXES, iter_image_files, open_image, to_rgba8
from .pixel_grid import MIN_LINES, WORK_SCALE, PixelArtMode, PixelGrid, detect_grid, from_native, to_native
from .png_fast import encode_png
from .stylize import StyleModel

# Inputs above this many pixels are refused before decoding (16000 x 16000 would need several GB).
MAX_STYLIZE_PIXELS = 64 * 1024 * 1024


@dataclass
class StylizeJob:
    """One input file and where its result goes."""

    src: Path
    dst: Path


@dataclass(frozen=True)
class Stylized:
    """One stylized image and what `--pixel-art` did with it."""

    rgb: np.ndarray  # uint8 [H, W, 3], the input's size
    grid: PixelGrid | None  # the pixel grid it was stylized on; None: at full resolution
    note: str | None  # one line for the user about the grid; None with --pixel-art off


@dataclass
class StylizeReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursive) and glob patterns -> image files, in order, without duplicates."""
    seen: dict[Path, None] = {}
    for spec in inputs:
        text = str(spec)
        p = Path(text)
        if p.exists():
            found = list(iter_image_files(p))
            if p.is_dir() and not found:
                raise AssetganError(f"{p}: no image files found (.png, .jpg, .webp…); point at images")
        elif any(ch in text for ch in "*?["):
            found = [Path(m) for m in sorted(glob.glob(text, recursive=True))
                     if Path(m).is_file() and Path(m).suffix.lower() in IMAGE_SUFFIXES]
            if not found:
                raise AssetganError(f"{text}: the pattern matches no image files")
        else:
            raise AssetganError(f"{text}: no such file or folder; check the path")
        for f in found:
            seen.setdefault(f, None)
    return list(seen)


def check_suffix(suffix: str) -> str:
    """A --suffix is part of a file name: no folder separators, no control characters, at most 64 characters."""
    if len(suffix) > 64 or any(c in suffix for c in "/\\:") or not suffix.isprintable():
        raise AssetganError(f"--suffix {suffix[:70]!r}: must be at most 64 printable characters without '/', '\\' "
                            "or ':'; it is added to each output's file name")
    return suffix


def plan_jobs(files: list[Path], out_dir: Path | None, suffix: str, protected: Iterable[Path] = ()) -> list[StylizeJob]:
    """Output path per input: `out_dir/<stem><suffix>.png` (beside the input when out_dir is None).

    Every output lies directly in its folder; none is an input or a `protected` file (the model), whatever
    `overwrite` says, and two inputs with the same stem (also ignoring case) get distinct outputs.
    """
    check_suffix(suffix)
    if out_dir is not None:
        check_folder_path(out_dir)
    inputs = {_key(f) for f in [*files, *protected]}
    jobs, used = [], set()
    for f in files:
        folder = out_dir if out_dir is not None else f.parent
        stem = f"{f.stem}{suffix}"
        dst = folder / f"{stem}.png"
        n = 2
        while _key(dst) in used:
            dst = folder / f"{stem}-{n}.png"
            n += 1
        if dst.parent != folder or not is_inside(folder, dst):
            raise AssetganError(f"{dst}: would be written outside {folder}; choose another --suffix")
        if _key(dst) in inputs:
            raise AssetganError(f"{dst}: would overwrite an input of this run; choose another --suffix or --out")
        used.add(_key(dst))
        jobs.append(StylizeJob(f, dst))
    return jobs


def _key(path: Path) -> str:
    """A path as the file system may see it: resolved, and compared without case (Windows and macOS)."""
    return str(resolved(path, "path")).casefold()


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert with the embedded ICC profile to sRGB when there is one (CMYK, Adobe RGB, Display P3...)."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info else "RGB"
        if im.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
            im = im.convert("RGBA" if mode == "RGBA" else "RGB")
        if im.mode == "LA":
            im = im.convert("RGBA")
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=out_mode)
    except Exception:  # a broken profile must not make a good image unusable: use the numbers as they are
        return im


def read_for_stylize(path: Path, max_pixels: int = MAX_STYLIZE_PIXELS) -> tuple[np.ndarray, np.ndarray | None]:
    """(RGB uint8 [H, W, 3] in sRGB, alpha uint8 [H, W] or None when the image is opaque)."""
    im = open_image(path, max_pixels=max_pixels)  # EXIF orientation applied
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    try:
        im = _to_srgb(im)
        if im.mode == "RGB" and not has_alpha:  # the common case, without a detour through RGBA
            return np.asarray(im, dtype=np.uint8).copy(), None
        rgba = to_rgba8(im)
    except (OSError, ValueError) as exc:
        raise ImageError(path, f"cannot convert mode {im.mode} ({exc})") from None
    alpha = rgba[..., 3].copy() if has_alpha else None
    return np.ascontiguousarray(rgba[..., :3]), alpha


def encode_result(rgb: np.ndarray, alpha: np.ndarray | None) -> bytes:
    """A lossless PNG of the result (RGBA when there is alpha); the same pixels give the same bytes."""
    return encode_png(np.dstack([rgb, alpha]) if alpha is not None else rgb)


def stylize_image(model: StyleModel, rgb: np.ndarray, alpha: np.ndarray | None, direction: str,
                  strength: float = 1.0, tile: int | None = None, pixel_art: PixelArtMode = PixelArtMode.off,
                  progress: Progress | None = None) -> Stylized:
    """Stylize uint8 RGB [H, W, 3]; pixel art (a grid found by `auto`, or by `on` on less evidence) at its native
    size, then scaled back.

    On a pixel grid the native image is stylized at `min(k, WORK_SCALE)` times its size (each native pixel a few
    pixels wide, the scale the network learned brush strokes at: at 1x colours wash out and one-pixel details
    vanish), each block averaged back to one native pixel, and scaled up by exactly k: the result keeps the grid
    (each k x k block one colour) and, where alpha is 0, the input's RGB, so hidden colours stay as they were.
    `off` is the plain full-resolution run. `tile` counts work-scale pixels.
    """
    pixel_art = PixelArtMode(pixel_art)
    grid = None if pixel_art is PixelArtMode.off else \
        detect_grid(rgb, alpha, min_lines=MIN_LINES if pixel_art is PixelArtMode.auto else 2)
    if grid is None:
        out = model.stylize(rgb, direction, strength, tile, progress=progress)
        note = None if pixel_art is PixelArtMode.off else \
            "no integer pixel grid found; stylizing at full resolution"
        return Stylized(out, None, note)
    s = min(grid.factor, WORK_SCALE)
    native = to_native(rgb, grid)  # [h, w, 3]
    work = np.repeat(np.repeat(native, s, axis=0), s, axis=1)  # [s*h, s*w, 3]
    styled = model.stylize(work, direction, strength, tile, progress=progress)
    h, w = native.shape[:2]
    back = styled.reshape(h, s, w, s, 3).astype(np.float32).mean(axis=(1, 3))  # one colour per native pixel
    out = from_native(np.clip(np.rint(back), 0, 255).astype(np.uint8), grid)
    if alpha is not None:
        hidden = alpha == 0
        out[hidden] = rgb[hidden]
    return Stylized(out, grid, f"pixel art at {grid.describe()}, stylized at {s}x native size")


class ReadAhead:
    """Decodes the next input on a background thread while the current one is being stylized (or while the model
    loads): Pillow's decoders and ONNX Runtime's session set-up release the GIL. A file's errors come out when it
    is read, exactly as a direct `read_for_stylize` would raise them. Prefetch every file before reading it, so
    that all decoding stays on the one thread: decoding sets Python's process-wide warning filters for its
    duration, which two decoding threads at once could leave changed."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="read-ahead")
        self._pending: dict[Path, Future] = {}

    def prefetch(self, path: Path) -> None:
        if path not in self._pending:
            self._pending[path] = self._pool.submit(read_for_stylize, path)

    def read(self, path: Path) -> tuple[np.ndarray, np.ndarray | None]:
        pending = self._pending.pop(path, None)
        return pending.result() if pending is not None else read_for_stylize(path)

    def close(self) -> None:
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)  # a decode under way finishes; queued ones are dropped

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stylize_file(model: StyleModel, job: StylizeJob, direction: str, strength: float, tile: int | None,
                 progress: Progress | None = None, pixel_art: PixelArtMode = PixelArtMode.off,
                 on_note: Callable[[Path, str], None] | None = None, reader: ReadAhead | None = None) -> Path:
    """Stylize one file to `job.dst` (written to a temporary name, then renamed); alpha passes through."""
    rgb, alpha = reader.read(job.src) if reader is not None else read_for_stylize(job.src)
    result = stylize_image(model, rgb, alpha, direction, strength, tile, pixel_art, progress)
    if result.note and on_note:
        on_note(job.src, result.note)
    try:
        job.dst.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(job.dst, encode_result(result.rgb, alpha))
    except OSError as exc:  # a full disk, a read-only or vanished folder: every later file would fail alike
        raise write_error(job.dst, exc, "write the result", note="; the results written so far are complete") \
            from None
    return job.dst


def stylize_jobs(model: StyleModel, jobs: list[StylizeJob], direction: str, strength: float = 1.0,
                 tile: int | None = None, progress: Progress | None = None,
                 on_skip: Callable[[Path, str], None] | None = None,
                 on_done: Callable[[StylizeJob], None] | None = None,
                 pixel_art: PixelArtMode = PixelArtMode.off,
                 on_note: Callable[[Path, str], None] | None = None,
                 reader: ReadAhead | None = None) -> StylizeReport:
    """Stylize every job; an unreadable file is reported through `on_skip` and the batch goes on.

    `pixel_art` as in `stylize_image`; `on_note(input, line)` hears what it did with each image (not with off).
    The next input is decoded while the current one is stylized (on `reader`, which may already hold the first).
    """
    progress = progress or NullProgress()
    report = StylizeReport()
    with ReadAhead() if reader is None else nullcontext(reader) as ahead:
        for i, job in enumerate(jobs):
            if progress.aborted():
                break
            progress.update(i, len(jobs))
            for later in jobs[i : i + 2]:
                ahead.prefetch(later.src)
            try:
                report.written.append(stylize_file(model, job, direction, strength, tile, _Inner(progress),
                                                   pixel_art, on_note, ahead))
            except ImageError as exc:
                report.skipped.append((job.src, exc.reason))
                if on_skip:
                    on_skip(job.src, exc.reason)
                continue
            if on_done:
                on_done(job)
    progress.update(len(report.written) + len(report.skipped), len(jobs))
    return report


class _Inner:
    """Passes cancellation into a single image's tiles without reporting per-tile progress upward."""

    def __init__(self, outer: Progress) -> None:
        self.outer = outer

    def update(self, done: int, total: int | None, metrics=None) -> None:
        return None

    def aborted(self) -> bool:
        return self.outer.aborted()
