"""Files the engine opens: sidecars beside an export, sheet options, indexed PNGs, atlas animations, Godot
SpriteFrames, each checked with a reader that is not our writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings
from assetgan.runtime.model import file_sha256

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
