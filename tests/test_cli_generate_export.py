"""CLI: models, generate and export through typer's CliRunner, success paths and every bad input."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.export.collection import load_collection

from .conftest import one_line_error

runner = CliRunner()


@pytest.fixture()
def model_dir(tiny_model, tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(tiny_model, folder / "tiny-sprites.onnx")
    monkeypatch.setenv("ASSETGAN_MODELS", str(folder))
    return folder


def test_models_lists_user_models(model_dir):
    r = runner.invoke(app, ["models"])
    assert r.exit_code == 0
    assert "tiny-sprites" in r.stdout and "[user]" in r.stdout and "CC0 1.0" in r.stdout


def test_generate_files_sheet_and_scale(model_dir, tmp_path):
    out = tmp_path / "gen"
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "5", "--seed", "10", "--out", str(out),
                            "--sheet", "--scale", "3", "--save-collection", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    pngs = sorted(p.name for p in out.glob("tiny-sprites_0000*.png"))
    assert pngs == [f"tiny-sprites_{s:06d}.png" for s in range(10, 15)]
    im = Image.open(out / pngs[0])
    assert im.size == (96, 96) and im.mode == "RGBA"
    atlas = json.loads((out / "tiny-sprites_sheet.json").read_text())
    assert len(atlas["frames"]) == 5 and atlas["meta"]["image"] == "tiny-sprites_sheet.png"
    f = atlas["frames"]["tiny-sprites_000012.png"]["frame"]
    sheet = np.asarray(Image.open(out / "tiny-sprites_sheet.png"))
    single = np.asarray(Image.open(out / "tiny-sprites_000012.png"))
    assert np.array_equal(sheet[f["y"]:f["y"] + f["h"], f["x"]:f["x"] + f["w"]], single)
    col = load_collection(tmp_path / "c.json")
    assert [i.seed for i in col.items] == list(range(10, 15))


def test_generate_palette_auto_and_file(model_dir, tmp_path):
    out = tmp_path / "p"
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "3", "--out", str(out), "--palette", "auto",
                            "--alpha-threshold", "128"])
    assert r.exit_code == 0, r.output
    allowed = {(0, 0, 0), (255, 255, 255), (0xAA, 0x33, 0x11), (0x33, 0xAA, 0x11)}
    for p in out.glob("*.png"):
        a = np.asarray(Image.open(p))
        assert set(np.unique(a[..., 3])) <= {0, 255}
        assert {tuple(c) for c in a[a[..., 3] == 255][:, :3]} <= allowed
    gpl = tmp_path / "two.gpl"
    gpl.write_text("GIMP Palette\n0 0 0 black\n255 255 255 white\n")
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(tmp_path / "q"),
                            "--palette", str(gpl)])
    assert r.exit_code == 0, r.output


def test_export_is_byte_identical_and_check_detects_drift(model_dir, tmp_path):
    col = tmp_path / "c.json"
    assert runner.invoke(app, ["generate", "tiny-sprites", "--count", "4", "--out", str(tmp_path / "g"),
                               "--sheet", "--save-collection", str(col)]).exit_code == 0
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["export", str(col), "--out", str(a)]).exit_code == 0
    assert runner.invoke(app, ["export", str(col), "--out", str(b)]).exit_code == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and "assetgan-export.json" in names
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    # generate and export share one renderer: same files, same bytes
    for n in names:
        if n.endswith(".png"):
            assert (tmp_path / "g" / n).read_bytes() == (a / n).read_bytes()
    ok = runner.invoke(app, ["export", str(col), "--out", str(a), "--check"])
    assert ok.exit_code == 0, ok.output
    victim = a / "tiny-sprites_000002.png"
    img = np.asarray(Image.open(victim)).copy()
    img[0, 0] = 255 - img[0, 0]
    Image.fromarray(img).save(victim)
    (a / "tiny-sprites_sheet.json").unlink()
    bad = runner.invoke(app, ["export", str(col), "--out", str(a), "--check"])
    assert bad.exit_code == 1
    assert "drifted" in bad.stderr and "tiny-sprites_000002.png" in bad.stderr
    assert "missing" in bad.stderr and "tiny-sprites_sheet.json" in bad.stderr


def test_export_error_paths(model_dir, tmp_path, tiny_model):
    col = tmp_path / "c.json"
    assert runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(tmp_path / "g"),
                               "--save-collection", str(col)]).exit_code == 0
    out = tmp_path / "x"
    assert runner.invoke(app, ["export", str(col), "--out", str(out)]).exit_code == 0
    one_line_error(runner.invoke(app, ["export", str(col), "--out", str(out)]), "not empty", "--force")
    assert runner.invoke(app, ["export", str(col), "--out", str(out), "--force"]).exit_code == 0

    d = json.loads(col.read_text())
    d["version"] = 7
    v7 = tmp_path / "v7.json"
    v7.write_text(json.dumps(d))
    one_line_error(runner.invoke(app, ["export", str(v7), "--out", str(tmp_path / "y")]), "version 7", "v7.json")

    d = json.loads(col.read_text())
    d["model"]["sha256"] = "0" * 64
    sha = tmp_path / "sha.json"
    sha.write_text(json.dumps(d))
    one_line_error(runner.invoke(app, ["export", str(sha), "--out", str(tmp_path / "z")]), "sha256")

    d = json.loads(col.read_text())
    d["model"] = {"name": "gone", "sha256": "1" * 64}
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps(d))
    one_line_error(runner.invoke(app, ["export", str(gone), "--out", str(tmp_path / "w")]), "'gone'")

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    one_line_error(runner.invoke(app, ["export", str(broken), "--out", str(tmp_path / "v")]), "invalid JSON")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    one_line_error(runner.invoke(app, ["export", str(col), "--out", str(a_file)]), "is a file")


def test_interrupted_export_leaves_no_partial_files(model_dir, tmp_path, monkeypatch):
    from assetgan.export import render as export_mod

    col = tmp_path / "c.json"
    assert runner.invoke(app, ["generate", "tiny-sprites", "--count", "3", "--out", str(tmp_path / "g"),
                               "--save-collection", str(col)]).exit_code == 0
    real = export_mod.encode_png
    calls = {"n": 0}

    def dying(img):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(img)

    monkeypatch.setattr(export_mod, "encode_png", dying)
    out = tmp_path / "half"
    r = runner.invoke(app, ["export", str(col), "--out", str(out)])
    assert r.exit_code == 130
    files = list(out.iterdir())
    assert [p.name for p in files] == ["tiny-sprites_000000.png"]  # complete files only, no temporaries
    Image.open(files[0]).load()


def test_generate_bad_inputs(model_dir, tmp_path):
    not_onnx = tmp_path / "fake.onnx"
    not_onnx.write_text("hello")
    one_line_error(runner.invoke(app, ["generate", str(not_onnx), "--out", str(tmp_path / "a")]), "fake.onnx")
    one_line_error(runner.invoke(app, ["generate", "no-such-model", "--out", str(tmp_path / "b")]),
                    "no-such-model")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "0", "--out", str(tmp_path / "c")]),
                    "--count 0")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--scale", "0", "--out", str(tmp_path / "d")]),
                    "scale 0")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--palette", "nope.gpl",
                                        "--out", str(tmp_path / "e")]), "nope.gpl")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--truncation", "5",
                                        "--out", str(tmp_path / "f")]), "truncation 5")


def test_review_regressions(model_dir, tmp_path, monkeypatch):
    # a palette file given to generate is inlined, so the saved collection exports from any folder
    hexfile = tmp_path / "pal.hex"
    hexfile.write_text("000000\nffffff\n")
    col = tmp_path / "c.json"
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(tmp_path / "g"),
                            "--palette", str(hexfile), "--save-collection", str(col)])
    assert r.exit_code == 0, r.output
    assert json.loads(col.read_text())["output"]["palette"] == ["#000000", "#ffffff"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "e"
    assert runner.invoke(app, ["export", str(col), "--out", str(out)]).exit_code == 0
    # --check reports files the collection does not make; --force removes an earlier export's leftovers
    (out / "stale.png").write_bytes(b"x")
    bad = runner.invoke(app, ["export", str(col), "--out", str(out), "--check"])
    assert bad.exit_code == 1 and "extra" in bad.stderr and "stale.png" in bad.stderr
    d = json.loads(col.read_text())
    d["items"] = d["items"][:1]
    col.write_text(json.dumps(d))
    assert runner.invoke(app, ["export", str(col), "--out", str(out), "--force"]).exit_code == 0
    assert not (out / "tiny-sprites_000001.png").exists() and (out / "stale.png").exists()
    # bad prefix or save path fail before anything is written
    for args, needle in ((["--prefix", "a/b"], "name must be"), (["--prefix", "a b"], "name must be"),
                         (["--save-collection", str(tmp_path / "no" / "c.json")], "does not exist")):
        target = tmp_path / f"p{len(needle)}{len(args[1])}"
        one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(target),
                                            *args]), needle)
        assert not target.exists()
    # a bad z length or an empty selection fails before the output folder is created
    d = json.loads(col.read_text())
    d["items"] = [{"name": "x", "z": [0.0, 1.0]}]
    col.write_text(json.dumps(d))
    one_line_error(runner.invoke(app, ["export", str(col), "--out", str(tmp_path / "zz")]), "z has 2 values")
    assert not (tmp_path / "zz").exists()


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(extra="x"), '"extra" must be an object'),
    (lambda d: d["items"][0].update(tags=5), '"tags" must be a list of strings'),
    (lambda d: d["model"].update(path=5), '"model.path" must be a string'),
    (lambda d: d["output"].update(files="no"), '"files" must be true or false'),
    (lambda d: d["output"].update(scale=2.5), '"scale" must be a whole number'),
    (lambda d: d["items"][0].update(seed=None, z=[float("nan")]), "finite numbers"),
])
def test_collection_field_types(tmp_path, mutate, message):
    from assetgan.export.collection import Collection, Item, ModelRef

    d = Collection(ModelRef("m", "ab" * 32), [Item("a", seed=1)]).to_dict()
    mutate(d)
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    r = runner.invoke(app, ["export", str(p), "--out", str(tmp_path / "o")])
    one_line_error(r, message)


def test_shards_together_write_exactly_what_one_run_writes(model_dir, tmp_path):
    col = tmp_path / "c.json"
    assert runner.invoke(app, ["generate", "tiny-sprites", "--count", "7", "--out", str(tmp_path / "g"), "--sheet",
                               "--save-collection", str(col)]).exit_code == 0
    one, farm = tmp_path / "one", tmp_path / "farm"
    assert runner.invoke(app, ["export", str(col), "--out", str(one)]).exit_code == 0
    for i in (1, 2, 3):
        r = runner.invoke(app, ["export", str(col), "--out", str(farm), "--shard", f"{i}/3", "--force"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["export", str(col), "--out", str(farm), "--shard", f"{i}/3", "--check"])
        assert r.exit_code == 0, r.output
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in farm.iterdir())
    for n in names:
        assert (one / n).read_bytes() == (farm / n).read_bytes(), n
    one_line_error(runner.invoke(app, ["export", str(col), "--out", str(tmp_path / "x"), "--shard", "4/3"]),
                    "--shard 4/3")
    one_line_error(runner.invoke(app, ["export", str(col), "--out", str(tmp_path / "x"), "--shard", "half"]),
                    "--shard half")


def test_keep_best_keeps_the_critics_favourites(model_dir, tmp_path):
    from assetgan.runtime import latents_for_seeds, open_model

    col_path = tmp_path / "kept.json"
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "8", "--seed", "5", "--keep-best", "0.5",
                            "--out", str(tmp_path / "out"), "--save-collection", str(col_path)])
    assert r.exit_code == 0, r.output
    assert "8 most convincing of 16" in r.stderr
    seeds = [it.seed for it in load_collection(col_path).items]
    assert len(seeds) == 8 and seeds == sorted(seeds) and set(seeds) <= set(range(5, 21))
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [f"tiny-sprites_{s:06d}.png" for s in seeds]
    m = open_model(model_dir / "tiny-sprites.onnx")
    scores = m.score(m.run(latents_for_seeds(list(range(5, 21)), m.nz, 1.0)))
    kept = np.isin(np.arange(5, 21), seeds)
    assert scores[kept].min() >= scores[~kept].max()
    # the collection re-renders the same kept files
    r = runner.invoke(app, ["export", str(col_path), "--out", str(tmp_path / "again")])
    assert r.exit_code == 0, r.output
    for s in seeds:
        name = f"tiny-sprites_{s:06d}.png"
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_keep_best_bad_inputs(model_dir, tmp_path, tiny_run):
    r = runner.invoke(app, ["generate", "tiny-sprites", "--keep-best", "0", "--out", str(tmp_path / "a")])
    one_line_error(r, "--keep-best 0", "(0, 1]")
    r = runner.invoke(app, ["generate", "tiny-sprites", "--keep-best", "1.5", "--out", str(tmp_path / "b")])
    one_line_error(r, "--keep-best 1.5")
    from assetgan.train import onnx_export
    from assetgan.train.checkpoint import load_checkpoint

    state = load_checkpoint(tiny_run)
    g, cfg = onnx_export.generator_from_checkpoint(state)
    onnx_export.export_generator(g, onnx_export.build_card(cfg, state, "nocritic"), model_dir / "nocritic.onnx")
    r = runner.invoke(app, ["generate", "nocritic", "--keep-best", "0.8", "--out", str(tmp_path / "c")])
    one_line_error(r, "nocritic.onnx", "has no critic", "to-onnx")
