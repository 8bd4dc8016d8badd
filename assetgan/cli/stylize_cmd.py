"""`assetgan stylize [MODEL] INPUT... --out DIR`: style transfer of screenshots and photos, any size, torch-free."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import handle_errors, info, warn


def _split_model(args: list[str]) -> tuple[str | None, list[str]]:
    """The first argument is the model when it names a known model or an .onnx file, or when it is followed by
    inputs and is neither a path nor a glob nor an image name (a mistyped model name gets the list of models);
    else the default model is used."""
    from ..data.imageio import IMAGE_SUFFIXES
    from ..runtime.registry import list_models

    if not args:
        return None, args
    first = args[0]
    if first.lower().endswith(".onnx") or first in {e.name for e in list_models()}:
        return first, args[1:]
    looks_like_input = Path(first).exists() or any(c in first for c in "*?[/\\") or \
        Path(first).suffix.lower() in IMAGE_SUFFIXES
    if len(args) > 1 and not looks_like_input:
        return first, args[1:]
    return None, args


def parse_direction(text: str, domains: list[str]) -> str:
    """a2b or b2a, also written with the model's domain names: photo2monet, monet2photo."""
    from ..core.errors import AssetganError

    a, b = (list(domains) + ["a", "b"])[:2]
    names = {"a2b": "a2b", "b2a": "b2a", f"{a}2{b}".lower(): "a2b", f"{b}2{a}".lower(): "b2a"}
    if text.lower() not in names:
        raise AssetganError(f"--direction {text}: use a2b or {a}2{b} ({a} -> {b}), or b2a or {b}2{a} ({b} -> {a})")
    return names[text.lower()]


@handle_errors
def stylize(
    args: Annotated[list[str], typer.Argument(help="[MODEL] INPUT...: an optional model name or .onnx file "
                                                   "(default: monet), then image files, folders or globs.",
                                              show_default=False)],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: beside each input).")] = None,
    direction: Annotated[str, typer.Option(help="a2b (e.g. photo -> monet) or b2a (back); the model's domain "
                                                "names work too: photo2monet, monet2photo.")] = "a2b",
    strength: Annotated[float, typer.Option(help="0 = the input, 1 = fully stylized.")] = 1.0,
    tile: Annotated[int | None, typer.Option(help="Tile side in pixels (default: whole image up to ~2.2 Mpixels, "
                                                  "1536 above).")] = None,
    suffix: Annotated[str | None, typer.Option(help="Added to output names (default: '.<target domain>').")]
    = None,
    overwrite: Annotated[bool, typer.Option(help="Allow results to replace existing files of the same names "
                                                 "(never an input of the run or the model).")]
    = False,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, directml or coreml.")] = "auto",
    pixel_art: Annotated[str, typer.Option("--pixel-art", help="auto: an image made of k x k blocks of one "
                                                               "colour (pixel art shown k times larger) is "
                                                               "stylized near its native size (up to 3x) and "
                                                               "scaled back to exactly k x k blocks, "
                                                               "keeping its grid; on: trust a grid on less "
                                                               "evidence (a few block edges); off: always at full "
                                                               "resolution.")]
    = "auto",
) -> None:
    """Stylize images with a CycleGAN model (default: the shipped Monet model); alpha passes through."""
    from ..core.errors import AssetganError
    from ..core.paths import shown
    from ..runtime.pixel_grid import parse_pixel_art
    from ..runtime.providers import parse_device
    from ..runtime.registry import resolve_model
    from ..runtime.stylize import open_style_model
    from ..runtime.stylize_io import ReadAhead, check_suffix, expand_inputs, plan_jobs, stylize_jobs
    from .progress_ui import RichProgress

    model_spec, inputs = _split_model(args)
    if not inputs:
        raise AssetganError("no input images: pass image files, folders or globs after the model")
    if not 0.0 <= strength <= 1.0:
        raise AssetganError(f"--strength {strength}: must be between 0 and 1")
    if tile is not None and not MIN_TILE <= tile <= MAX_TILE:
        raise AssetganError(f"--tile {tile}: must be from {MIN_TILE} to {MAX_TILE} pixels (or left out: whole "
                            "image up to ~2.2 Mpixels)")
    if suffix is not None:
        check_suffix(suffix)
    grid_mode = parse_pixel_art(pixel_art)
    model_path = resolve_model(model_spec or DEFAULT_STYLE_MODEL)
    with ReadAhead() as reader:
        files = expand_inputs(inputs)
        if files:
            reader.prefetch(files[0])  # decoded while the model loads
        m = open_style_model(model_path, parse_device(device))
        way = m.check_direction(parse_direction(direction, m.card.domains))
        info(f"provider: {m.device}" + (f" ({m.provider_note})" if m.provider_note else "")
             + f"; {m.direction_label(way)}")
        domains = (list(m.card.domains) + ["a", "b"])[:2]
        target = domains[1] if way == "a2b" else domains[0]
        jobs = plan_jobs(files, out, f".{target}" if suffix is None else suffix, protected=[model_path])
        if not overwrite:
            existing = [j.dst for j in jobs if j.dst.exists()]
            if existing:
                raise AssetganError(f"{existing[0]}: already exists ({len(existing)} outputs would be replaced); "
                                    "pass --overwrite or choose another --out")
        with RichProgress("stylize") as progress:
            report = stylize_jobs(m, jobs, way, strength, tile, progress,
                                  on_skip=lambda p, why: warn(f"skipped {shown(p)}: {why}"), pixel_art=grid_mode,
                                  on_note=lambda p, note: info(f"{shown(p)}: {note}"), reader=reader)
            aborted = progress.aborted()
        for path in report.written:
            typer.echo(shown(path))
        info(f"stylized {len(report.written)} of {len(jobs)} images ({len(report.skipped)} skipped)")
        if aborted:
            raise typer.Exit(130)
        if report.skipped:  # the batch went on past them, but bad input is still exit code 2
            raise typer.Exit(2)


DEFAULT_STYLE_MODEL = "monet"
MIN_TILE, MAX_TILE = 64, 8192
