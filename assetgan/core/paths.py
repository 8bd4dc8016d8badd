"""User paths made safe to use and to print: symlink loops, files where folders belong, OS errors as one line.

Every message names the path (escaped by `shown`, so a name holding a newline stays on one line) and the fix.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import AssetganError

# What to do about each kind of OS error when writing: (short reason, the fix).
_WRITE_FIXES: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("operation not permitted", "choose a folder you can write to"),
    errno.EROFS: ("read-only file system", "choose a folder on a writable disk"),
    errno.ENOSPC: ("disk full", "free some space or choose a folder on another disk"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or choose a folder on another disk"),
    errno.ELOOP: ("a symlink loop in the path", "remove the looping link or choose another folder"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another folder"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
}


def shown(path: str | os.PathLike[str]) -> str:
    """`path` for one line of output: unchanged unless it holds a control or other unprintable character, else
    escaped repr-style (`\\n`, `\\x1b`, `\\u2028`; an undecodable byte as `\\xNN`; `\\` doubled)."""
    text = os.fspath(path)
    if text.isprintable():  # the ASCII space counts as printable
        return text
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch.isprintable():
        return ch
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of the name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def is_symlink_loop(path: Path) -> bool:
    """True when following `path` (or a link on the way to it) never ends: the OS answers ELOOP."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _loop_error(path: Path, what: str, fix: str) -> AssetganError:
    return AssetganError(f"{what} {shown(path)}: is a symlink loop (the link leads back to itself); {fix}")


def resolve_input(path: Path, what: str) -> Path:
    """`path.resolve()` for an input (DATA, --a, --b); a one-line error for a symlink loop, which Python 3.11's
    resolve() reports as RuntimeError (and exists() as a missing path)."""
    if is_symlink_loop(path):
        raise _loop_error(path, what, "point it at a real folder or file")
    try:
        return path.resolve()
    except RuntimeError:  # a loop that formed after the check above
        raise _loop_error(path, what, "point it at a real folder or file") from None
    except OSError as exc:
        raise AssetganError(f"{what} {shown(path)}: cannot be read ({(exc.strerror or str(exc)).lower()}); check "
                            "the path and its permissions") from None


def check_out_folder(path: Path, what: str, purpose: str) -> None:
    """Refuse an output folder path that is a symlink loop, a broken link or a file, before anything is written."""
    if is_symlink_loop(path):
        raise _loop_error(path, what, f"remove the link or choose another folder for {purpose}")
    if path.is_symlink() and not path.exists():
        raise AssetganError(f"{what} {shown(path)}: is a broken symbolic link; remove it or choose another folder "
                            f"for {purpose}")
    if path.exists() and not path.is_dir():
        raise AssetganError(f"{what} {shown(path)}: exists and is a file, not a folder; choose a folder for {purpose}")


def make_out_folder(path: Path, what: str, purpose: str, probe: bool = False) -> None:
    """Check (see `check_out_folder`) and create an output folder; with `probe`, also check that a file can be
    written there (a read-only disk accepts an existing folder but no files). One-line errors, never OSError."""
    check_out_folder(path, what, purpose)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(path, exc, f"create the folder for {purpose}", what) from None
    if probe:
        try:
            with tempfile.TemporaryFile(dir=path, prefix=".assetgan-probe-"):
                pass
        except OSError as exc:
            raise write_error(path, exc, f"write {purpose} there", what) from None


def write_error(path: Path, exc: OSError, doing: str, what: str = "", note: str = "") -> AssetganError:
    """The one-line error for an OSError while writing `path`: what failed, why in plain words, and the fix."""
    reason, fix = _WRITE_FIXES.get(exc.errno or 0, (exc.strerror or type(exc).__name__, "check the folder"))
    where = f"{what} {shown(path)}" if what else shown(path)
    return AssetganError(f"{where}: cannot {doing} ({reason}){note}; {fix}")

