"""Generate by class name (torch-free, on tests/fixtures/tiny-cond.onnx): `--class` by full or short name or `all`
(round robin), one-line errors for unknown, ambiguous and unconditional uses, collections that record each item's
class and re-export byte for byte, keep-best that scores with the right classes, and `models -v` listing classes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import CollectionError, ModelError
from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings, load_collection
from assetgan.export.render import render_collection
from assetgan.runtime.classes import run_classes
from assetgan.runtime.curate import rank_seeds
from assetgan.runtime.latent import seed_latent
from assetgan.runtime.model import open_model

from .conftest import COND_CLASSES, one_line_error

runner = CliRunner()


@pytest.fixture()
def models(tiny_cond_model, tiny_model, tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(tiny_cond_model, folder / "tiny-cond.onnx")
    shutil.copy(tiny_model, folder / "tiny-sprites.onnx")
    monkeypatch.setenv("ASSETGAN_MODELS", str(folder))
    return folder


def _expected(model, seeds, classes):
    """What image i of a run must be: seed seeds[i] as class classes[i mod k], made one by one."""
    ids = [model.card.classes.index(c) for c in classes]
    return np.concatenate([model.run(seed_latent(s, model.nz)[None], np.array([ids[i % len(ids)]]))
                           for i, s in enumerate(seeds)])


def _pngs(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))}


def _images(folder, names):
    from PIL import Image

    return np.stack([np.asarray(Image.open(folder / n)) for n in names])


def test_class_names_resolve_full_short_and_all():
    known = list(COND_CLASSES)
    assert run_classes(["item/potion", "potion", "mon/ring"], known, "m") == ["item/potion"] * 2 + ["mon/ring"]
    assert run_classes(None, known, "m") == run_classes(["all"], known, "m") == known
    assert run_classes(["orc", "all"], known, "m") == ["mon/orc", *known]
    assert run_classes(None, [], "m") == []


def test_generate_by_full_and_short_name_round_robin(models, tmp_path):
    out = tmp_path / "gen"
    r = runner.invoke(app, ["generate", "tiny-cond", "--class", "potion", "--class", "mon/ring", "--count", "5",
                            "--seed", "7", "--out", str(out), "--save-collection", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    names = [f"tiny-cond_{s:06d}.png" for s in range(7, 12)]
    assert sorted(_pngs(out)) == names
    m = open_model(models / "tiny-cond.onnx")
    want = _expected(m, range(7, 12), ["item/potion", "mon/ring"])
    assert np.array_equal(_images(out, names), want)
    assert not np.array_equal(want[0], _expected(m, [7], ["mon/ring"])[0])  # the class changes the image
    items = load_collection(tmp_path / "c.json").items
    assert [(it.seed, it.class_name) for it in items] == [(7, "item/potion"), (8, "mon/ring"), (9, "item/potion"),
                                                          (10, "mon/ring"), (11, "item/potion")]


def test_conditional_model_without_class_uses_all_and_a_batch_is_reproducible(models, tmp_path):
    runs = []
    for args in ([], ["--class", "all"]):
        out = tmp_path / f"gen{len(runs)}"
        r = runner.invoke(app, ["generate", "tiny-cond", "--count", "6", "--out", str(out), *args])
        assert r.exit_code == 0, r.output
        runs.append(_pngs(out))
    assert runs[0] == runs[1] and len(runs[0]) == 6
    m = open_model(models / "tiny-cond.onnx")
    assert np.array_equal(_images(tmp_path / "gen0", sorted(runs[0])), _expected(m, range(6), COND_CLASSES))


@pytest.mark.parametrize("args, needles", [
    (["tiny-cond", "--class", "sword"], ["'sword'", "not a class of tiny-cond.onnx",
                                         "known: item/potion, item/ring, mon/orc, mon/ring"]),
    (["tiny-cond", "--class", "ring"], ["'ring'", "ambiguous", "item/ring, mon/ring", "full name"]),
    (["tiny-sprites", "--class", "potion"], ["'potion'", "tiny-sprites.onnx is not conditional", "drop --class"]),
])
def test_bad_class_is_a_one_line_error(models, tmp_path, args, needles):
    out = tmp_path / "gen"
    one_line_error(runner.invoke(app, ["generate", *args, "--count", "2", "--out", str(out)]), *needles)
    assert not out.exists()


def test_collection_round_trip_exports_byte_for_byte(models, tmp_path):
    col_path = tmp_path / "c.json"
    r = runner.invoke(app, ["generate", "tiny-cond", "--class", "orc", "--class", "item/ring", "--count", "4",
                            "--sheet", "--out", str(tmp_path / "gen"), "--save-collection", str(col_path)])
    assert r.exit_code == 0, r.output
    saved = json.loads(col_path.read_text())
    assert [it["class"] for it in saved["items"]] == ["mon/orc", "item/ring"] * 2
    r = runner.invoke(app, ["export", str(col_path), "--out", str(tmp_path / "again")])
    assert r.exit_code == 0, r.output
    first, again = _pngs(tmp_path / "gen"), _pngs(tmp_path / "again")
    assert len(first) == 5 and first == again  # 4 items and the sheet
    saved["items"][1]["class"] = "item/potion"  # another class: another image, same name
    col_path.write_text(json.dumps(saved))
    r = runner.invoke(app, ["export", str(col_path), "--out", str(tmp_path / "other")])
    other = _pngs(tmp_path / "other")
    assert r.exit_code == 0 and other.keys() == first.keys() and other["tiny-cond_000001.png"] != \
        first["tiny-cond_000001.png"] and other["tiny-cond_000000.png"] == first["tiny-cond_000000.png"]


@pytest.mark.parametrize("change, needles", [
    ({"class": "item/sword"}, ["item 'tiny-cond_000000'", "'item/sword' is not a class", "known: item/potion"]),
    ({"class": "potion"}, ["item 'tiny-cond_000000'", "'potion' is not a class"]),  # files hold full names
    ({"class": None}, ["item 'tiny-cond_000000'", "is conditional", "give the item a \"class\""]),
    ({"class": 3}, ["item 1 (", "class 3 must be a class name"]),
])
def test_bad_item_class_is_a_one_line_export_error(models, tmp_path, change, needles):
    col_path = tmp_path / "c.json"
    r = runner.invoke(app, ["generate", "tiny-cond", "--count", "2", "--out", str(tmp_path / "gen"),
                            "--save-collection", str(col_path)])
    assert r.exit_code == 0, r.output
    saved = json.loads(col_path.read_text())
    saved["items"][0].update(change)
    saved["items"][0] = {k: v for k, v in saved["items"][0].items() if v is not None}
    col_path.write_text(json.dumps(saved))
    out = tmp_path / "again"
    one_line_error(runner.invoke(app, ["export", str(col_path), "--out", str(out)]), *needles)
    assert not out.exists() or not any(out.iterdir())


def test_item_with_class_refused_by_an_unconditional_model(tiny_model, tmp_path):
    m = open_model(tiny_model)
    col = Collection(ModelRef("m", m.sha256()), [Item("a", seed=1, class_name="item/potion")], OutputSettings())
    with pytest.raises(CollectionError, match="has class 'item/potion' but model tiny-sprites.onnx is not "
                                              "conditional"):
        render_collection(col, m, tmp_path)


def test_unconditional_collections_are_saved_without_class(models, tmp_path):
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(tmp_path / "gen"),
                            "--save-collection", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    assert all("class" not in it for it in json.loads((tmp_path / "c.json").read_text())["items"])


def test_score_takes_classes(tiny_cond_model):
    m = open_model(tiny_cond_model)
    images = _expected(m, range(4), COND_CLASSES)
    as_made = m.score(images, np.arange(4))
    assert as_made.shape == (4,) and not np.array_equal(as_made, m.score(images, np.zeros(4, np.int64)))
    with pytest.raises(ModelError, match="is conditional: pass one class id in 0-3 per image"):
        m.score(images)
    with pytest.raises(ModelError, match="0-3 per image"):
        m.score(images, np.array([0, 1, 2, 4]))


def test_keep_best_scores_with_the_classes_and_keeps_each_class_its_share(models, tmp_path):
    m = open_model(models / "tiny-cond.onnx")
    ids = [0, 3]  # item/potion, mon/ring
    kept = rank_seeds(m, 10, 4, 0.5, 1.0, chunk=3, classes=ids)
    n = 8  # candidates 10..17, candidate 10 + i of class ids[i mod 2]
    images = _expected(m, range(10, 10 + n), ["item/potion", "mon/ring"])
    scores = m.score(images, np.array([ids[i % 2] for i in range(n)]))
    want = []
    for j in range(2):  # the best two of each class's candidates
        group = list(range(j, n, 2))
        want += sorted(group, key=lambda i: (-scores[i], i))[:2]
    assert kept == sorted(10 + i for i in want)
    out, col_path = tmp_path / "gen", tmp_path / "k.json"
    r = runner.invoke(app, ["generate", "tiny-cond", "--class", "potion", "--class", "mon/ring", "--count", "4",
                            "--seed", "10", "--keep-best", "0.5", "--out", str(out), "--save-collection",
                            str(col_path)])
    assert r.exit_code == 0, r.output
    items = load_collection(col_path).items
    assert [it.seed for it in items] == kept
    assert [it.class_name for it in items] == [["item/potion", "mon/ring"][(s - 10) % 2] for s in kept]
    assert sorted(it.class_name for it in items) == ["item/potion"] * 2 + ["mon/ring"] * 2
    names = [f"tiny-cond_{s:06d}.png" for s in kept]
    assert np.array_equal(_images(out, names), images[[s - 10 for s in kept]])
    r = runner.invoke(app, ["export", str(col_path), "--out", str(tmp_path / "again")])
    assert r.exit_code == 0 and _pngs(out) == _pngs(tmp_path / "again")


def test_models_verbose_lists_classes_with_counts(models):
    r = runner.invoke(app, ["models", "-v"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "    classes: item/potion (12), item/ring (12), mon/orc (12), mon/ring (12)" in lines
    from assetgan.runtime.model import read_card
    from assetgan.runtime.registry import list_models

    conditional = sum(bool(read_card(e.path).classes) for e in list_models() if e.path.name != "monet.onnx")
    assert sum(line.startswith("    classes:") for line in lines) == conditional  # unconditional models list none
    assert "classes:" not in runner.invoke(app, ["models"]).stdout
