"""The model card: what an exported assetgan model is, stored as ONNX metadata_props (JSON under one key)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import ModelError
from ..core.safe_json import loads, short

CARD_KEY = "assetgan.card"
CARD_VERSION = 1
KINDS = ("dcgan", "cyclegan")


@dataclass(frozen=True)
class ModelCard:
    """Self-description of an exported model; enough to use it without the training code."""

    kind: str  # "dcgan" (z -> image) or "cyclegan" (image -> image)
    name: str  # short model name, e.g. "crawl-sprites-32"
    size: int  # output side in pixels (dcgan); training crop (cyclegan)
    channels: int  # 4 = RGBA, 3 = RGB
    nz: int = 0  # latent size (dcgan)
    tileable: bool = False  # outputs wrap seamlessly
    data_source: str = ""  # what it was trained on
    data_licence: str = ""  # licence of that data
    steps: int = 0  # training steps
    assetgan_version: str = ""
    training_config: dict[str, Any] = field(default_factory=dict)
    palette: list[str] = field(default_factory=list)  # "#rrggbb" colours learned from the training data
    default_truncation: float = 1.0  # truncation psi used when the user gives none
    default_keep: float = 1.0  # fraction of critic-ranked candidates `generate` keeps when the user gives none
    metrics: dict[str, Any] = field(default_factory=dict)  # measured quality figures, if any
    notes: str = ""
    domains: list[str] = field(default_factory=list)  # cyclegan: names of domains A and B, e.g. photo, monet
    pad_multiple: int = 1  # cyclegan: input sides must be multiples of this (the runtime pads)
    directions: list[str] = field(default_factory=list)  # cyclegan: the directions the file holds, "a2b" and/or
    # "b2a" (a CUT model: "a2b" only); empty = both (every file made before CUT)
    critic: bool = False  # dcgan: the file also holds the discriminator (input critic.image -> critic.score)
    classes: list[str] = field(default_factory=list)  # dcgan: conditional model's class names, id = index (graph
    # input `class` int64 [N]); empty = unconditional
    class_counts: list[int] = field(default_factory=list)  # training images per class, aligned with `classes`
    # what the training images look like (0 = not measured: models made before assetgan recorded it)
    data_binary_alpha: float = 0.0  # share of RGBA training images whose alpha is only 0 or 255
    data_colours: int = 0  # median distinct colours per training image
    data_palette_psnr: float = 0.0  # dB: training images mapped to `palette` vs the originals (palette-like >= 30)
    card_version: int = CARD_VERSION

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "model") -> ModelCard:
        """Parse and check a card against its schema (types and ranges); any problem is one ModelError line."""
        d = loads(text, source, ModelError, "re-export the model with `assetgan to-onnx`")
        if not isinstance(d, dict) or d.get("kind") not in KINDS:
            kind = d.get("kind") if isinstance(d, dict) else d
            raise ModelError(f"{source}: model card has unknown kind {short(kind)}; re-export it with assetgan "
                             "to-onnx")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = [k for k in ("name", "size", "channels") if k not in d]
        if missing:
            raise ModelError(f"{source}: incomplete model card (no {missing[0]!r}); re-export the model")
        values = {k: v for k, v in d.items() if k in names}
        for key, v in values.items():
            problem = _check_field(key, v, d["kind"])
            if problem:
                raise ModelError(f"{source}: model card field {key!r} = {short(v)} {problem}; re-export the model "
                                 "or fix its card")
        if len(values.get("classes", [])) != len(values.get("class_counts", [])):
            raise ModelError(f"{source}: model card lists {len(values.get('classes', []))} classes but "
                             f"{len(values.get('class_counts', []))} class counts; re-export the model or fix its card")
        return cls(**values)

    @property
    def translations(self) -> list[str]:
        """A translator's directions in the file: "a2b", "b2a" or both."""
        return list(self.directions) or ["a2b", "b2a"]

    def summary(self) -> str:
        """One line for listings: kind, size, channels, tileable, data and licence."""
        chan = "RGBA" if self.channels == 4 else "RGB"
        if self.kind == "cyclegan":
            a, b = (self.domains + ["a", "b"])[:2] if len(self.domains) < 2 else self.domains[:2]
            arrow = "<->" if len(self.translations) == 2 else ("->" if self.translations == ["a2b"] else "<-")
            return (f"cyclegan {a} {arrow} {b}, any size (trained on {self.size}px crops), {self.steps} steps; "
                    f"data: {self.data_source or '?'} ({self.data_licence or 'licence unknown'})")
        tile = ", tileable" if self.tileable else ""
        tile += f", {len(self.classes)} classes" if self.classes else ""
        return (f"{self.kind} {self.size}x{self.size} {chan}{tile}, nz={self.nz}, {self.steps} steps; "
                f"data: {self.data_source or '?'} ({self.data_licence or 'licence unknown'})")


_HEX = re.compile(r"#[0-9a-fA-F]{6}\Z")
MAX_SIDE = 4096
MAX_CLASSES = 64


def _is_int(v: Any, lo: int, hi: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _is_num(v: Any, lo: float, hi: float) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and lo < v <= hi


def _check_field(key: str, v: Any, kind: str) -> str:
    """What is wrong with card field `key` (empty when it is fine)."""
    if key in ("name",):
        return "" if isinstance(v, str) and 0 < len(v) <= 128 and v.isprintable() else \
            "must be a printable string of 1-128 characters"
    if key in ("data_source", "data_licence", "assetgan_version", "notes"):
        return "" if isinstance(v, str) else "must be a string"
    if key == "size":
        return "" if _is_int(v, 1, MAX_SIDE) else f"must be a whole number from 1 to {MAX_SIDE}"
    if key == "channels":
        return "" if _is_int(v, 3, 4) else "must be 3 (RGB) or 4 (RGBA)"
    if key == "nz":
        lo = 1 if kind == "dcgan" else 0
        return "" if _is_int(v, lo, 65536) else f"must be a whole number from {lo} to 65536"
    if key in ("steps", "card_version"):
        return "" if _is_int(v, 0, 2**63 - 1) else "must be a whole number >= 0"
    if key in ("tileable", "critic"):
        return "" if isinstance(v, bool) else "must be true or false"
    if key in ("training_config", "metrics"):
        return "" if isinstance(v, dict) else "must be an object"
    if key == "palette":
        return "" if isinstance(v, list) and len(v) <= 256 and all(isinstance(c, str) and _HEX.match(c) for c in v) \
            else "must be a list of at most 256 \"#rrggbb\" colours"
    if key == "default_truncation":
        return "" if _is_num(v, 0, 2) else "must be a number in (0, 2]"
    if key == "default_keep":
        return "" if _is_num(v, 0, 1) else "must be a number in (0, 1]"
    if key == "domains":
        ok = isinstance(v, list) and len(v) <= 2 and all(isinstance(x, str) and 0 < len(x) <= 64 for x in v)
        return "" if ok else "must be a list of (two) domain names"
    if key == "directions":
        ok = isinstance(v, list) and len(v) <= 2 and len(set(v)) == len(v) and all(x in ("a2b", "b2a") for x in v)
        return "" if ok else 'must list "a2b" and/or "b2a" (or nothing: both)'
    if key == "classes":
        ok = isinstance(v, list) and len(v) <= MAX_CLASSES and len(set(v)) == len(v) and all(
            isinstance(x, str) and 0 < len(x) <= 64 and x.isprintable() for x in v)
        return "" if ok else f"must be a list of at most {MAX_CLASSES} distinct printable names of 1-64 characters"
    if key == "class_counts":
        ok = isinstance(v, list) and len(v) <= MAX_CLASSES and all(_is_int(x, 0, 2**63 - 1) for x in v)
        return "" if ok else f"must be a list of at most {MAX_CLASSES} whole numbers >= 0"
    if key == "data_binary_alpha":
        return "" if _is_num(v, -1e-9, 1) else "must be a number from 0 to 1"
    if key == "data_colours":
        return "" if _is_int(v, 0, 2**24) else "must be a whole number >= 0"
    if key == "data_palette_psnr":
        return "" if _is_num(v, -1e-9, 99) else "must be a number from 0 to 99"
    if key == "pad_multiple":
        return "" if _is_int(v, 1, 256) else "must be a whole number from 1 to 256"
    return ""
