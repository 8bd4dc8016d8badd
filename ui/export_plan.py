"""The export dialog's logic: run assetgan.export.export on the session, and the CLI line that repeats it."""

from __future__ import annotations

import dataclasses
import itertools
import shlex
from pathlib import Path

from assetgan.core.errors import AssetganError
from assetgan.core.progress import Progress
from assetgan.export.collection import Collection, OutputSettings
from assetgan.export.render import MANIFEST, export, iter_output_names
from assetgan.export.sheet_files import sheet_names

from .session import Session

CPU = ["CPUExecutionProvider"]  # `assetgan export` renders on CPU by default, so the bytes match a build's


FIRST = 4  # file names the dialog lists before "… N more"


def default_out_dir(session_path: Path, pictures: Path, home: Path) -> Path:
    """PICTURES/assetgan/<session>, or HOME/assetgan-export/<session> without a Pictures folder: a folder people
    find in their file manager, never the app's data folder. It is created by the export."""
    base = pictures / "assetgan" if pictures.is_dir() and pictures != home else home / "assetgan-export"
    return base / session_path.stem


def default_include(col: Collection) -> str:
    """The Include choice the dialog opens with: a chosen one, else the favourites when there are any, else kept."""
    o = col.output
    if o.include != "kept":
        return o.include
    return "favourites" if any(it.state == "favourite" for it in col.items) else "kept"


def file_preview(col: Collection, output: OutputSettings, first: int = FIRST) -> tuple[str, str]:
    """What exporting `col` with `output` writes: ("64 PNGs + sheet.png + sheet.json + assetgan-export.json
    (67 files)", "the first file names, … N more"); ("", problem) when nothing would be exported."""
    col = dataclasses.replace(col, output=output)
    n = len(col.selected())
    if not n:
        return "", f"nothing to export (include {output.include}): favourite or un-reject some items"
    fixed = [*sheet_names(output), MANIFEST]  # what export writes besides the item PNGs
    parts = ([f"{n} PNG{'' if n == 1 else 's'}"] if output.files else []) + fixed
    total = (n if output.files else 0) + len(fixed)
    names = list(itertools.islice(iter_output_names(col), first))
    more = f", … {total - len(names)} more" if total > len(names) else ""
    return " + ".join(parts) + f" ({total} file{'' if total == 1 else 's'})", ", ".join(names) + more


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
