"""Files the engine opens: sidecars beside an export, sheet options, indexed PNGs, atlas animations, Godot
SpriteFrames, each checked with a reader that is not our writer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings
from assetgan.runtime.model import file_sha256

from .conftest import one_line_error

runner = CliRunner()

ITEMS = [Item("walk_a", seed=1, tags=["walk"]), Item("idle_a", seed=2, tags=["idle"]),
         Item("walk_b", seed=3, tags=["walk", "walk"]), Item("plain", seed=4),
         Item("both", seed=5, tags=["idle", "walk"])]


@pytest.fixture()
def make_collection(tiny_model, tmp_path):
    """Write a collection of the committed tiny model (RGBA, 32 px, a 4-colour card palette) and return its path."""
    sha = file_sha256(tiny_model)

    def make(items: list[Item] = ITEMS, name: str = "c.json", **output) -> Path:
        path = tmp_path / name
        Collection(ModelRef("tiny-sprites", sha, str(tiny_model)), list(items), OutputSettings(**output),
                   name="engine").save(path)
        return path

    return make


def export(*args: str | Path) -> None:
    r = runner.invoke(app, ["export", *map(str, args)])
    assert r.exit_code == 0, r.output


def check(col: Path, out: Path, *args: str):
    return runner.invoke(app, ["export", str(col), "--out", str(out), "--check", *args])


# ---- 1. engine sidecars ----------------------------------------------------------------------------------------
def test_check_ignores_godot_and_unity_sidecars_but_not_a_stray_png(make_collection, tmp_path):
    col = make_collection(sheet=True)
    out = tmp_path / "out"
    export(col, "--out", out)
    for p in list(out.iterdir()):
        (out / f"{p.name}.import").write_text("[remap]\nimporter=\"texture\"\n")
        (out / f"{p.name}.meta").write_text("fileFormatVersion: 2\n")
    r = check(col, out)
    assert r.exit_code == 0, r.output
    (out / "stray.png").write_bytes((out / "plain.png").read_bytes())
    (out / "stray.png.import").write_text("x")
    r = check(col, out)
    assert r.exit_code == 1
    extras = [line for line in r.stderr.splitlines() if line.startswith("extra")]
    assert len(extras) == 1 and extras[0].endswith("stray.png"), r.stderr
    (out / "notes.meta").write_text("not a sidecar of an export file")
    assert "notes.meta" in check(col, out).stderr


def test_a_re_export_keeps_every_sidecar_even_of_a_file_it_removes(make_collection, tmp_path):
    col = make_collection(sheet=True)
    out = tmp_path / "out"
    export(col, "--out", out)
    sidecars = {}
    for p in list(out.iterdir()):
        for suffix in (".import", ".meta"):
            sidecars[f"{p.name}{suffix}"] = f"{p.name} {suffix}".encode()
            (out / f"{p.name}{suffix}").write_bytes(sidecars[f"{p.name}{suffix}"])
    col = make_collection(ITEMS[:2], sheet=True)  # walk_b, plain and both are no longer exported
    export(col, "--out", out, "--force")
    assert not (out / "plain.png").exists()
    for name, data in sidecars.items():
        assert (out / name).read_bytes() == data, name
    assert check(col, out).exit_code == 0


# ---- 5. --columns and --padding -------------------------------------------------------------------------------
def test_columns_and_padding_override_the_collection_and_check_with_the_same_options(make_collection, tmp_path):
    col = make_collection(sheet=True, sheet_columns=5, sheet_padding=0)
    out = tmp_path / "out"
    export(col, "--out", out, "--columns", "2", "--padding", "3")
    atlas = json.loads((out / "sheet.json").read_text())
    spots = [(f["frame"]["x"], f["frame"]["y"]) for f in atlas["frames"].values()]
    assert spots == [(0, 0), (35, 0), (0, 35), (35, 35), (0, 70)]
    assert atlas["meta"]["size"] == {"w": 67, "h": 102}
    with Image.open(out / "sheet.png") as im:
        assert im.size == (67, 102)
    assert check(col, out, "--columns", "2", "--padding", "3").exit_code == 0
    r = check(col, out)  # the collection's own 5 columns, no padding: another sheet
    assert r.exit_code == 1 and "sheet.png" in r.stderr and "sheet.json" in r.stderr


@pytest.mark.parametrize("args, needles", [
    (["--columns", "0"], ["--columns 0", "from 1 to 65536"]),
    (["--columns", "65537"], ["--columns 65537", "pick another value"]),
    (["--padding", "-1"], ["--padding -1", "from 0 to 1024"]),
    (["--padding", "1025"], ["--padding 1025"]),
])
def test_bad_sheet_options_are_one_line_errors(make_collection, tmp_path, args, needles):
    out = tmp_path / "out"
    one_line_error(runner.invoke(app, ["export", str(make_collection(sheet=True)), "--out", str(out), *args]),
                   *needles)
    assert not out.exists()


@pytest.mark.parametrize("option", ["--columns", "--padding", "--animations", "--godot"])
def test_sheet_options_without_a_sheet_say_how_to_turn_it_on(make_collection, tmp_path, option):
    args = [option, "2"] if option in ("--columns", "--padding") else [option]
    r = runner.invoke(app, ["export", str(make_collection()), "--out", str(tmp_path / "o"), *args])
    one_line_error(r, option, '"sheet": true')


def test_indexed_without_a_palette_says_how_to_set_one(make_collection, tmp_path):
    r = runner.invoke(app, ["export", str(make_collection()), "--out", str(tmp_path / "o"), "--indexed"])
    one_line_error(r, "--indexed", '"palette"')


def test_without_the_new_options_an_export_is_what_it_was(make_collection, tmp_path):
    col = make_collection(sheet=True, palette="auto", alpha_threshold=128)
    saved = json.loads(col.read_text())["output"]
    assert not {"indexed", "sheet_animations", "sheet_godot"} & set(saved)  # older versions still read the file
    out = tmp_path / "out"
    export(col, "--out", out)
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{it.name}.png" for it in ITEMS] + [
        "sheet.png", "sheet.json", "assetgan-export.json"])
    atlas = json.loads((out / "sheet.json").read_text())
    assert list(atlas) == ["frames", "meta"] and "version" not in atlas["meta"]
    for p in out.glob("*.png"):
        with Image.open(p) as im:
            assert im.mode == "RGBA", p


# ---- 4. indexed PNGs ------------------------------------------------------------------------------------------
CARD_PALETTE = [(0, 0, 0), (255, 255, 255), (0xAA, 0x33, 0x11), (0x33, 0xAA, 0x11)]  # the tiny model's


def rgba(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"))


def test_indexed_pngs_read_back_by_pillow_as_the_rgba_export_pixel_for_pixel(make_collection, tmp_path):
    col = make_collection(sheet=True, palette="auto", alpha_threshold=128)
    plain, small, again = tmp_path / "rgba", tmp_path / "p", tmp_path / "p2"
    export(col, "--out", plain)
    export(col, "--out", small, "--indexed")
    export(col, "--out", again, "--indexed")
    names = sorted(p.name for p in small.glob("*.png"))
    assert names == sorted(p.name for p in plain.glob("*.png")) and len(names) == len(ITEMS) + 1
    for name in names:
        with Image.open(small / name) as im:
            assert im.mode == "P" and im.info["transparency"] == 0, name
            entries = im.getpalette()
            assert [tuple(entries[i : i + 3]) for i in range(0, len(entries), 3)] == [(0, 0, 0), *CARD_PALETTE]
        assert np.array_equal(rgba(small / name), rgba(plain / name)), name
        assert (small / name).stat().st_size < (plain / name).stat().st_size, name
        assert (small / name).read_bytes() == (again / name).read_bytes(), name  # byte-deterministic
    assert check(col, small, "--indexed").exit_code == 0
    assert check(col, plain, "--indexed").exit_code == 1


def test_partial_alpha_stays_rgba_and_the_collection_setting_needs_no_option(make_collection, tmp_path):
    col = make_collection(palette="auto", indexed=True)  # no alpha threshold: soft edges are not indexable
    out, plain = tmp_path / "out", tmp_path / "plain"
    export(col, "--out", out)
    export(col, "--out", plain, "--no-indexed")
    for p in out.glob("*.png"):
        with Image.open(p) as im:
            assert im.mode == "RGBA", p
        assert p.read_bytes() == (plain / p.name).read_bytes()
    assert check(col, out).exit_code == 0


def test_palette_indices_refuse_what_palette_mode_cannot_hold_exactly():
    from assetgan.render.indexed_png import encode_indexed_png, palette_indices

    pal = np.array(CARD_PALETTE, np.uint8)
    img = np.zeros((2, 3, 4), np.uint8)
    img[0, :, :3], img[0, :, 3] = pal[[1, 2, 3]], 255
    assert palette_indices(img, pal).tolist() == [[2, 3, 4], [0, 0, 0]]
    assert palette_indices(img[..., :3], pal).tolist() == [[1, 2, 3], [0, 0, 0]]  # RGB: no transparent entry
    for bad in ((0, 0, 3, 127), (0, 0, 3, 1), (0, 1, 0, 5)):  # partial alpha; alpha 1; a colour not in the palette
        y, x, c, v = bad
        other = img.copy()
        other[y, x, c] = v
        assert palette_indices(other, pal) is None and encode_indexed_png(other, pal) is None
    hidden = img.copy()
    hidden[1, 0, :3] = 9  # a transparent pixel with a colour would decode as (0, 0, 0, 0)
    assert palette_indices(hidden, pal) is None
    more = np.stack([np.arange(252), np.ones(252), np.ones(252)], axis=1).astype(np.uint8)
    full = np.concatenate([pal, more])  # 256 colours holding every colour of img
    assert palette_indices(img, full) is None and palette_indices(img[..., :3], full) is not None  # 256 + 1 > 256
    with Image.open(io.BytesIO(encode_indexed_png(img[..., :3], pal))) as im:
        assert im.mode == "P" and "transparency" not in im.info
        assert np.array_equal(np.asarray(im.convert("RGB")), img[..., :3])


# ---- 2. the atlas: animations from tags, meta.version ---------------------------------------------------------
RECT = {"type": "object", "required": ["x", "y", "w", "h"], "additionalProperties": False,
        "properties": {k: {"type": "integer", "minimum": 0} for k in "xywh"}}
SIZE = {"type": "object", "required": ["w", "h"], "additionalProperties": False,
        "properties": {k: {"type": "integer", "minimum": 1} for k in "wh"}}
# The TexturePacker "JSON (Hash)" atlas as PixiJS's SpritesheetData / SpritesheetFrameData types and Phaser's
# JSONHash texture parser read it (no pip package parses these atlases, so a schema of the documented format).
ATLAS_SCHEMA = {
    "type": "object", "required": ["frames", "meta"], "additionalProperties": False,
    "properties": {
        "frames": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object", "required": ["frame"],
            "properties": {"frame": RECT, "rotated": {"type": "boolean"}, "trimmed": {"type": "boolean"},
                           "spriteSourceSize": RECT, "sourceSize": SIZE}}},
        "animations": {"type": "object", "additionalProperties": {
            "type": "array", "minItems": 1, "items": {"type": "string"}}},
        "meta": {"type": "object", "required": ["image", "scale"],
                 "properties": {"app": {"type": "string"}, "version": {"type": "string"},
                                "image": {"type": "string"}, "format": {"type": "string"}, "size": SIZE,
                                "scale": {"type": ["string", "number"]}}},
    },
}


def test_the_atlas_animations_follow_tags_in_sheet_order_and_pass_the_schema(make_collection, tmp_path):
    import jsonschema

    from assetgan import __version__

    col = make_collection(sheet=True)
    out = tmp_path / "out"
    export(col, "--out", out, "--animations", "--columns", "2")
    atlas = json.loads((out / "sheet.json").read_text())
    jsonschema.validate(atlas, ATLAS_SCHEMA)
    assert list(atlas) == ["frames", "animations", "meta"]
    assert atlas["meta"]["app"] == "assetgan" and atlas["meta"]["version"] == __version__
    assert atlas["animations"] == {"default": ["plain.png"], "idle": ["idle_a.png", "both.png"],
                                   "walk": ["walk_a.png", "walk_b.png", "both.png"]}
    for frames in atlas["animations"].values():  # what PixiJS's Spritesheet does: every name is a frame ...
        spots = [(atlas["frames"][n]["frame"]["y"], atlas["frames"][n]["frame"]["x"]) for n in frames]
        assert spots == sorted(spots)  # ... played in sheet order
    jsonschema.validate(json.loads(json.dumps(atlas | {"frames": {}})), {"not": ATLAS_SCHEMA})  # the schema bites
    assert check(col, out, "--animations", "--columns", "2").exit_code == 0
    plain = tmp_path / "plain"
    export(col, "--out", plain, "--columns", "2")
    without = json.loads((plain / "sheet.json").read_text())
    jsonschema.validate(without, ATLAS_SCHEMA)
    meta = dict(atlas["meta"])
    del meta["version"]
    assert without == {"frames": atlas["frames"], "meta": meta}


# ---- 3. Godot 4 SpriteFrames ----------------------------------------------------------------------------------
def godot_text_to_id(text: str) -> int:
    """Godot's ResourceUID::text_to_id, transcribed: base 34, digits 'a'-'y' then '0'-'8'."""
    value = 0
    for ch in text.removeprefix("uid://"):
        value = value * 34 + (ord(ch) - ord("a") if "a" <= ch <= "z" else ord(ch) - ord("0") + 25)
    return value


def test_godot_sprite_frames_parse_with_godot_parser_and_cut_the_sheet_right(make_collection, tmp_path):
    import godot_parser

    col = make_collection(sheet=True, sheet_padding=2)
    out = tmp_path / "out"
    export(col, "--out", out, "--godot")
    res = godot_parser.load(str(out / "sheet.tres"))
    head = res.get_sections()[0].header
    assert head.name == "gd_resource" and head["type"] == "SpriteFrames" and head["format"] == 3
    assert head["load_steps"] == len(ITEMS) + 2
    uid = head["uid"]
    value = godot_text_to_id(uid)
    assert 0 <= value < 2**63 and uid.startswith("uid://") and not set(uid[6:]) & {"z", "9"}
    from assetgan.render.godot import godot_uid

    assert godot_uid(value) == uid  # round trip through Godot's own decoding
    (ext,) = res.get_ext_resources()
    assert (ext.type, ext.path) == ("Texture2D", "sheet.png")  # beside the .tres: relative to it
    subs = {s.id: s for s in res.get_sub_resources()}
    assert all(s.type == "AtlasTexture" and s["atlas"].args == [ext.id] for s in subs.values())
    atlas = json.loads((out / "sheet.json").read_text())  # the .tres adds nothing to the atlas ...
    assert list(atlas) == ["frames", "meta"]
    sheet = rgba(out / "sheet.png")
    regions = {}
    for sid, sub in subs.items():
        rect = sub["region"]
        assert rect.name == "Rect2"
        x, y, w, h = rect.args
        regions[sid] = sheet[y : y + h, x : x + w]
    (resource,) = [s for s in res.get_sections() if s.header.name == "resource"]
    anims = {a["name"]: a for a in resource["animations"]}
    assert list(anims) == ["default", "idle", "walk"]
    expect = {"default": ["plain"], "idle": ["idle_a", "both"], "walk": ["walk_a", "walk_b", "both"]}
    for name, items in expect.items():
        a = anims[name]
        assert a["loop"] is True and a["speed"] == 5.0
        assert [f["duration"] for f in a["frames"]] == [1.0] * len(items)
        cut = [regions[f["texture"].args[0]] for f in a["frames"]]
        assert all(np.array_equal(c, rgba(out / f"{it}.png")) for c, it in zip(cut, items)), name
    assert check(col, out, "--godot").exit_code == 0
    manifest = json.loads((out / "assetgan-export.json").read_text())
    assert manifest["files"][-3:] == ["sheet.png", "sheet.json", "sheet.tres"]


def test_godot_names_with_quotes_and_no_tags_at_all(make_collection, tmp_path):
    import godot_parser

    items = [Item("a", seed=1, tags=['say "hi"\\now']), Item("b", seed=2), Item("c", seed=3, tags=[""])]
    col = make_collection(items, sheet=True, sheet_godot=True, files=False)  # the collection setting alone
    out = tmp_path / "out"
    export(col, "--out", out)
    assert sorted(p.name for p in out.iterdir()) == ["assetgan-export.json", "sheet.json", "sheet.png", "sheet.tres"]
    res = godot_parser.load(str(out / "sheet.tres"))
    (resource,) = [s for s in res.get_sections() if s.header.name == "resource"]
    names = {a["name"]: len(a["frames"]) for a in resource["animations"]}
    assert names == {"default": 2, 'say "hi"\\now': 1}
    col = make_collection(items, sheet=True, sheet_godot=False, files=False)
    export(col, "--out", out, "--force")  # a later export without it removes the .tres it wrote
    assert not (out / "sheet.tres").exists() and check(col, out).exit_code == 0


def test_the_sprite_frames_file_is_what_godot_itself_writes():
    from assetgan.render.godot import sprite_frames_tres

    text = sprite_frames_tres("s.png", [(0, 0, 8, 8), (9, 0, 8, 8)], {"run": [1, 0]}, "uid://abc").decode()
    assert text == (
        '[gd_resource type="SpriteFrames" load_steps=4 format=3 uid="uid://abc"]\n\n'
        '[ext_resource type="Texture2D" path="s.png" id="1_sheet"]\n\n'
        '[sub_resource type="AtlasTexture" id="AtlasTexture_0"]\natlas = ExtResource("1_sheet")\n'
        "region = Rect2(0, 0, 8, 8)\n\n"
        '[sub_resource type="AtlasTexture" id="AtlasTexture_1"]\natlas = ExtResource("1_sheet")\n'
        "region = Rect2(9, 0, 8, 8)\n\n"
        '[resource]\nanimations = [{\n"frames": [{\n"duration": 1.0,\n"texture": SubResource("AtlasTexture_1")\n'
        '}, {\n"duration": 1.0,\n"texture": SubResource("AtlasTexture_0")\n}],\n"loop": true,\n"name": "run",\n'
        '"speed": 5.0\n}]\n')
