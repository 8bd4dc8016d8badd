"""Class labels for conditional training: from the folder each image sits in, or a `file,label` CSV, optionally
merged or dropped by a label map; every problem is one line, found before training starts. Torch-free.

    labels = resolve_labels(loaded.files, data_root, "auto", depth=1, label_map="")
    labels.classes       # ("item", "mon"): names in sorted order, index = class id   (empty: unconditional)
    labels.index         # int64 [N]: each image's class id, -1 for an image left out (dropped or not in the CSV)
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import AssetganError
from ..core.paths import shown

MAX_CLASSES = 64  # the model card's limit, and an embedding per class in G's BatchNorm and in D
MAX_NAME = 64  # characters in a class name
MIN_IMAGES = 2  # a class given explicitly needs at least this many images
AUTO_MIN_IMAGES = 8  # --labels auto goes conditional only when every class has this many
MODES = ("auto", "none", "folders")  # or the path of a .csv file


@dataclass(frozen=True)
class Labels:
    """The classes a run trains on and each image's class."""

    classes: tuple[str, ...]  # class names in sorted order (empty = unconditional)
    counts: tuple[int, ...]  # images per class, aligned with `classes`
    index: np.ndarray  # int64 [N]: class id per image (-1 = left out); all zeros when unconditional
    note: str = ""  # why `auto` trained unconditionally, or what was left out ("" when nothing to say)

    @property
    def conditional(self) -> bool:
        return bool(self.classes)

    def table(self) -> list[str]:
        """The class table as lines: id, name, images."""
        width = max((len(c) for c in self.classes), default=5)
        return [f"{i:>3}  {c:<{width}}  {n:>6}" for i, (c, n) in enumerate(zip(self.classes, self.counts))]


def unconditional(n: int, note: str = "") -> Labels:
    return Labels((), (), np.zeros(n, np.int64), note)


def resolve_labels(files: Sequence[str], root: str | Path, mode: str, depth: int = 1, label_map: str = "") -> Labels:
    """Labels for `files` (names relative to the data root `root`, sheet tiles as "a.png#r01c02") by `mode`:
    "none", "folders" (the first `depth` folders of each file's path), "auto" (folders when every image sits in a
    folder and there are 2-64 classes of at least 8 images, else none) or a CSV file of `file,label` rows.
    `label_map`: a JSON file {"class": "other class" (merge) or null (drop)}. Raises AssetganError (one line)."""
    if depth < 1:
        raise AssetganError(f"--label-depth {depth}: must be 1 or more (1 = the folder right under DATA)")
    if mode == "none":
        return unconditional(len(files))
    if mode in ("auto", "folders"):
        names = [_folder_label(f, depth) for f in files]
        if mode == "auto" and (not files or any(n is None for n in names)):
            return unconditional(len(files), "some images sit directly in DATA, in no class folder")
    else:
        names = _csv_labels(Path(mode), Path(root), files)
    if mode == "folders" and any(n is None for n in names):
        first = next(f for f, n in zip(files, names) if n is None)
        raise AssetganError(f"--labels folders: {shown(first)} sits directly in DATA, in no class folder; move it "
                            "into one, or pass --labels FILE.csv")
    for name in names:
        if name is not None:
            _check_name(name, "--labels folders" if mode in ("auto", "folders") else f"--labels {shown(mode)}")
    if label_map:
        names = _apply_map(names, Path(label_map))
    counts = Counter(n for n in names if n is not None)
    if mode == "auto" and not (2 <= len(counts) <= MAX_CLASSES and min(counts.values()) >= AUTO_MIN_IMAGES):
        return unconditional(len(files), f"{len(counts)} folder classes (conditional needs 2-{MAX_CLASSES} of at "
                                         f"least {AUTO_MIN_IMAGES} images each)")
    return _finish(names, counts, mode)


def _finish(names: list[str | None], counts: Counter[str], mode: str) -> Labels:
    src = "--labels " + (mode if mode in MODES else shown(mode))
    if len(counts) > MAX_CLASSES:
        raise AssetganError(f"{src}: {len(counts)} classes, at most {MAX_CLASSES}; merge classes with --label-map "
                            "FILE.json or pick a shallower --label-depth")
    if len(counts) < 2:
        raise AssetganError(f"{src}: {len(counts)} class{'es' if len(counts) != 1 else ''}; conditional training "
                            "needs at least 2 (pass --labels none to train without classes)")
    small = sorted((n, c) for c, n in counts.items() if n < MIN_IMAGES)
    if small:
        n, c = small[0]
        raise AssetganError(f"{src}: class {c!r} has {n} image{'s' if n != 1 else ''}, at least {MIN_IMAGES} needed; "
                            "add images or merge it into another class with --label-map FILE.json")
    classes = tuple(sorted(counts))
    ids = {c: i for i, c in enumerate(classes)}
    index = np.array([ids[n] if n is not None else -1 for n in names], np.int64)
    left = int((index < 0).sum())
    note = f"{left} image{'s' if left != 1 else ''} in no class left out" if left else ""
    return Labels(classes, tuple(counts[c] for c in classes), index, note)


def _folder_label(file: str, depth: int) -> str | None:
    """The first `depth` folders of `file`'s path (fewer where it sits higher up); None directly under the root."""
    parts = file.split("#", 1)[0].split("/")[:-1]
    return "/".join(parts[:depth]) if parts else None


def _check_name(name: str, src: str) -> None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise AssetganError(f"{src}: class name {shown(name)} is not UTF-8; rename the folder or file") from None
    if not name.strip():
        raise AssetganError(f"{src}: an empty class name; give every image a label")
    if len(name) > MAX_NAME or not name.isprintable():
        raise AssetganError(f"{src}: class name {shown(name)[:80]!r} must be 1-{MAX_NAME} printable characters")


def _csv_labels(path: Path, root: Path, files: Sequence[str]) -> list[str | None]:
    """Each file's label from `path`'s `file,label` rows (file relative to DATA; a sheet's rows label all its tiles;
    a "file,label" header is skipped); a file the CSV does not name gets None (left out)."""
    src = f"--labels {shown(path)}"
    if path.suffix.lower() != ".csv":
        raise AssetganError(f"{src}: unknown; pass auto, none, folders or a FILE.csv of file,label rows")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssetganError(f"{src}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise AssetganError(f"{src}: cannot read it ({(exc.strerror or type(exc).__name__).lower()}); check the "
                            "path") from None
    by_file: dict[str, str] = {}
    for line, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or (line == 1 and [c.strip().lower() for c in row] == ["file", "label"]):
            continue
        if len(row) != 2:
            raise AssetganError(f"{src}: line {line} has {len(row)} fields; write file,label rows")
        file, label = row[0].strip().replace("\\", "/"), row[1].strip()
        if not label:
            raise AssetganError(f"{src}: line {line}: {shown(file)} has an empty label; give it one or remove the "
                                "row")
        _check_name(label, f"{src}: line {line}")
        if not ((root / file).is_file() if root.is_dir() else file == root.name):
            raise AssetganError(f"{src}: line {line} names {shown(file)}, which is not a file under {shown(root)}; "
                                "fix the path (relative to DATA) or remove the row")
        by_file[file] = label
    if not by_file:
        raise AssetganError(f"{src}: no file,label rows; label the images or pass --labels folders")
    return [by_file.get(f.split("#", 1)[0]) for f in files]


def read_label_map(path: Path) -> dict[str, str | None]:
    """A label map file: a JSON object of class -> class it merges into (a string) or null (dropped)."""
    from ..core.safe_json import loads

    src = f"--label-map {shown(path)}"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AssetganError(f"{src}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise AssetganError(f"{src}: cannot read it ({(exc.strerror or type(exc).__name__).lower()}); check the "
                            "path") from None
    data = loads(text, src)
    if isinstance(data, dict) and isinstance(data.get("map"), dict):
        data = data["map"]  # {"about": "...", "map": {...}}: a documented map file
    if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
        raise AssetganError(f"{src}: must be a JSON object of class -> class it merges into, or null to drop it, "
                            "e.g. {\"mon/aberr\": \"mon/eyes\", \"mon/sprint\": null}")
    for target in data.values():
        if target is not None:
            _check_name(target, src)
    return data


def _apply_map(names: list[str | None], path: Path) -> list[str | None]:
    mapping = read_label_map(path)
    known = {n for n in names if n is not None}
    unknown = sorted(k for k in mapping if k not in known)
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise AssetganError(f"--label-map {shown(path)}: names class {unknown[0]!r}{more}, which the data does not "
                            f"have; its classes: {', '.join(sorted(known))[:200]}")
    return [mapping.get(n, n) if n is not None else None for n in names]


def folder_classes(files: Sequence[str], depth: int, label_map: str = "") -> list[str | None]:
    """The class of each file by its folders (`depth` levels) after `label_map`, for images outside a run (held-out
    or test folders laid out like the training data): unlike `resolve_labels`, classes absent here are no error."""
    names = [_folder_label(f, depth) for f in files]
    if not label_map:
        return names
    mapping = read_label_map(Path(label_map))
    return [mapping.get(n, n) if n is not None else None for n in names]
