"""`assetgan data`: inspect a folder of training images and cut sprite sheets into tiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import fail, handle_errors

app = typer.Typer(
    help="Check and prepare training images: inspect a folder, slice sprite sheets into tiles.",
    no_args_is_help=True,
)


@app.command("inspect")
@handle_errors
def inspect(
    path: Annotated[
        Path,
        typer.Argument(
            help="A folder of images (searched recursively) or one image file.", show_default=False
        ),
    ],
) -> None:
    """Report sizes, modes, transparency, duplicates and unusable files among a folder's images."""
    from ..core.paths import shown
    from ..data.inspect import format_report, inspect_folder

    report = inspect_folder(path)
    typer.echo(format_report(report))
    bad = [_count(n, noun) for n, noun in ((len(report.unreadable), "unreadable file"),
                                          (len(report.unreadable_folders), "unreadable folder")) if n]
    if bad:
        raise fail(f"{shown(path)}: {' and '.join(bad)} (listed above); fix or remove them")


@app.command("slice")
@handle_errors
def slice_sheet(
    sheet: Annotated[Path, typer.Argument(help="The sprite sheet image to cut.", show_default=False)],
    tile: Annotated[str, typer.Option("--tile", help="Tile size WIDTHxHEIGHT in pixels, e.g. 32x32.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the tiles (created if needed).")],
    margin: Annotated[int, typer.Option("--margin", help="Pixels around the whole grid.")] = 0,
    spacing: Annotated[int, typer.Option("--spacing", help="Pixels between neighbouring tiles.")] = 0,
    force: Annotated[bool, typer.Option(help="Replace existing tiles of the same names in --out.")] = False,
) -> None:
    """Cut a sprite sheet into one PNG per tile, dropping empty cells and repeated cells."""
    from ..core.paths import shown
    from ..data.slicing import parse_tile, slice_to_folder

    result = slice_to_folder(sheet, out, parse_tile(tile), margin=margin, spacing=spacing, force=force)
    grid = f"{result.rows} rows x {result.cols} columns"
    typer.echo(
        f"{shown(sheet)}: wrote {len(result.written)} tiles from {grid} to {shown(out)}; "
        f"dropped {_count(result.empty, 'empty cell')} and {_count(result.duplicates, 'duplicate cell')}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
