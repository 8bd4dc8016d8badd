"""The export dialog's logic: run assetgan.export.export on the session, and the CLI line that repeats it."""

from __future__ import annotations

import shlex
from pathlib import Path

from assetgan.core.errors import AssetganError
from assetgan.core.progress import Progress
from assetgan.export.render import export

from .session import Session

CPU = ["CPUExecutionProvider"]  # `assetgan export` renders on CPU by default, so the bytes match a build's


def command_line(session_path: Path, out_dir: Path, force: bool = False) -> str:
    """`assetgan export SESSION.json --out DIR [--force]`, quoted for a POSIX shell."""
    parts = ["assetgan", "export", str(session_path), "--out", str(out_dir)]
    if force:
        parts.append("--force")
    return shlex.join(parts)


def run_export(session: Session, out_dir: Path, force: bool = False,
               progress: Progress | None = None) -> list[Path]:
    """Save the session, then export it exactly as `assetgan export SESSION --out DIR` does.

    OS errors (a read-only or vanished folder) become one-line AssetganErrors naming the folder.
    """
    session.save()
    session.flush()  # the collection on disk is the one `assetgan export` would read
    if progress is not None:
        progress.update(0, None)
    try:
        written = export(session.collection, Path(out_dir), session.path.resolve().parent, force=force,
                         providers=CPU, inputs=[session.path])
    except AssetganError:
        raise
    except OSError as exc:
        where = exc.filename or out_dir
        raise AssetganError(f"{where}: cannot write the export ({exc.strerror}); choose a writable folder") from None
    if progress is not None:
        progress.update(len(written), len(written))
    return written
