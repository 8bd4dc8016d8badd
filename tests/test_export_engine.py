"""Files the engine opens: sidecars beside an export, sheet options, indexed PNGs, atlas animations, Godot
SpriteFrames, each checked with a reader that is not our writer."""

from __future__ import annotations

import json
from pathlib import Path

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
