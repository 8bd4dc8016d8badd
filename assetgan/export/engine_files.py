"""What game engines add to or read from an export folder: their sidecar files, and animations from item tags."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .collection import NAME_PATTERN

DEFAULT_ANIMATION = "default"  # the animation of frames without a tag (Godot's SpriteFrames always has one)

# Godot 4 writes `x.png.import` beside every image it imports; Unity writes `x.png.meta` beside every asset. Both
# belong to the engine, not to the export: `export --check` does not call them extra and no export removes them.
_SIDECAR = re.compile(NAME_PATTERN + r"\.(?:png|json|tres)\.(?:import|meta)\Z")


def is_sidecar(name: str) -> bool:
    """Is `name` an engine's sidecar (`.import`, `.meta`) of a file an export writes, or once wrote?"""
    return _SIDECAR.match(name) is not None


def tag_animations(tags: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Frame indices per animation, given each frame's tags in sheet order.

    One animation per tag, its frames in sheet order; frames with no (non-empty) tag form "default". A frame with
    two tags is in both. Animations are sorted by name, as Godot saves them, so the result never depends on order
    of discovery.
    """
    found: dict[str, list[int]] = {}
    for i, frame_tags in enumerate(tags):
        names = [t for t in dict.fromkeys(frame_tags) if t] or [DEFAULT_ANIMATION]
        for name in names:
            found.setdefault(name, []).append(i)
    return {name: found[name] for name in sorted(found)}
