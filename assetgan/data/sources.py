"""Finding the image files under a user's path, with one-line errors for a missing path or an empty folder.

The search is the one `assetgan.data.imageio.iter_image_files` does (recursive, sorted, hidden names skipped, links to
folders not followed), but nothing is passed over in silence: a sub-folder that cannot be read, a symlink loop, a
link to a folder and a broken link to an image are each reported with the reason and the fix.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import AssetganError
from ..core.paths import is_symlink_loop, shown
from .imageio import IMAGE_SUFFIXES

# An image narrower or shorter than this carries nothing to learn from; inspect reports it, ingest skips it.
MIN_SIDE = 4


@dataclass(frozen=True)
class SkippedPath:
    """A folder or link under the searched path whose images could not be looked at."""

    name: str  # relative to the searched path, with `/` separators
    why: str
    fix: str
    unreadable: bool = False  # a folder that could not be read (not a link deliberately left alone)

    @property
    def reason(self) -> str:
        return f"{self.why}; {self.fix}"


def find_image_files(path: str | Path, on_skip: Callable[[SkippedPath], None] | None = None) -> list[Path]:
    """Image files under `path` (one file, or a folder searched recursively) in a stable order.

    `on_skip` hears of each folder or link that was not searched (see `SkippedPath`). Raises `AssetganError`
    when the path does not exist, is a symlink loop or an unreadable folder, or holds no image files.
    """
    path = Path(path)
    if is_symlink_loop(path):
        raise AssetganError(f"{shown(path)}: is a symlink loop (the link leads back to itself); point at a real "
                            "folder of images")
    if not path.exists():
        raise AssetganError(f"{shown(path)}: no such file or folder; check the path")
    if path.is_file():
        return [path]
    files: list[Path] = []
    skipped: list[SkippedPath] = []
    try:
        entries = _entries(path)
    except OSError as exc:
        raise AssetganError(f"{shown(path)}: cannot read the folder ({_strerror(exc)}); check its permissions") \
            from None
    _search(path, path, entries, files, skipped)
    skipped.sort(key=lambda s: s.name)
    for s in skipped:
        if on_skip is not None:
            on_skip(s)
    if not files:
        found = f"{shown(path)}: no image files found (.png, .jpg, .webp…)"
        if skipped:
            first = skipped[0]
            more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
            raise AssetganError(f"{found}; skipped {shown(first.name)}{more}: {first.why}; {first.fix}, "
                                "or point at a folder of images")
        raise AssetganError(f"{found}; point at a folder of images")
    return sorted(files)  # the order of sorted(Path.rglob("*")): a stable order across runs and resumes


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return list(it)


def _search(root: Path, folder: Path, entries: list[os.DirEntry[str]], files: list[Path],
            skipped: list[SkippedPath]) -> None:
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        name = child.relative_to(root).as_posix()
        image = child.suffix.lower() in IMAGE_SUFFIXES
        try:
            link, is_dir, is_file = entry.is_symlink(), entry.is_dir(), entry.is_file()
        except OSError as exc:  # a link that never ends (ELOOP), or an entry that cannot be looked at
            skipped.append(_unfollowable(name, exc))
            continue
        if link and is_dir:
            skipped.append(_folder_link(root, folder, child, name))
        elif is_dir:
            try:
                sub = _entries(child)
            except OSError as exc:
                skipped.append(SkippedPath(name, f"folder not searched: cannot read it ({_strerror(exc)})",
                                           "check its permissions", unreadable=True))
                continue
            _search(root, child, sub, files, skipped)
        elif is_file and image:
            files.append(child)
        elif link and not is_file and image and not os.path.exists(child):
            skipped.append(SkippedPath(name, "broken symbolic link (its target is missing)",
                                       "remove it or restore its target"))


def _unfollowable(name: str, exc: OSError) -> SkippedPath:
    if exc.errno == errno.ELOOP:
        return SkippedPath(name, "symlink loop (the link leads back to itself)", "remove the link")
    return SkippedPath(name, f"cannot read it ({_strerror(exc)})", "check it and its permissions", unreadable=True)


def _folder_link(root: Path, folder: Path, link: Path, name: str) -> SkippedPath:
    """A link to a folder is not followed (as Path.rglob does not); a link to a folder above it is a loop."""
    target = Path(os.path.realpath(link))
    here = Path(os.path.realpath(folder))
    if target == here or target in here.parents:
        above = os.path.relpath(target, os.path.realpath(root))
        where = "the searched folder" if above == "." else f"a folder above it ({above})"
        return SkippedPath(name, f"symlink loop (links back to {shown(where)}), not followed", "remove the link")
    return SkippedPath(name, "link to a folder, not followed",
                       f"pass {shown(target)} itself to include its images")


def _strerror(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def source_name(file: Path, root: Path) -> str:
    """A file's name in reports: relative to `root` with `/` separators, or its own name when it is `root`."""
    if file == root:
        return file.name
    return file.relative_to(root).as_posix()


def too_small_reason(width: int, height: int) -> str | None:
    """The one-line reason an image of this size is unusable, or None when it is big enough."""
    if width < MIN_SIDE or height < MIN_SIDE:
        return f"is {width}x{height}, smaller than {MIN_SIDE} px on a side; remove it or use a larger image"
    return None
