"""Render a collection into game-ready files, deterministically; write them atomically or check for drift.

The same code serves `assetgan export`, `assetgan generate` and the desktop app's export dialog.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.atomic import atomic_write_with
from ..core.errors import AssetganError, CollectionError, DriftError
from ..core.out_dir import check_folder_path, claim, resolved
from ..core.paths import write_error
from ..core.progress import NullProgress, Progress
from ..core.safe_json import loads
from ..render.indexed_png import encode_indexed_png
from ..render.palette import parse_palette_spec
from ..render.postprocess import Finisher
from ..render.sheet import encode_png
from ..runtime.card import ModelCard
from ..runtime.classes import item_class_problem
from ..runtime.clean import clean_output
from ..runtime.latent import item_latent, latent_size_problem
from ..runtime.model import GeneratorModel, file_sha256, open_model
from ..runtime.registry import resolve_model
from .collection import NAME_PATTERN, Collection, Item, OutputSettings, SeedRange
from .engine_files import is_sidecar
from .sheet_files import sheet_files, sheet_names

MANIFEST = "assetgan-export.json"


class Cancelled(AssetganError):
    """The user stopped an export (Ctrl-C or the app's Cancel); exit code 130."""

    exit_code = 130
MAX_SHEET_BYTES = 2 << 30  # a sheet and its frames above this are refused up front (a PNG over 2 GB helps nobody)
_OUTPUT_NAME = re.compile(NAME_PATTERN + r"\.(?:png|json|tres)\Z")  # every name an export can write


@dataclass
class RenderedFile:
    name: str  # file name inside the output folder
    data: bytes = b""
    chunks: Callable[[], Iterator[bytes]] | None = None  # instead of `data`: the content made piece by piece

    def pieces(self) -> Iterator[bytes]:
        return self.chunks() if self.chunks is not None else iter((self.data,))


def resolve_collection_model(col: Collection, base_dir: Path, providers: list[str] | None = None) -> GeneratorModel:
    """Find the collection's model (path hint, then by name) and check its sha256 before opening it."""
    candidates: list[Path] = []
    if col.model.path:
        hint = Path(col.model.path)
        candidates.append(hint if hint.is_absolute() else base_dir / hint)
    try:
        candidates.append(resolve_model(col.model.name))
    except AssetganError:
        pass
    existing = [p for p in candidates if p.is_file()]
    if not existing:
        raise CollectionError(f"model '{col.model.name}' of the collection was not found; install it in the user "
                              "model folder (see `assetgan models`) or fix \"model.path\"")
    for p in existing:
        if file_sha256(p) == col.model.sha256:
            return open_model(p, providers)
    got = file_sha256(existing[0])
    raise CollectionError(f"{existing[0]}: sha256 {got[:12]}… does not match the collection's "
                          f"{col.model.sha256[:12]}…; restore the model the collection was made with")


def resolve_palette(spec: str | list[str] | None, model: GeneratorModel, base_dir: Path) -> np.ndarray | None:
    if spec is None:
        return None
    if spec == "auto":
        if not model.card.palette:
            raise AssetganError(f"palette auto: model {model.path.name} carries no learned palette; "
                                "pass a .gpl/.hex palette file instead")
        return parse_palette_spec(list(model.card.palette))
    if isinstance(spec, str) and not Path(spec).is_absolute() and (base_dir / spec).exists():
        return parse_palette_spec(str(base_dir / spec))
    return parse_palette_spec(spec)


def clean_settings(card: ModelCard, base: OutputSettings | None = None) -> OutputSettings:
    """`base` (default: fresh settings) with the finishing a new collection of this model starts from: the card's
    clean-output defaults (alpha threshold, palette or colour limit)."""
    c = clean_output(card)
    return dataclasses.replace(base or OutputSettings(), palette=c.palette, alpha_threshold=c.alpha_threshold,
                               colours=c.colours)


def output_finisher(o: OutputSettings, model: GeneratorModel, base_dir: Path) -> Finisher:
    """What export does to each raw model image for these output settings; the app's thumbnails use it too."""
    return Finisher(o.scale, resolve_palette(o.palette, model, base_dir), o.alpha_threshold, o.colours)


def render_collection(col: Collection, model: GeneratorModel, base_dir: Path, chunk: int = 64,
                      shard: tuple[int, int] = (0, 1), progress: Progress | None = None) -> Iterator[RenderedFile]:
    """Check everything first (raising before any output), then return an iterator over every output file
    in a fixed order; memory is bounded by `chunk` (plus the sheet, if any). `progress` hears of each rendered
    chunk; once it is aborted the iterator stops with `Cancelled` before the sheet and the manifest."""
    o = col.output
    items = col.selected()
    if not items:
        raise CollectionError(f"collection '{col.name}': nothing to export (include={o.include}); "
                              "favourite or un-reject some items")
    finisher = output_finisher(o, model, base_dir)
    known, label = model.card.classes, model.path.name
    if isinstance(items, SeedRange):  # seeds only, and its classes: one check stands for every item
        for problem in [item_class_problem(items[0].name, c, known, label) for c in items.classes or [None]]:
            if problem:
                raise CollectionError(problem)
    for it in () if isinstance(items, SeedRange) else items:
        problem = latent_size_problem(it, model.nz) or item_class_problem(it.name, it.class_name, known, label)
        if problem:
            raise CollectionError(problem)
    check_sheet_memory(col, model.card.size, model.card.channels)
    return _render(col, model, items, finisher, chunk, shard, progress or NullProgress())


def check_sheet_memory(col: Collection, size: int, channels: int, limit: int = MAX_SHEET_BYTES) -> None:
    """Refuse, before anything is rendered, a sheet whose pixels and frames would need more than `limit` bytes."""
    o = col.output
    if not o.sheet:
        return
    n = len(col.selected())
    side = size * o.scale
    columns = o.sheet_columns or max(1, math.isqrt(n - 1) + 1 if n > 1 else 1)
    rows = -(-n // columns)
    width = columns * side + (columns - 1) * o.sheet_padding
    height = rows * side + (rows - 1) * o.sheet_padding
    need = (width * height + n * side * side) * max(channels, 4)
    if need > limit:
        raise CollectionError(f"sprite sheet of {n} frames would be {width}x{height} pixels and need about "
                              f"{need >> 20} MB (limit {limit >> 20} MB); lower sheet_columns, scale or the item "
                              "count, or export files only (\"sheet\": false)")


def check_collisions(col: Collection, out_dir: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse an export whose output names collide with each other (also ignoring case) or with an input file."""
    o = col.output
    fixed = sheet_names(o)
    if MANIFEST.casefold() in (n.casefold() for n in fixed):
        raise CollectionError(f"sheet_name {o.sheet_name!r} would overwrite the export manifest {MANIFEST}; "
                              "choose another sheet name")
    writes_item = _item_file_test(col)
    if o.sheet and writes_item(f"{o.sheet_name}.png"):
        raise CollectionError(f"sheet_name {o.sheet_name!r} is also an item name: the sheet would overwrite "
                              f"{o.sheet_name}.png; choose another sheet name")
    if o.files and not isinstance(col.items, SeedRange):
        seen: dict[str, str] = {}
        for it in col.selected():
            other = seen.setdefault(it.name.casefold(), it.name)
            if other != it.name:
                raise CollectionError(f"items {other!r} and {it.name!r} differ only in case: one file would replace "
                                      "the other on Windows and macOS; rename one")
    out = resolved(out_dir, "--out")
    for path in inputs:
        p = resolved(path, "input")
        if p.parent == out and (p.name.casefold() in {n.casefold() for n in (*fixed, MANIFEST)} or writes_item(p.name)):
            raise AssetganError(f"{path}: is an input of this run and would be overwritten by the export; "
                                "choose another --out or move the file")


def _item_file_test(col: Collection) -> Callable[[str], bool]:
    """A test `name -> bool`: does a full export write item file `name` (ignoring case)? O(1) for a SeedRange."""
    items = col.items
    if not col.output.files:
        return lambda name: False
    if not isinstance(items, SeedRange):
        names = {f"{it.name}.png".casefold() for it in col.selected()}
        return lambda name: name.casefold() in names
    return lambda name: _in_seed_range(items, name.casefold())


def _in_seed_range(items: SeedRange, key: str) -> bool:
    prefix = f"{items.prefix}_".casefold()
    digits = key[len(prefix):-4] if key.startswith(prefix) and key.endswith(".png") else ""
    return digits.isascii() and digits.isdigit() and len(digits) >= 6 and digits == f"{int(digits):06d}" and \
        items.start <= int(digits) < items.start + items.count


def parse_shard(text: str | None) -> tuple[int, int]:
    """'2/4' -> (1, 4): zero-based index and count; None -> (0, 1)."""
    if text is None:
        return 0, 1
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise AssetganError(f"--shard {text}: expected I/N such as 1/4") from None
    if not 1 <= i <= n:
        raise AssetganError(f"--shard {text}: I must be between 1 and N")
    return i - 1, n


def iter_output_names(col: Collection) -> Iterator[str]:
    """Every file a full export writes, in order; known without rendering anything."""
    o = col.output
    if o.files:
        yield from (f"{it.name}.png" for it in col.selected())
    yield from sheet_names(o)
    yield MANIFEST


def output_names(col: Collection) -> list[str]:
    return list(iter_output_names(col))


def _manifest(col: Collection) -> Iterator[bytes]:
    """assetgan-export.json, made name by name: a 100,000-file list never exists in memory, as objects or text."""
    head = {"collection": col.name, "model": {"name": col.model.name, "sha256": col.model.sha256}}
    yield ('{\n  "collection": ' + json.dumps(head["collection"]) + ',\n  "files": [').encode()
    first = True
    batch: list[str] = []
    for name in iter_output_names(col):
        if name == MANIFEST:
            continue
        batch.append(("\n    " if first else ",\n    ") + json.dumps(name))
        first = False
        if len(batch) >= 1024:
            yield "".join(batch).encode()
            batch = []
    batch.append("\n  ]" if not first else "]")
    model = json.dumps(head["model"], indent=2, sort_keys=True).replace("\n", "\n  ")
    batch.append(',\n  "model": ' + model + "\n}\n")
    yield "".join(batch).encode()


def _render(col: Collection, model: GeneratorModel, items: Sequence[Item], finisher: Finisher, chunk: int,
            shard: tuple[int, int], progress: Progress) -> Iterator[RenderedFile]:
    o = col.output
    index, count = shard
    with_sheet = o.sheet and index == 0  # shard 1 also renders the sheet, so N shards write what one run does
    # item k belongs to shard k mod N; a range, so the progress total is known without listing anything
    todo = range(len(items)) if with_sheet else range(index, len(items), count)
    frames: list[tuple[str, np.ndarray]] = []
    tags: list[list[str]] = []  # each frame's item tags: the sheet's animations
    encode = _png_encoder(finisher.palette if o.indexed else None)
    ids = {c: i for i, c in enumerate(model.card.classes)}
    cls = (lambda k: ids[items[k].class_name]) if ids else None  # a class id per item of a conditional model
    chunks = model.generate_chunks(todo, lambda k: item_latent(items[k], model.nz, o.truncation), chunk, progress,
                                   cls)
    for ks, images in chunks:  # images [n, H, W, C] uint8
        for k, img in zip(ks, images):
            it, out = items[k], finisher(img)
            if o.files and k % count == index:
                yield RenderedFile(f"{it.name}.png", encode(out))
            if with_sheet:
                frames.append((f"{it.name}.png", out))
                tags.append(it.tags)
    if progress.aborted():
        raise Cancelled("export cancelled: the files written so far are complete; run it again with --force to "
                        "finish")
    if with_sheet:
        for name, data in sheet_files(col, frames, tags, encode):
            yield RenderedFile(name, data)
    yield RenderedFile(MANIFEST, chunks=lambda: _manifest(col))


def _png_encoder(palette: np.ndarray | None) -> Callable[[np.ndarray], bytes]:
    """PNG bytes for a finished image: palette mode where `palette` holds it exactly, else RGB(A)."""
    if palette is None:
        return lambda img: encode_png(img)  # looked up per call, so a test can stand in for encode_png
    return lambda img: encode_indexed_png(img, palette) or encode_png(img)


def write_files(files: Iterator[RenderedFile], out_dir: Path, keep: Callable[[str], bool] | None = None) -> list[Path]:
    """Write each file under a temporary name and rename it: an interruption never leaves half a file.

    Returns the written paths (only those `keep` accepts, when given: a 100,000-file export need not list them).
    """
    written = []
    for f in files:
        target = out_dir / f.name
        try:
            atomic_write_with(target, lambda fh, f=f: [fh.write(piece) for piece in f.pieces()])
        except OSError as exc:  # a full disk, a read-only or vanished folder: every later file would fail alike
            raise write_error(target, exc, "write the file", note="; the files written so far are complete") \
                from None
        if keep is None or keep(f.name):
            written.append(target)
    return written


def check_files(files: Iterator[RenderedFile], out_dir: Path, extras: bool = True) -> list[str]:
    """Compare a fresh render with the files on disk; one line per drifted, missing or unexpected file.

    Hidden files and engine sidecars (Godot's `.import`, Unity's `.meta`) are not unexpected."""
    problems = []
    expected = set()
    for f in files:
        expected.add(f.name)
        target = out_dir / f.name
        if not target.is_file():
            problems.append(f"missing  {target}")
        elif not _same_content(target, f):
            problems.append(f"drifted  {target}")
    for p in sorted(out_dir.iterdir()) if extras else ():
        if p.name not in expected and not p.name.startswith(".") and not is_sidecar(p.name):
            problems.append(f"extra    {p}")
    return problems


def _same_content(target: Path, f: RenderedFile) -> bool:
    """Compare a file on disk with rendered content piece by piece (the manifest of a huge export stays streamed)."""
    with open(target, "rb") as fh:
        for piece in f.pieces():
            if fh.read(len(piece)) != piece:
                return False
        return fh.read(1) == b""


def _previous_outputs(out_dir: Path) -> set[str]:
    """Files an earlier export into `out_dir` listed, kept only where removing them is safe: plain files directly
    inside `out_dir` (no links, folders or paths) with a name this exporter could have written."""
    manifest = out_dir / MANIFEST
    try:
        if manifest.is_symlink() or not manifest.is_file():
            return set()
        files = loads(manifest.read_text(encoding="utf-8"), str(manifest)).get("files")
    except (OSError, UnicodeDecodeError, AssetganError, AttributeError):
        return set()
    if not isinstance(files, list):
        return set()
    safe = set()
    for name in files:
        if isinstance(name, str) and name != MANIFEST and _OUTPUT_NAME.match(name):
            p = out_dir / name
            if not p.is_symlink() and p.is_file():
                safe.add(name)
    return safe


def export(col: Collection, out_dir: Path, base_dir: Path, force: bool = False, check: bool = False,
           providers: list[str] | None = None, model: GeneratorModel | None = None,
           shard: tuple[int, int] = (0, 1), item_paths: bool = True, inputs: Sequence[Path] = (),
           progress: Progress | None = None) -> list[Path]:
    """Render `col` into `out_dir`; with `check`, raise DriftError listing files that differ instead.

    Everything is checked before the first byte is written: the collection, the model, name collisions (with each
    other and with `inputs` and the model file) and the sheet's memory. `out_dir` is held for the run (a second
    run into it refuses). With `force`, files of the same names and files an earlier export's manifest lists
    there are replaced or removed; nothing else is touched.

    Returns the written paths; with `item_paths=False` only the sheet, atlas and manifest (memory flat in the count).
    """
    model = model or resolve_collection_model(col, base_dir, providers)
    if check:
        check_folder_path(out_dir)
        if not out_dir.is_dir():
            raise AssetganError(f"{out_dir}: no such folder to check; export into it first")
        problems = check_files(render_collection(col, model, base_dir, shard=shard), out_dir, extras=shard[1] == 1)
        if problems:
            raise DriftError(f"{len(problems)} file(s) differ from a fresh render of the collection:\n"
                             + "\n".join(problems))
        return []
    files = render_collection(col, model, base_dir, shard=shard, progress=progress)  # raises before any write
    check_collisions(col, out_dir, [*inputs, model.path])
    o = col.output
    fixed = {*sheet_names(o), MANIFEST}
    with claim(out_dir, force):
        previous = _previous_outputs(out_dir) if shard[1] == 1 else set()  # shards never delete each other's files
        written = write_files(files, out_dir, None if item_paths else fixed.__contains__)
        writes_item = _item_file_test(col)
        stale = [n for n in previous if n not in fixed and not writes_item(n)]
        for name in stale:  # files of an earlier export this one no longer makes
            (out_dir / name).unlink(missing_ok=True)
    return written
