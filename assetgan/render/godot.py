"""Godot 4 SpriteFrames resources (`.tres`, text format 3): named animations of regions cut from one sheet PNG.

What Godot 4's text loader reads (core `resource_format_text.cpp`, `SpriteFrames::_set_animations`):

- `[ext_resource type="Texture2D" path="sheet.png" id="1_sheet"]`: a path without `res://` is resolved against the
  folder of the `.tres` itself, so the resource works wherever the export folder sits inside the project
  (the editor rewrites it as a full `res://` path if it ever saves the resource).
- one `[sub_resource type="AtlasTexture"]` per frame: `atlas = ExtResource(...)`, `region = Rect2(x, y, w, h)`.
- `[resource] animations = [{"frames": [{"duration", "texture"}], "loop", "name", "speed"}]`, animations sorted
  by name and dictionary keys sorted, as Godot's own saver writes them. Names are plain strings, which Godot
  turns into StringNames on load (it writes `&"name"` itself; plain strings also parse in Godot-3-era tools).
- a `uid` in the header, given by the caller: a stable one keeps scenes that use the resource linked across
  re-exports, and the editor never has to add one (which would change the file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FPS = 5.0  # Godot's default animation speed
TEXTURE_ID = "1_sheet"
_UID_DIGITS = "abcdefghijklmnopqrstuvwxy012345678"  # Godot's base-34 UID alphabet: no 'z', no '9'


def godot_uid(value: int) -> str:
    """`uid://...` text of a 63-bit id, as Godot's ResourceUID::id_to_text writes it."""
    value &= (1 << 63) - 1
    digits = ""
    while True:
        value, d = divmod(value, len(_UID_DIGITS))
        digits = _UID_DIGITS[d] + digits
        if not value:
            return "uid://" + digits


def godot_string(text: str) -> str:
    """A quoted string literal Godot's variant parser reads back as `text`."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def sprite_frames_tres(image_name: str, regions: Sequence[tuple[int, int, int, int]],
                       animations: Mapping[str, Sequence[int]], uid: str) -> bytes:
    """A SpriteFrames `.tres` whose frame i is `regions[i]` (x, y, w, h) of `image_name` (beside the `.tres`) and
    whose animations list frame indices; UTF-8, deterministic."""
    used = sorted({i for frames in animations.values() for i in frames})
    lines = [f'[gd_resource type="SpriteFrames" load_steps={len(used) + 2} format=3 uid="{uid}"]', "",
             f'[ext_resource type="Texture2D" path={godot_string(image_name)} id="{TEXTURE_ID}"]', ""]
    for i in used:
        x, y, w, h = regions[i]
        lines += [f'[sub_resource type="AtlasTexture" id="AtlasTexture_{i}"]', f'atlas = ExtResource("{TEXTURE_ID}")',
                  f"region = Rect2({x}, {y}, {w}, {h})", ""]
    anims = []
    for name in sorted(animations):
        frames = ", ".join(f'{{\n"duration": 1.0,\n"texture": SubResource("AtlasTexture_{i}")\n}}'
                           for i in animations[name])
        anims.append(f'{{\n"frames": [{frames}],\n"loop": true,\n"name": {godot_string(name)},\n"speed": {FPS}\n}}')
    lines += ["[resource]", f"animations = [{', '.join(anims)}]"]
    return ("\n".join(lines) + "\n").encode("utf-8")
