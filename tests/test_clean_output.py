"""Clean pixel output (torch-free): the training data's look recorded in the card becomes `generate`'s finishing
defaults (binary alpha, per-image colour limit or the learned palette), `--raw` gives the network's output, and
export re-renders the recorded settings byte for byte."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError, CollectionError
from assetgan.data.look import data_look
from assetgan.export.collection import load_collection
from assetgan.render.colours import limit_colours
from assetgan.render.postprocess import Finisher
from assetgan.runtime.card_io import rewrite_card
from assetgan.runtime.clean import CleanOutput, clean_output
from assetgan.runtime.model import open_model

from .conftest import one_line_error

runner = CliRunner()


def _colours(img):
    return len(np.unique(img[..., :3][img[..., 3] > 0], axis=0))


@pytest.fixture()
def looked(tiny_model, tmp_path):
    """The tiny sprite model with a card that says its data had binary alpha and 6 colours per sprite."""
    path = tmp_path / "looked.onnx"
    shutil.copy(tiny_model, path)
    card = open_model(path).card
    rewrite_card(path, dataclasses.replace(card, data_binary_alpha=0.9, data_colours=6, data_palette_psnr=21.0))
    return path


def test_data_look_measures_alpha_colours_and_palette_fit():
    img = np.zeros((4, 8, 8, 4), np.uint8)
    img[:, 2:6, 2:6] = (200, 10, 10, 255)
    img[:, 2:4, 2:6, :3] = (10, 200, 10)
    img[3, 0, 0] = (200, 10, 10, 100)  # one image with a soft pixel
    pal = np.array([[200, 10, 10], [10, 200, 10]], np.uint8)
    look = data_look(img, pal)
    assert look["binary_alpha"] == 0.75 and look["colours"] == 2 and look["palette_psnr"] > 60
    far = data_look(img, np.array([[0, 0, 255]], np.uint8))
    assert far["palette_psnr"] < 10


def test_clean_defaults_follow_the_card(looked, tiny_model):
    card = open_model(looked).card
    assert clean_output(card) == CleanOutput(128, None, 6)
    assert clean_output(dataclasses.replace(card, data_palette_psnr=35.0)) == CleanOutput(128, "auto", None)
    assert clean_output(dataclasses.replace(card, data_binary_alpha=0.2, data_colours=200)) == CleanOutput()
    assert clean_output(open_model(tiny_model).card) == CleanOutput()  # not measured: raw, as before


def test_colour_limit_keeps_transparent_pixels_and_is_deterministic():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (16, 16, 4), dtype=np.uint8)
    img[..., 3] = np.where(img[..., 3] > 100, 255, 0)
    a, b = limit_colours(img, 5), limit_colours(img.copy(), 5)
    assert _colours(a) == 5 and np.array_equal(a, b)
    assert np.array_equal(a[a[..., 3] == 0], img[img[..., 3] == 0])
    few = np.zeros_like(img)
    few[..., 3] = 255
    assert np.array_equal(limit_colours(few, 2), few)
    out = Finisher(scale=2, alpha_threshold=128, colours=4)(img)
    assert out.shape == (32, 32, 4) and _colours(out) <= 4
    with pytest.raises(AssetganError, match="colours 1: must be a whole number from 2 to 256"):
        Finisher(colours=1)


def test_generate_applies_the_defaults_and_raw_does_not(looked, tmp_path):
    clean = runner.invoke(app, ["generate", str(looked), "--count", "8", "--out", str(tmp_path / "c"),
                                "--save-collection", str(tmp_path / "c.json")])
    assert clean.exit_code == 0, clean.output
    assert "alpha threshold 128, at most 6 colours per image by default" in clean.output
    raw = runner.invoke(app, ["generate", str(looked), "--count", "8", "--out", str(tmp_path / "r"), "--raw"])
    assert raw.exit_code == 0, raw.output
    from PIL import Image

    cleaned = [np.asarray(Image.open(p)) for p in sorted((tmp_path / "c").glob("*.png"))]
    raws = [np.asarray(Image.open(p)) for p in sorted((tmp_path / "r").glob("*.png"))]
    assert len(cleaned) == len(raws) == 8
    assert all(np.isin(c[..., 3], (0, 255)).all() and _colours(c) <= 6 for c in cleaned)
    assert any(not np.isin(r[..., 3], (0, 255)).all() or _colours(r) > 6 for r in raws)
    col = load_collection(tmp_path / "c.json")
    assert (col.output.alpha_threshold, col.output.colours, col.output.palette) == (128, 6, None)
    again = runner.invoke(app, ["export", str(tmp_path / "c.json"), "--out", str(tmp_path / "x")])
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "c").glob("*.png")} == \
        {p.name: p.read_bytes() for p in (tmp_path / "x").glob("*.png")}


def test_explicit_options_win_over_the_defaults(looked, tmp_path):
    r = runner.invoke(app, ["generate", str(looked), "--count", "4", "--out", str(tmp_path / "a"),
                            "--alpha-threshold", "10", "--colours", "3", "--save-collection", str(tmp_path / "a.json")])
    assert r.exit_code == 0, r.output
    o = load_collection(tmp_path / "a.json").output
    assert (o.alpha_threshold, o.colours) == (10, 3)


@pytest.mark.parametrize(("args", "needles"), [
    (["--raw", "--alpha-threshold", "100"], ("--raw", "--alpha-threshold")),
    (["--colours", "1"], ("--colours 1", "2 to 256")),
    (["--colours", "8", "--palette", "#000000,#ffffff"], ("--colours", "--palette")),
])
def test_bad_finishing_options_are_one_line_errors(looked, tmp_path, args, needles):
    r = runner.invoke(app, ["generate", str(looked), "--count", "2", "--out", str(tmp_path / "o"), *args])
    one_line_error(r, *needles)
    assert not (tmp_path / "o").exists()


def test_collection_colours_are_validated(tmp_path, looked):
    r = runner.invoke(app, ["generate", str(looked), "--count", "2", "--out", str(tmp_path / "o"),
                            "--save-collection", str(tmp_path / "c.json")])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "c.json").read_text().replace('"colours": 6', '"colours": 999')
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(CollectionError, match="colours 999 must be a whole number from 2 to 256"):
        load_collection(tmp_path / "c.json")


def test_a_new_app_session_starts_from_the_clean_defaults(looked, tiny_model, tmp_path):
    """The app's thumbnails are export's finishing of the session's output settings, so a new session for a model
    that records its data's look starts clean; an empty session switched to another model takes that one's."""
    from ui.library import LibraryModel
    from ui.startup import model_ref, new_session_for

    lib = LibraryModel("looked", looked, "user", open_model(looked).card)
    session, _ = new_session_for(lib, tmp_path / "s.json")
    o = load_collection(tmp_path / "s.json").output
    assert (o.alpha_threshold, o.colours, o.palette) == (128, 6, None)
    other = LibraryModel("tiny", tiny_model, "user", open_model(tiny_model).card)
    from assetgan.export.render import clean_settings

    session.set_model(model_ref(other), clean_settings(other.card, session.collection.output))
    o = load_collection(tmp_path / "s.json").output
    assert (o.alpha_threshold, o.colours, o.palette) == (None, None, None)
