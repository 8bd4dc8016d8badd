"""The Train tab's data check: what a folder or sprite sheet holds and the settings it suggests. No Qt, no torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assetgan.core.errors import AssetganError
from assetgan.core.paths import shown
from assetgan.data.imageio import IMAGE_SUFFIXES, read_rgba
from assetgan.data.inspect import InspectReport, inspect_folder
from assetgan.data.labels import Labels, resolve_labels
from assetgan.data.slicing import cut_sheet, parse_tile
from assetgan.data.sources import find_image_files, source_name

SIZES = (16, 32, 64, 128)  # the sizes `assetgan train dcgan --size` accepts
BAD_LIMIT = 5  # bad files listed by name before "… and N more"


@dataclass
class DataCheck:
    """What training would find in `path`: counts, sizes, classes, bad files, and a blocking `problem` if any."""

    path: Path
    sheet: bool  # a single image, cut into tiles
    total: int = 0  # image files found (1 for a sheet)
    usable: int = 0  # images (or sheet tiles) training can use
    sizes: str = ""  # "32x32 (45), 32x48 (3)"
    transparent: int = 0  # readable files with transparency
    readable: int = 0
    bad: list[str] = field(default_factory=list)  # "name: reason", one line each
    classes: str = ""  # what the labels give: "2: item (22), mon (26)" or "none (…)"
    notes: list[str] = field(default_factory=list)  # what training drops that is not a bad file (empty cells)
    problem: str = ""  # one line; training cannot start while set

    @property
    def size(self) -> int:
        """The suggested --size: the largest accepted side that fits the most common image (or tile) size."""
        side = _common_side(self.sizes)
        return max([s for s in SIZES if s <= side] or [SIZES[0]])

    @property
    def channels(self) -> int:
        """The suggested --channels: 4 (RGBA sprites) when most images have transparency, else 3 (textures)."""
        return 4 if self.transparent * 2 > self.readable else 3

    def lines(self) -> list[str]:
        """The check as short lines for people."""
        what = "sprite sheet" if self.sheet else "folder"
        unit = "tiles" if self.sheet else "images"
        out = [f"{what}: {self.total} image file{'s' if self.total != 1 else ''}, {self.usable} usable {unit}",
               f"sizes: {self.sizes or 'none'}"]
        if self.classes:
            out.append(f"classes: {self.classes}")
        out += self.notes
        if self.bad:
            out.append(f"bad files ({len(self.bad)}, skipped):")
            out += [f"  {b}" for b in self.bad[:BAD_LIMIT]]
            if len(self.bad) > BAD_LIMIT:
                out.append(f"  … and {len(self.bad) - BAD_LIMIT} more")
        return out


def is_sheet(path: Path) -> bool:
    """A single image file (a sprite sheet), as opposed to a folder of images."""
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES


def check_data(path: Path, tile: str = "", labels: str = "auto", label_depth: int = 1) -> DataCheck:
    """Inspect `path` (a folder, or one sheet cut into `tile` WxH tiles) and resolve its classes by `labels`;
    every problem becomes a one-line `problem` or an entry in `bad`, never an exception."""
    path = Path(path)
    check = DataCheck(path, is_sheet(path))
    try:
        report = inspect_folder(path)
    except AssetganError as exc:
        check.problem = str(exc)
        return check
    check.total, check.readable, check.transparent = report.total_files, report.readable, report.transparent
    check.sizes = ", ".join(f"{k} ({n})" for k, n in report.sizes.most_common())
    check.bad = [f"{n}: {why}" for n, why in report.unreadable] + [f"{n}: too small ({wh})" for n, wh in
                                                                  report.too_small]
    try:
        if check.sheet:
            _check_sheet(check, path, tile)
        else:
            _check_folder(check, path, report, labels, label_depth)
    except AssetganError as exc:
        check.problem = str(exc)
    if not check.problem and check.usable == 0:
        check.problem = f"{shown(path)}: no usable images; point at a folder of PNG sprites or a sprite sheet"
    return check


def _check_sheet(check: DataCheck, path: Path, tile: str) -> None:
    if not tile.strip():
        raise AssetganError(f"{shown(path.name)} is a sprite sheet: enter its tile size, e.g. 32x32")
    w, h = parse_tile(tile)
    cells = cut_sheet(read_rgba(path), w, h)
    check.usable = len(cells.tiles)
    check.sizes = f"{check.sizes}, cut into {cells.rows} x {cells.cols} tiles of {w}x{h}"
    check.classes = "none (a sheet trains one class)"
    if cells.empty or cells.duplicates:
        check.notes.append(f"dropped: {cells.empty} empty and {cells.duplicates} repeated cells")


def _check_folder(check: DataCheck, path: Path, report: InspectReport, labels: str, depth: int) -> None:
    bad = {n for n, _ in report.unreadable} | {n for n, _ in report.too_small}
    names = [n for n in (source_name(f, path) for f in find_image_files(path)) if n not in bad]
    check.usable = len(names) - report.redundant
    if report.redundant:
        check.notes.append(f"dropped: {report.redundant} exact copies of other images")
    if names:
        check.classes = describe_labels(resolve_labels(names, path, labels, depth))


def describe_labels(labels: Labels) -> str:
    """Classes in one line: "2: item (22), mon (26)", or "none" with why."""
    if not labels.conditional:
        return f"none ({labels.note})" if labels.note else "none (one model for all images)"
    listed = ", ".join(f"{c} ({n})" for c, n in zip(labels.classes, labels.counts))
    return f"{len(labels.classes)}: {listed}"


def _common_side(sizes: str) -> int:
    """The shorter side of the first "WxH" in `sizes` (the most common, or the sheet's tiles), else 32."""
    text = sizes.rsplit(" of ", 1)[-1] if " of " in sizes else sizes
    try:
        w, h = text.split(" ", 1)[0].split("x")
        return min(int(w), int(h))
    except ValueError:
        return 32
