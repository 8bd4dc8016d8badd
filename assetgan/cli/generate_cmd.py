"""`assetgan generate`: seeds -> PNG files and/or a sprite sheet, through the same renderer as `export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import handle_errors, info

MAX_COUNT = 10_000_000  # images a run: beyond this, split by --seed or --shard
MAX_RANKED = 1_000_000  # --keep-best keeps one score per candidate in memory
MAX_SAVED = 1_000_000  # items a --save-collection file may list (about 100 MB of JSON)
MAX_SEED = 2**63 - 1


def check_options(prefix: str | None, scale: int, alpha_threshold: int | None, truncation: float | None) -> None:
    """The options that become collection fields, checked under their own names before the model is opened."""
    from ..core.errors import AssetganError
    from ..export.collection import MAX_SCALE, NAME_RE

    if truncation is not None and not 0 < truncation <= 2:
        raise AssetganError(f"--truncation {truncation}: must be in (0, 2]; 1 = no truncation, 0.7 = safer samples")
    if not 1 <= scale <= MAX_SCALE:
        raise AssetganError(f"--scale {scale}: must be a whole number from 1 to {MAX_SCALE}")
    if alpha_threshold is not None and not 0 <= alpha_threshold <= 255:
        raise AssetganError(f"--alpha-threshold {alpha_threshold}: must be from 0 to 255")
    if prefix is not None and not (NAME_RE.match(prefix) and len(prefix) <= 100):
        raise AssetganError(f"--prefix {prefix[:60]!r}: a file name must be 1-100 letters, digits, '.', '_' or "
                            "'-' (it starts every file name)")


def check_save_path(path: Path, force: bool, count: int) -> None:
    """Refuse, before anything is written, a --save-collection target that exists (without --force), is a folder,
    sits in a missing folder, or would list more items than a collection file should."""
    from ..core.errors import AssetganError
    from ..core.out_dir import resolved

    resolved(path, "--save-collection")
    if path.is_dir():
        raise AssetganError(f"--save-collection {path}: is a folder; give a file name such as batch.json")
    if not path.parent.is_dir():
        raise AssetganError(f"--save-collection {path}: folder {path.parent} does not exist; create it first")
    if (path.exists() or path.is_symlink()) and not force:
        raise AssetganError(f"--save-collection {path}: already exists; pass --force to replace it or choose "
                            "another name")
    if count > MAX_SAVED:
        raise AssetganError(f"--count {count}: a saved collection lists at most {MAX_SAVED:,} items; lower --count "
                            "or drop --save-collection")


@handle_errors
def generate(
    model: Annotated[str | None, typer.Argument(help="Model name (see `assetgan models`) or .onnx path.")]
    = None,
    count: Annotated[int, typer.Option(help="How many images.")] = 64,
    seed: Annotated[int, typer.Option(help="First seed; image i uses seed + i.")] = 0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("generated"),
    sheet: Annotated[bool, typer.Option(help="Also write a sprite sheet with a JSON atlas.")] = False,
    no_files: Annotated[bool, typer.Option("--no-files", help="Only the sheet, no individual PNGs.")] = False,
    scale: Annotated[int, typer.Option(help="Nearest-neighbour upscale factor (pixel art).")] = 1,
    palette: Annotated[str | None, typer.Option(help="'auto' (learned from the training data), "
                                                        "a .gpl/.hex file, or '#rrggbb,…'.")] = None,
    alpha_threshold: Annotated[int | None, typer.Option(help="Make alpha binary at this level (0-255).")]
    = None,
    truncation: Annotated[float | None, typer.Option(help="Truncation psi in (0, 2]; lower = safer.")] = None,
    prefix: Annotated[str | None, typer.Option(help="File name prefix (default: the model name).")] = None,
    save_collection: Annotated[Path | None, typer.Option(help="Also save the batch as a collection file.")]
    = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, directml or coreml.")] = "auto",
    force: Annotated[bool, typer.Option(help="Write into a non-empty --out, replacing files of the same names and "
                                             "removing those an earlier export there listed in its manifest; "
                                             "also replace an existing --save-collection file.")] = False,
    shard: Annotated[str | None, typer.Option(help="I/N: write only images I, I+N, ... (build farms).")] = None,
    keep_best: Annotated[float | None, typer.Option(help="Draw COUNT/KEEP candidates and keep the COUNT the "
                                                          "model's discriminator finds most convincing "
                                                          "(default: the model card's, usually 1 = off).")]
    = None,
    colours: Annotated[int | None, typer.Option(help="At most this many colours per image (2-256; default: the "
                                                   "training images' typical count when the model records it).")]
    = None,
    raw: Annotated[bool, typer.Option("--raw", help="The network's output as is: none of the model's clean-output "
                                                    "defaults (alpha threshold, palette, colour limit).")] = False,
    class_: Annotated[list[str] | None, typer.Option("--class", help="Conditional models: a class by full or short "
                                                     "name, repeatable, or 'all' (default); image i takes the i-th "
                                                     "in turn.")] = None,
) -> None:
    """Generate images from a model (default: the shipped sprite model)."""
    from ..core.errors import AssetganError
    from ..export.collection import Collection, Item, ModelRef, OutputSettings, SeedRange, validate
    from ..export.render import export as run_export
    from ..export.render import parse_shard
    from ..render.colours import check_colours
    from ..render.palette import palette_to_hex, parse_palette_spec
    from ..runtime.classes import class_ids, run_classes
    from ..runtime.clean import CleanOutput, clean_output
    from ..runtime.curate import candidate_count, check_keep, rank_seeds
    from ..runtime.model import open_model
    from ..runtime.providers import parse_device
    from ..runtime.registry import resolve_model
    from .progress_ui import terminal_progress

    if not 1 <= count <= MAX_COUNT:
        raise AssetganError(f"--count {count}: must be from 1 to {MAX_COUNT:,} a run; split bigger batches with "
                            "--seed (continue where a run stopped) or --shard")
    if not 0 <= seed <= MAX_SEED - count:
        raise AssetganError(f"--seed {seed}: must be from 0 to 2^63-1 minus --count")
    check_options(prefix, scale, alpha_threshold, truncation)
    check_colours(colours, "--colours")
    if raw and (palette, alpha_threshold, colours) != (None, None, None):
        raise AssetganError("--raw: gives the network's output unfinished; drop it, or drop --palette, "
                            "--alpha-threshold and --colours")
    if colours is not None and palette is not None:
        raise AssetganError("--colours with --palette: a palette already fixes the colours; pass one of them")
    if save_collection is not None:
        check_save_path(save_collection, force, count)
    path = resolve_model(model)
    m = open_model(path, parse_device(device))
    classes = run_classes(class_, m.card.classes, path.name)  # image i: classes[i mod k]; [] if unconditional
    info(f"provider: {m.device}" + (f" ({m.provider_note})" if m.provider_note else ""))
    psi, keep = m.sampling(truncation, keep_best)
    keep = check_keep(keep)
    if keep < 1.0 and count > MAX_RANKED:
        raise AssetganError(f"--count {count}: ranking by the critic (--keep-best {keep}) handles at most "
                            f"{MAX_RANKED:,} images a run; lower --count or pass --keep-best 1")
    name = prefix or m.card.name or path.stem
    if not raw:  # the model's clean-output defaults fill what the user left unset
        clean = clean_output(m.card)
        alpha_threshold = clean.alpha_threshold if alpha_threshold is None else alpha_threshold
        if palette is None and colours is None:
            palette, colours = clean.palette, clean.colours
        if clean != CleanOutput():
            info(f"finishing: {clean.describe()} by default (the model's training data; --raw for the network's "
                 "output)")
    output = OutputSettings(scale=scale, palette=palette, alpha_threshold=alpha_threshold, truncation=psi,
                            files=not no_files, sheet=sheet or no_files, sheet_name=f"{name}_sheet",
                            colours=colours)
    if palette not in (None, "auto"):  # inline the colours so the saved collection works from anywhere
        output.palette = palette_to_hex(parse_palette_spec(palette))
    candidates = candidate_count(count, keep)
    # made on demand: memory stays flat in --count; every candidate seed and its name is checked here, once
    items = SeedRange(name, seed, candidates, classes)
    col = Collection(ModelRef(path.stem, m.sha256(), str(path.resolve())), items, output, name=name)
    validate(col, "generate")
    index, n = parse_shard(shard)
    if save_collection is not None and save_collection.resolve() == path.resolve():
        raise AssetganError(f"--save-collection {save_collection}: is the model file in use; choose another name")
    if keep < 1.0:  # ranked by the critic: the chosen seeds are listed (one int each)
        chosen = rank_seeds(m, seed, count, keep, psi, classes=class_ids(classes, m.card.classes))
        info(f"kept the {count} most convincing of {candidates} candidates (critic)")
        col.items = [Item(name=f"{name}_{s:06d}", seed=s,
                          class_name=classes[(s - seed) % len(classes)] if classes else None) for s in chosen]
    inputs = [save_collection] if save_collection is not None else []
    with terminal_progress("generate") as progress:
        written = run_export(col, out, Path.cwd(), force=force, model=m, shard=(index, n), item_paths=False,
                             inputs=inputs, progress=progress)
    if save_collection is not None:
        col.save(save_collection)
        info(f"collection saved to {save_collection}")
    mine = len(range(index, count, n)) if not no_files else 0  # this shard's image files
    info(f"{count} images from {path.name} on {m.device} -> {out} ({mine + len(written)} files)")
    for p in written:
        if p.name.endswith("_sheet.png"):
            typer.echo(str(p))
    if not sheet and not no_files:
        typer.echo(str(out))
