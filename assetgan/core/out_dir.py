"""The output folder of a run: paths from data stay inside it, and one run at a time holds it.

`claim` creates the folder (and its missing parents) or checks that an existing one is empty, holds an
exclusive lock on it for the run (a second run into the same folder refuses), and on a refused or failed run
removes the folders it created if they are still empty, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import AssetganError
from .paths import check_out_folder, resolve_input, shown, write_error

LOCK = ".assetgan-lock"  # hidden: never listed by `export --check`, never an output name


def resolved(path: Path, what: str) -> Path:
    """`path.resolve()`, or a one-line error for a symlink loop."""
    return resolve_input(path, what)


def check_folder_path(out_dir: Path, what: str = "--out") -> None:
    """Refuse an output path that is a file, a broken symlink or a symlink loop, before anything is written."""
    check_out_folder(out_dir, what, "the results")


def is_inside(folder: Path, path: Path) -> bool:
    """True when `path` (resolved) lies in `folder` (resolved), at any depth."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, RuntimeError, OSError):
        return False
    return True


def _missing_ancestors(path: Path) -> list[Path]:
    """`path` and its parents that do not exist yet, deepest first."""
    out = []
    p = path.absolute()
    while not p.exists() and not p.is_symlink() and p != p.parent:
        out.append(p)
        p = p.parent
    return out


def _entries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name != LOCK]


@contextlib.contextmanager
def _lock(folder: Path, what: str) -> Iterator[None]:
    lock = folder / LOCK
    busy = AssetganError(f"{what} {shown(folder)}: another assetgan run is writing into this folder; wait for it to "
                         f"finish or choose another folder")
    try:
        fd = _take_lock(lock, busy)
    except PermissionError:
        raise AssetganError(f"{what} {shown(folder)}: permission denied; choose a writable folder") from None
    except OSError as exc:
        raise write_error(folder, exc, "write there", what) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _take_lock(lock: Path, busy: AssetganError) -> int:
    try:
        import fcntl
    except ImportError:  # no flock (Windows): an exclusive create; a killed run's lock must be removed by hand
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise busy from None
    for _ in range(10):
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the kernel even when the run is killed
        except BlockingIOError:
            os.close(fd)
            raise busy from None
        try:
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the holder removed the file between our open and lock: try again on the new one
    raise busy


@contextlib.contextmanager
def claim(out_dir: Path, force: bool = False, what: str = "--out") -> Iterator[Path]:
    """Hold `out_dir` for one run: created if missing, refused if not empty (unless `force`) or held by another run.

    On any exception inside the block, folders this call created are removed again if they are empty.
    """
    check_folder_path(out_dir, what)
    made = _missing_ancestors(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(made)
        raise write_error(out_dir, exc, "create the folder", what) from None
    ok = False
    try:
        with _lock(out_dir, what):
            if not force and _entries(out_dir):
                raise AssetganError(f"{what} {shown(out_dir)}: folder is not empty; pass --force to replace what an "
                                    "earlier export wrote there, or choose an empty folder")
            yield out_dir
            ok = True
    finally:
        if not ok:
            _remove_empty(made)


def _remove_empty(made: list[Path]) -> None:
    for p in made:  # deepest first
        with contextlib.suppress(OSError):
            p.rmdir()
