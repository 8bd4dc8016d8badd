"""`assetgan export COLLECTION --out DIR [--check]`: deterministic re-render of a curated collection."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import AssetganError
from .common import handle_errors, info

if TYPE_CHECKING:
    from ..export.collection import OutputSettings


def output_with_options(o: OutputSettings, columns: int | None = None, padding: int | None = None,
                        indexed: bool | None = None, animations: bool | None = None,
                        godot: bool | None = None) -> OutputSettings:
    """The collection's output settings with the options given on the command line; a bad one is a one-line error
    naming the option."""
    from ..export.collection import MAX_COLUMNS
    from ..render.sheet import MAX_PADDING

    if columns is not None and not 1 <= columns <= MAX_COLUMNS:
        raise AssetganError(f"--columns {columns}: must be a whole number from 1 to {MAX_COLUMNS} (frames in a "
                            "sheet row); pick another value")
    if padding is not None and not 0 <= padding <= MAX_PADDING:
        raise AssetganError(f"--padding {padding}: must be a whole number from 0 to {MAX_PADDING} (pixels between "
                            "sheet frames); pick another value")
    given = {"--columns": columns, "--padding": padding, "--animations": animations, "--godot": godot}
    for option, value in given.items():
        if value is not None and value is not False and not o.sheet:
            raise AssetganError(f"{option}: the collection writes no sprite sheet (\"sheet\": false); set \"sheet\": "
                                f"true in its \"output\" or drop {option}")
    if indexed and o.palette is None:
        raise AssetganError("--indexed: the collection has no palette to index with; set its \"output\" "
                            "\"palette\" (\"auto\", a .gpl/.hex file or \"#rrggbb\" colours) or drop --indexed")
    changes = {"sheet_columns": columns, "sheet_padding": padding, "indexed": indexed,
               "sheet_animations": animations, "sheet_godot": godot}
    return dataclasses.replace(o, **{k: v for k, v in changes.items() if v is not None})


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
    columns: Annotated[int | None, typer.Option(help="Frames in a sheet row (default: the collection's "
                                                     "sheet_columns, else a square grid).")] = None,
    padding: Annotated[int | None, typer.Option(help="Pixels between sheet frames (default: the collection's "
                                                     "sheet_padding).")] = None,
    indexed: Annotated[bool | None, typer.Option("--indexed/--no-indexed", help="Palette-mode PNGs with a "
                                                 "transparent index wherever the collection's palette holds every "
                                                 "pixel exactly (RGBA elsewhere).")] = None,
    animations: Annotated[bool | None, typer.Option("--animations/--no-animations", help="Add `animations` (one "
                                                    "per item tag; untagged items: default) and meta.version to "
                                                    "the sheet's atlas, as PixiJS reads them.")] = None,
    godot: Annotated[bool | None, typer.Option("--godot/--no-godot", help="Also write <sheet_name>.tres, a "
                                               "Godot 4 SpriteFrames with one animation per item tag.")] = None,
) -> None:
    """Render a collection into PNGs and/or a sprite sheet + atlas; byte-identical on every run.

    The sheet and PNG options override the collection's output settings for this run; give --check the same
    options to check such an export.
    """
    from ..export.collection import load_collection
    from ..export.render import export as run_export
    from ..export.render import parse_shard
    from ..runtime.providers import parse_device
    from .progress_ui import terminal_progress

    col = load_collection(collection)
    col.output = output_with_options(col.output, columns, padding, indexed, animations, godot)
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
