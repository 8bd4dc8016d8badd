"""`inspect_folder`: what a folder of images holds: sizes, modes, transparency, duplicates, problems."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import ImageError
from ..core.paths import shown
from .imageio import DEFAULT_MAX_PIXELS, clear_transparent_rgb, is_transparent, open_image, to_rgba8
from .sources import MIN_SIDE, SkippedPath, find_image_files, source_name, too_small_reason

# Longest list `format_report` prints before summarising the rest as "… and N more".
LIST_LIMIT = 20


@dataclass
class InspectReport:
    """Counts and problems found in a folder of images; names are relative to `path`."""

    path: Path
    total_files: int = 0  # files with an image suffix (or the single file given)
    readable: int = 0  # files that decoded
    sizes: Counter[str] = field(default_factory=Counter)  # "WxH" -> readable files
    modes: Counter[str] = field(default_factory=Counter)  # original Pillow mode ("P", "I;16") -> files
    transparent: int = 0  # readable files with any pixel that is not fully opaque
    duplicate_groups: list[list[str]] = field(default_factory=list)  # files with identical pixels
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (name, one-line reason)
    too_small: list[tuple[str, str]] = field(default_factory=list)  # (name, "WxH"), a side < MIN_SIDE
    not_searched: list[SkippedPath] = field(default_factory=list)  # unreadable sub-folders, loops, folder links

    @property
    def unreadable_folders(self) -> list[SkippedPath]:
        """Sub-folders (or entries) that could not be read: their images are missing from the report."""
        return [s for s in self.not_searched if s.unreadable]

    @property
    def redundant(self) -> int:
        """Files that training would drop as copies of an earlier file."""
        return sum(len(group) - 1 for group in self.duplicate_groups)


def inspect_folder(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> InspectReport:
    """Read every image under `path` (a folder, searched recursively, or one file) and report on them.

    Raises `AssetganError` when the path does not exist or holds no image files; unreadable files, and
    sub-folders and links that were not searched, are listed in the report, not raised.
    """
    root = Path(path)
    not_searched: list[SkippedPath] = []
    files = find_image_files(root, not_searched.append)
    report = InspectReport(path=root, total_files=len(files), not_searched=not_searched)
    groups: dict[bytes, list[str]] = {}
    for file in files:
        name = source_name(file, root)
        try:
            mode, rgba = _read_with_mode(file, max_pixels)
        except ImageError as exc:
            report.unreadable.append((name, exc.reason))
            continue
        h, w = rgba.shape[:2]
        report.readable += 1
        report.sizes[f"{w}x{h}"] += 1
        report.modes[mode] += 1
        report.transparent += is_transparent(rgba)
        if too_small_reason(w, h):
            report.too_small.append((name, f"{w}x{h}"))
        groups.setdefault(pixel_digest(rgba), []).append(name)
    report.duplicate_groups = [names for names in groups.values() if len(names) > 1]
    return report


def pixel_digest(rgba: np.ndarray) -> bytes:
    """Hash of an image's size and visible pixels (colour under fully transparent pixels is ignored)."""
    h, w = rgba.shape[:2]
    digest = hashlib.sha256(f"{w}x{h}:".encode())
    digest.update(clear_transparent_rgb(rgba).tobytes())
    return digest.digest()


def format_report(report: InspectReport) -> str:
    """The report as plain text lines for the CLI; every name is escaped (`shown`) so an entry keeps to one line."""
    lines = [f"{shown(report.path)}: {report.total_files} image files, {report.readable} readable"]
    lines.append(f"sizes: {_counts(report.sizes)}")
    lines.append(f"modes: {_counts(report.modes)}")
    lines.append(f"transparency: {report.transparent} of {report.readable} readable files")
    if report.duplicate_groups:
        lines.append(
            f"duplicates: {len(report.duplicate_groups)} groups of identical images "
            f"({report.redundant} redundant files)"
        )
        lines += _limited([", ".join(shown(name) for name in group) for group in report.duplicate_groups])
    else:
        lines.append("duplicates: none")
    lines.append(f"unreadable: {len(report.unreadable) or 'none'}")
    lines += _limited([f"{shown(name)}: {shown(reason)}" for name, reason in report.unreadable])
    lines.append(f"too small (under {MIN_SIDE} px on a side): {len(report.too_small) or 'none'}")
    lines += _limited([f"{shown(name)} ({size})" for name, size in report.too_small])
    lines.append(f"folders and links not searched: {len(report.not_searched) or 'none'}")
    lines += _limited([f"{shown(s.name)}: {s.reason}" for s in report.not_searched])
    if report.unreadable or report.too_small or report.duplicate_groups:
        lines.append("training skips unreadable and too-small files and keeps one copy of each duplicate")
    return "\n".join(lines)


def _read_with_mode(file: Path, max_pixels: int) -> tuple[str, np.ndarray]:
    """The file's original Pillow mode and its pixels as uint8 HxWx4."""
    im = open_image(file, max_pixels=max_pixels)
    with im:
        mode = im.mode
        try:
            return mode, to_rgba8(im)
        except (OSError, ValueError) as exc:
            raise ImageError(file, f"cannot convert mode {mode} ({exc})") from None


def _counts(counter: Counter[str]) -> str:
    if not counter:
        return "none"
    return ", ".join(f"{key} ({n})" for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _limited(items: list[str]) -> list[str]:
    shown = [f"  {item}" for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        shown.append(f"  … and {len(items) - LIST_LIMIT} more")
    return shown
