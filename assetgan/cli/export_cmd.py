"""`assetgan export COLLECTION --out DIR [--check]`: deterministic re-render of a curated collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import handle_errors, info


@handle_errors
def export(
    collection: Annotated[Path, typer.Argument(help="Collection JSON (written by the app or generate).")],
    out: Annotated[Path, typer.Option(help="Output folder.")],
    check: Annotated[bool, typer.Option(help="Re-render and exit 1 listing files that drifted.")] = False,
    force: Annotated[bool, typer.Option(help="Write into a non-empty folder, replacing files of the same names and "
                                             "removing those an earlier export there listed in its manifest.")]
    = False,
    shard: Annotated[str | None, typer.Option(help="I/N: render only items I, I+N, ... (build farms); shard 1 also "
                                                   "writes the sheet. N shards together write what one run does.")]
    = None,
    device: Annotated[str, typer.Option(help="cpu (default: identical bytes on every machine), auto, cuda, "
                                             "directml or coreml.")] = "cpu",
) -> None:
    """Render a collection into PNGs and/or a sprite sheet + atlas; byte-identical on every run."""
    from ..export.collection import load_collection
    from ..export.render import export as run_export
    from ..export.render import parse_shard
    from ..runtime.providers import parse_device
    from .progress_ui import terminal_progress

    col = load_collection(collection)
    index, n = parse_shard(shard)
    with terminal_progress("export") as progress:
        written = run_export(col, out, collection.resolve().parent, force=force, check=check,
                             providers=parse_device(device), shard=(index, n), item_paths=False,
                             inputs=[collection], progress=progress)
    if check:
        info(f"{out}: every file matches a fresh render of {collection}")
    else:
        items = len(range(index, len(col.selected()), n)) if col.output.files else 0
        info(f"exported {items + len(written)} files to {out}")
