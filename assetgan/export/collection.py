"""Collections: a versioned JSON file naming a model (by name and sha256), items (seed or z) and output settings.

Written by the desktop app and `assetgan generate --save-collection`; rendered by `assetgan export`.
Saved atomically. Format (version 1):

    {"format": "assetgan.collection", "version": 1, "name": "potions",
     "model": {"name": "crawl-sprites-32", "sha256": "<hex>", "path": "optional/path/model.onnx"},
     "output": {"scale": 1, "palette": null | "auto" | "file.gpl" | ["#rrggbb", ...], "alpha_threshold": null,
                "truncation": 1.0, "files": true, "sheet": false, "sheet_name": "sheet",
                "sheet_columns": null, "sheet_padding": 0, "include": "kept",
                "indexed": false, "sheet_animations": false, "sheet_godot": false, "colours": null},
     "items": [{"name": "potion_001", "seed": 12, "tags": ["potion"], "state": "favourite", "class": "item/potion"},
               {"name": "blend", "z": [0.1, -0.3, ...], "truncation": 0.8}]}
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from ..core.atomic import atomic_write_text
from ..core.errors import CollectionError
from ..core.safe_json import loads, short
from ..render.colours import MAX_COLOURS, MIN_COLOURS

FORMAT = "assetgan.collection"
VERSION = 1
STATES = ("none", "favourite", "rejected")
INCLUDE = ("kept", "favourites", "all")  # kept = everything not rejected
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"  # item and sheet names: they become file names
NAME_RE = re.compile(NAME_PATTERN + r"\Z")  # use with .match(); \Z, unlike $, refuses a trailing newline
MAX_SCALE = 64
MAX_SEED = 2**63 - 1
MAX_COLUMNS = 65536


@dataclass
class OutputSettings:
    """How items become files; shared by generate, export and the app's export dialog."""

    scale: int = 1  # nearest-neighbour upscale factor
    palette: str | list[str] | None = None  # None, "auto" (the model card's palette), a file, or hex colours
    alpha_threshold: int | None = None  # make alpha binary at this level (pixel art)
    truncation: float = 1.0  # psi for items without their own
    files: bool = True  # one PNG per item
    sheet: bool = False  # a sprite sheet PNG plus a TexturePacker-style JSON atlas
    sheet_name: str = "sheet"
    sheet_columns: int | None = None
    sheet_padding: int = 0
    include: str = "kept"  # which items to render: kept (not rejected), favourites, all
    indexed: bool = False  # palette-mode PNGs wherever the palette holds every pixel exactly (needs a palette)
    sheet_animations: bool = False  # the atlas gets `animations` from item tags and meta.version
    sheet_godot: bool = False  # a Godot 4 SpriteFrames `<sheet_name>.tres` beside the sheet
    colours: int | None = None  # at most this many colours per image (median cut; not with a palette)


# Output settings added after version 1 shipped: saved only when set, so a collection that does not use them is
# written as before and older assetgan versions still read it.
_LATER_OUTPUT = {"indexed": False, "sheet_animations": False, "sheet_godot": False, "colours": None}


@dataclass
class Item:
    """One asset: a seed (or an explicit latent), its file name, tags, curation state and, for a conditional model, its
    class."""

    name: str
    seed: int | None = None
    z: list[float] | None = None
    truncation: float | None = None
    tags: list[str] = field(default_factory=list)
    state: str = "none"
    class_name: str | None = None  # JSON "class": a class of a conditional model's card (full name), else None


class SeedRange(Sequence[Item]):
    """Items `prefix_<seed:06d>` for seeds start..start+count-1, made on demand: a batch of any size in O(1) memory.
    With `classes` (a conditional model's), item i has class classes[i mod len(classes)] (round robin).

    What `assetgan generate` renders; saving it writes the items out like any other collection.
    """

    def __init__(self, prefix: str, start: int, count: int, classes: Sequence[str] = ()) -> None:
        self.prefix, self.start, self.count, self.classes = prefix, start, count, tuple(classes)

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, i: int) -> Item: ...

    @overload
    def __getitem__(self, i: slice) -> list[Item]: ...

    def __getitem__(self, i: int | slice) -> Item | list[Item]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        seed = self.start + i
        cls = self.classes[i % len(self.classes)] if self.classes else None
        return Item(name=f"{self.prefix}_{seed:06d}", seed=seed, class_name=cls)

    def __iter__(self) -> Iterator[Item]:
        return (self[k] for k in range(self.count))


@dataclass
class ModelRef:
    name: str
    sha256: str
    path: str | None = None


@dataclass
class Collection:
    model: ModelRef
    items: list[Item] | SeedRange = field(default_factory=list)
    output: OutputSettings = field(default_factory=OutputSettings)
    name: str = "collection"
    extra: dict[str, Any] = field(default_factory=dict)  # app state (window, explore settings) kept as-is

    def selected(self) -> Sequence[Item]:
        inc = self.output.include
        if isinstance(self.items, SeedRange):  # fresh seeds: none is a favourite, none is rejected
            return [] if inc == "favourites" else self.items
        if inc == "all":
            return list(self.items)
        if inc == "favourites":
            return [i for i in self.items if i.state == "favourite"]
        return [i for i in self.items if i.state != "rejected"]

    def to_dict(self) -> dict[str, Any]:
        items = []
        for it in self.items:
            d: dict[str, Any] = {"name": it.name}
            if it.seed is not None:
                d["seed"] = it.seed
            if it.z is not None:
                d["z"] = it.z
            if it.truncation is not None:
                d["truncation"] = it.truncation
            d["tags"] = it.tags
            d["state"] = it.state
            if it.class_name is not None:
                d["class"] = it.class_name
            items.append(d)
        model = {"name": self.model.name, "sha256": self.model.sha256}
        if self.model.path:
            model["path"] = self.model.path
        output = {k: v for k, v in dataclasses.asdict(self.output).items()
                  if not (k in _LATER_OUTPUT and v is _LATER_OUTPUT[k])}
        return {"format": FORMAT, "version": VERSION, "name": self.name, "model": model,
                "output": output, "items": items, "extra": self.extra}

    def save(self, path: str | Path) -> None:
        """Validate, then write atomically (a crash mid-save keeps the previous file intact)."""
        validate(self, str(path))
        try:
            atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")
        except OSError as exc:
            raise CollectionError(f"{path}: cannot save the collection ({exc.strerror}); "
                                  "choose a writable path") from None


def load_collection(path: str | Path) -> Collection:
    """Read and validate a collection file; every problem is a one-line CollectionError naming the file."""
    path = Path(path)
    src = str(path)
    if path.is_dir():
        raise CollectionError(f"{src}: is a folder; pass the collection .json file")
    if not path.is_file():
        raise CollectionError(f"{src}: collection file not found; check the path")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CollectionError(f"{src}: not a text file; pass an assetgan collection (.json)") from None
    except OSError as exc:
        raise CollectionError(f"{src}: cannot read the collection ({exc.strerror}); check its permissions") from None
    d = loads(text, src, CollectionError, "fix the file or restore it from version control")
    return from_dict(d, src)


def from_dict(d: Any, src: str = "collection") -> Collection:
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise CollectionError(f"{src}: not an assetgan collection (missing \"format\": \"{FORMAT}\")")
    ver = d.get("version")
    if ver != VERSION:
        raise CollectionError(f"{src}: collection version {short(ver)} is not supported (this assetgan reads version "
                              f"{VERSION}); upgrade assetgan or re-save the collection")
    m = d.get("model")
    if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not isinstance(m.get("sha256"), str):
        raise CollectionError(f"{src}: \"model\" needs a \"name\" and a \"sha256\"")
    out_d = d.get("output", {})
    if not isinstance(out_d, dict):
        raise CollectionError(f"{src}: \"output\" must be an object")
    if not all(isinstance(k, str) for k in out_d):
        raise CollectionError(f"{src}: \"output\" keys must be strings")
    known = {f.name for f in dataclasses.fields(OutputSettings)}
    unknown = sorted(set(out_d) - known)
    if unknown:
        raise CollectionError(f"{src}: unknown output setting {short(unknown[0])}; known: {', '.join(sorted(known))}")
    output = OutputSettings(**out_d)
    raw_items = d.get("items")
    if not isinstance(raw_items, list):
        raise CollectionError(f"{src}: \"items\" must be a list")
    items = []
    for i, it in enumerate(raw_items):
        if not isinstance(it, dict):
            raise CollectionError(f"{src}: item {i + 1} must be an object")
        if "name" not in it:
            raise CollectionError(f"{src}: item {i + 1} has no \"name\"")
        items.append(Item(name=it["name"], seed=it.get("seed"), z=it.get("z"), truncation=it.get("truncation"),
                          tags=it.get("tags", []), state=it.get("state", "none"), class_name=it.get("class")))
    col = Collection(ModelRef(m["name"], m["sha256"].lower(), m.get("path")), items, output,
                     d.get("name", "collection"), d.get("extra", {}))
    validate(col, src)
    return col


def _check_types(col: Collection, src: str) -> None:
    def bad(what: str, expected: str) -> CollectionError:
        return CollectionError(f"{src}: {what} must be {expected}")

    if not isinstance(col.name, str) or len(col.name) > 1000:
        raise bad("\"name\"", "a string of at most 1000 characters")
    if not isinstance(col.extra, dict):
        raise bad("\"extra\"", "an object")
    if col.model.path is not None and (not isinstance(col.model.path, str) or "\0" in col.model.path):
        raise bad("\"model.path\"", "a string without NUL characters")
    for i, it in enumerate([] if isinstance(col.items, SeedRange) else col.items):
        if not isinstance(it.tags, list) or not all(isinstance(t, str) for t in it.tags):
            raise bad(f"item {i + 1} \"tags\"", "a list of strings")
    o = col.output
    for key in ("files", "sheet", *[k for k, v in _LATER_OUTPUT.items() if isinstance(v, bool)]):
        if not isinstance(getattr(o, key), bool):
            raise bad(f"output \"{key}\"", "true or false")
    for key, optional in (("scale", False), ("alpha_threshold", True), ("sheet_columns", True),
                          ("sheet_padding", False), ("colours", True)):
        v = getattr(o, key)
        if (v is None and not optional) or (v is not None and (isinstance(v, bool) or not isinstance(v, int))):
            raise bad(f"output \"{key}\"", "a whole number" + (" or null" if optional else ""))
    p = o.palette
    if p is not None and not isinstance(p, str) and not (isinstance(p, list) and all(isinstance(c, str) for c in p)):
        raise bad("output \"palette\"", "null, \"auto\", a palette file or a list of \"#rrggbb\" strings")
    if isinstance(p, str) and "\0" in p:
        raise bad("output \"palette\"", "a path without NUL characters")
    for key, lo, hi in (("scale", 1, MAX_SCALE), ("alpha_threshold", 0, 255), ("sheet_columns", 1, MAX_COLUMNS),
                        ("sheet_padding", 0, 1024), ("colours", MIN_COLOURS, MAX_COLOURS)):
        v = getattr(o, key)
        if v is not None and not lo <= v <= hi:
            raise CollectionError(f"{src}: output {key} {short(v)} must be a whole number from {lo} to {hi}")


def validate(col: Collection, src: str = "collection") -> None:
    """Check names, seeds/latents, states and output settings; raise CollectionError on the first problem."""
    _check_types(col, src)
    seen: set[str] = set()
    # a SeedRange's items differ only in their seed: its first and last stand for all of them
    items = col.items
    if isinstance(items, SeedRange):
        items = items[:: max(1, len(items) - 1)]  # the first and the last
    for i, it in enumerate(items):
        where = f"{src}: item {i + 1} ({short(it.name)})"
        if not isinstance(it.name, str) or not NAME_RE.match(it.name):
            raise CollectionError(f"{where}: name must be 1-128 letters, digits, '.', '_' or '-' "
                                  "(it becomes a file name)")
        if it.name in seen:
            raise CollectionError(f"{where}: duplicate name; item names must be unique")
        seen.add(it.name)
        if (it.seed is None) == (it.z is None):
            raise CollectionError(f"{where}: give exactly one of \"seed\" or \"z\"")
        if it.seed is not None and (isinstance(it.seed, bool) or not isinstance(it.seed, int)
                                    or not 0 <= it.seed <= MAX_SEED):
            raise CollectionError(f"{where}: seed {short(it.seed)} must be a whole number from 0 to 2^63-1")
        if it.z is not None and (not isinstance(it.z, list) or not it.z or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in it.z)):
            raise CollectionError(f"{where}: \"z\" must be a non-empty list of finite numbers")
        if it.class_name is not None and not (isinstance(it.class_name, str) and 0 < len(it.class_name) <= 64):
            raise CollectionError(f"{where}: class {short(it.class_name)} must be a class name of 1-64 characters")
        if it.state not in STATES:
            raise CollectionError(f"{where}: state {short(it.state)} must be one of {', '.join(STATES)}")
        if it.truncation is not None and not (isinstance(it.truncation, (int, float))
                                              and not isinstance(it.truncation, bool) and 0 < it.truncation <= 2):
            raise CollectionError(f"{where}: truncation {short(it.truncation)} must be in (0, 2]")
    o = col.output
    if not isinstance(o.include, str) or o.include not in INCLUDE:
        raise CollectionError(f"{src}: output include {short(o.include)} must be one of {', '.join(INCLUDE)}")
    if not (o.files or o.sheet):
        raise CollectionError(f"{src}: output writes nothing; set \"files\" and/or \"sheet\" to true")
    if not isinstance(o.sheet_name, str) or not NAME_RE.match(o.sheet_name):
        raise CollectionError(f"{src}: sheet_name {short(o.sheet_name)} must be a plain file name: 1-128 letters, "
                              "digits, '.', '_' or '-'")
    if not (isinstance(o.truncation, (int, float)) and not isinstance(o.truncation, bool) and 0 < o.truncation <= 2):
        raise CollectionError(f"{src}: output truncation {short(o.truncation)} must be in (0, 2]")
