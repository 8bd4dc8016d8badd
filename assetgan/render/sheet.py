"""Deterministic PNG encoding and sprite-sheet packing with a TexturePacker "JSON (Hash)" atlas.

The atlas is the hash form that Phaser (`load.atlas`) and PixiJS (`Assets.load` -> `Spritesheet`) read:
`frames: {name: {frame, rotated, trimmed, spriteSourceSize, sourceSize}}` and `meta: {app, image, format, size,
scale}`. `with_animations` adds the top-level `animations: {name: [frame names]}` that PixiJS turns into
`sheet.animations` (textures for an AnimatedSprite) and a Phaser game passes to `anims.create` as
`frames: names.map(frame => ({key, frame}))`. Aseprite-style `meta.frameTags` are left out on purpose: a tag is
a `from`..`to` range, so it cannot hold frames that are not next to each other in the sheet, and Phaser's
`createFromAseprite` looks frames up by their index ("0", "1", ...), not by the item names used here.
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
from PIL import Image

from ..core.errors import AssetganError
from .palette import check_image

# Fixed so the same array always gives the same bytes (with the same zlib); 9 because sprites are small.
PNG_COMPRESS_LEVEL = 9
MAX_PADDING = 1024


def encode_png(img: np.ndarray) -> bytes:
    """Encode a uint8 [H, W, 3|4] array as PNG bytes (RGB or RGBA), deterministically and without metadata."""
    img = check_image(img)
    im = Image.fromarray(np.ascontiguousarray(img))  # uint8 [H, W, 3] -> RGB, [H, W, 4] -> RGBA
    buf = io.BytesIO()
    im.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    return buf.getvalue()


def pack_sheet(
    frames: list[tuple[str, np.ndarray]],
    columns: int | None = None,
    padding: int = 0,
    image_name: str = "sheet.png",
) -> tuple[np.ndarray, dict]:
    """Lay same-sized frames out in a grid, row by row, described by a TexturePacker JSON (Hash) atlas.

    `columns` defaults to ceil(sqrt(n)); `padding` is the gap in pixels between neighbouring frames (none at
    the sheet's edges). The background is transparent for RGBA; if any frame is RGBA, RGB frames are made
    opaque RGBA. Returns (sheet [H, W, C] uint8, atlas dict ready for `atlas_json`).
    """
    if not frames:
        raise AssetganError("sprite sheet: no frames to pack; generate at least one image")
    n = len(frames)
    if columns is None:
        columns = math.isqrt(n)
        if columns * columns < n:
            columns += 1
    if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
        raise AssetganError(
            f"sheet columns {columns!r}: must be a whole number of at least 1; pick another value"
        )
    if (
        isinstance(padding, bool)
        or not isinstance(padding, (int, np.integer))
        or not 0 <= padding <= MAX_PADDING
    ):
        raise AssetganError(
            f"sheet padding {padding!r}: must be a whole number from 0 to {MAX_PADDING}; pick another value"
        )
    columns, padding = int(columns), int(padding)

    seen: set[str] = set()
    for _, img in frames:
        check_image(img)
    first_name, (h, w) = frames[0][0], frames[0][1].shape[:2]
    for name, img in frames:
        if not isinstance(name, str) or not name:
            raise AssetganError(
                f"sprite sheet: frame name {name!r} must be a non-empty string; name the frame"
            )
        if name in seen:
            raise AssetganError(
                f"sprite sheet: frame name {name!r} is used twice; give every frame its own name"
            )
        seen.add(name)
        if img.shape[:2] != (h, w):
            raise AssetganError(
                f"sprite sheet: frame {name!r} is {img.shape[1]}x{img.shape[0]} "
                f"but {first_name!r} is {w}x{h}; "
                "all frames must be the same size (use one model size per sheet)"
            )
    channels = 4 if any(img.shape[2] == 4 for _, img in frames) else 3

    rows = math.ceil(n / columns)
    sheet_w = columns * w + (columns - 1) * padding
    sheet_h = rows * h + (rows - 1) * padding
    sheet = np.zeros((sheet_h, sheet_w, channels), dtype=np.uint8)  # transparent black for RGBA
    atlas_frames: dict[str, dict] = {}
    for i, (name, img) in enumerate(frames):
        x = (i % columns) * (w + padding)
        y = (i // columns) * (h + padding)
        sheet[y : y + h, x : x + w, :3] = img[..., :3]
        if channels == 4:
            sheet[y : y + h, x : x + w, 3] = img[..., 3] if img.shape[2] == 4 else 255
        atlas_frames[name] = {
            "frame": {"x": x, "y": y, "w": w, "h": h},
            "rotated": False,
            "trimmed": False,
            "spriteSourceSize": {"x": 0, "y": 0, "w": w, "h": h},
            "sourceSize": {"w": w, "h": h},
        }
    atlas = {
        "frames": atlas_frames,
        "meta": {
            "app": "assetgan",
            "image": image_name,
            "format": "RGBA8888" if channels == 4 else "RGB888",
            "size": {"w": sheet_w, "h": sheet_h},
            "scale": "1",
        },
    }
    return sheet, atlas


def with_animations(atlas: dict, animations: dict[str, list[str]], version: str) -> dict:
    """A copy of `atlas` with top-level `animations` (frame names per animation, in play order) and `meta.version`
    (the writing app's version, as Aseprite writes it), keys in TexturePacker's order."""
    meta = {"app": atlas["meta"]["app"], "version": version}
    meta.update((k, v) for k, v in atlas["meta"].items() if k not in meta)
    return {"frames": atlas["frames"], "animations": animations, "meta": meta}


def atlas_json(atlas: dict) -> bytes:
    """Serialise an atlas deterministically: frames in insertion order, indent 2, UTF-8, trailing newline."""
    return (json.dumps(atlas, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
