"""The files an export writes for its sprite sheet: the PNG, the JSON atlas and, if asked, Godot's SpriteFrames."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from .. import __version__
from ..render.godot import godot_uid, sprite_frames_tres
from ..render.sheet import atlas_json, pack_sheet, with_animations
from .collection import Collection, OutputSettings
from .engine_files import tag_animations


def sheet_names(o: OutputSettings) -> list[str]:
    """The sheet's file names, in the order an export writes them (none without a sheet)."""
    if not o.sheet:
        return []
    return [f"{o.sheet_name}.png", f"{o.sheet_name}.json"] + ([f"{o.sheet_name}.tres"] if o.sheet_godot else [])


def sheet_files(col: Collection, frames: list[tuple[str, np.ndarray]], tags: Sequence[Sequence[str]],
                encode: Callable[[np.ndarray], bytes]) -> list[tuple[str, bytes]]:
    """(name, bytes) of each sheet file for finished `frames` (name, [H, W, C] uint8) and each frame's tags."""
    o = col.output
    png, json_name, *tres = sheet_names(o)
    sheet, atlas = pack_sheet(frames, o.sheet_columns, o.sheet_padding, png)
    animations = tag_animations(tags) if o.sheet_animations or o.sheet_godot else {}
    if o.sheet_animations:
        atlas = with_animations(atlas, {a: [frames[i][0] for i in ks] for a, ks in animations.items()}, __version__)
    out = [(png, encode(sheet)), (json_name, atlas_json(atlas))]
    if tres:
        regions = [tuple(atlas["frames"][name]["frame"][k] for k in "xywh") for name, _ in frames]
        out.append((tres[0], sprite_frames_tres(png, regions, animations, _uid(col))))  # type: ignore[arg-type]
    return out


def _uid(col: Collection) -> str:
    """A UID that stays the same across re-exports: from the collection's, model's and sheet's names."""
    seed = "\0".join(("assetgan.spriteframes", col.name, col.model.name, col.output.sheet_name)).encode()
    return godot_uid(int.from_bytes(hashlib.sha256(seed).digest()[:8], "big"))
