"""`assetgan evaluate` on a class-conditional model: per-class recognition (GAN-test), SWD and C2ST against held-out
images laid out in class folders, the clean-output finishing measured by default and `--raw` on request (torch)."""

from __future__ import annotations

import json
import shutil

import numpy as np
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.metrics.per_class import proportional, real_class_ids
from assetgan.runtime.model import open_model

from .conftest import COND_CLASSES, SPRITES, one_line_error

runner = CliRunner()


def _folders(root, copies=1):
    """The sample sprites dealt round robin into COND_CLASSES folders (the layout tiny-cond trained on)."""
    k = 0
    for _ in range(copies):
        for p in sorted(SPRITES.rglob("*.png")):
            folder = root / COND_CLASSES[k % len(COND_CLASSES)]
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, folder / f"{k:03d}.png")
            k += 1
    return root


def test_shares_follow_the_training_classes():
    assert proportional([10, 30, 60], 10) == [1, 3, 6]
    assert sum(proportional([1, 1, 1], 10)) == 10 and min(proportional([1, 1, 1], 10)) == 3
    assert proportional([100, 1], 10) == [9, 1]  # every class with images gets one


def test_real_images_take_the_classes_of_their_folders(tiny_cond_model):
    card = open_model(tiny_cond_model).card
    ids = real_class_ids(card, ["item/potion/a.png", "mon/orc/x/b.png", "mon/dragon/c.png", "d.png"], None)
    assert ids.tolist() == [0, 2, -1, -1]


def test_evaluate_reports_figures_per_class(tiny_cond_model, tmp_path):
    real, train = _folders(tmp_path / "real"), _folders(tmp_path / "train")
    r = runner.invoke(app, ["evaluate", str(tiny_cond_model), "--real", str(real), "--train", str(train), "--n", "64",
                            "--json", str(tmp_path / "f.json")])
    assert r.exit_code == 0, r.output
    f = json.loads((tmp_path / "f.json").read_text())
    rows = f["per_class"]
    assert list(rows) == list(COND_CLASSES)
    assert all(rows[c]["n_heldout"] == 12 for c in COND_CLASSES)
    assert all(0 <= rows[c]["recognition_generated"] <= 1 and 0 <= rows[c]["recognition_real"] <= 1 for c in rows)
    assert all("c2st_accuracy" in rows[c] and rows[c]["swd_x1e3"] > 0 for c in rows)
    means = np.mean([rows[c]["recognition_real"] for c in rows]), np.mean([rows[c]["recognition_generated"]
                                                                           for c in rows])
    assert np.allclose((f["recognition_real_heldout"], f["recognition_generated"]), means)
    assert f["recognition_chance"] == 0.25 and f["n_generated"] == 64 and f["finishing"] == "raw output"
    assert "per class" in r.output and "item/potion" in r.output


def test_a_missing_label_map_is_one_line(tiny_cond_model, tmp_path):
    real = _folders(tmp_path / "real")
    r = runner.invoke(app, ["evaluate", str(tiny_cond_model), "--real", str(real), "--n", "32", "--no-c2st",
                            "--label-map", str(tmp_path / "nope.json")])
    one_line_error(r, "nope.json", "--label-map")
