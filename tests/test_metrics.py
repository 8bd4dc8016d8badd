"""Weight-free metrics on synthetic sets whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from assetgan.data.dataset import load_training_images
from assetgan.metrics.memorisation import memorisation
from assetgan.metrics.seam import wrap_seam_score
from assetgan.metrics.swd import laplacian_pyramid, sliced_wasserstein

from .conftest import SPRITES, TEXTURES


@pytest.fixture(scope="module")
def sprites() -> np.ndarray:
    return load_training_images(SPRITES, 32, 4).images


def _blur(images: np.ndarray, radius: float = 1.5) -> np.ndarray:
    return np.stack([np.asarray(Image.fromarray(x).filter(ImageFilter.GaussianBlur(radius))) for x in images])


def test_pyramid_reconstructs_sizes():
    x = np.random.default_rng(0).random((2, 64, 64, 3)).astype(np.float32)
    levels = laplacian_pyramid(x)
    assert [lv.shape[1] for lv in levels] == [64, 32, 16]


def test_swd_orders_identical_blurred_and_noise(sprites):
    a, b = sprites[:24], sprites[24:48]
    same = sliced_wasserstein(a, a, seed=1).mean
    real = sliced_wasserstein(a, b, seed=1).mean
    blurred = sliced_wasserstein(a, _blur(b), seed=1).mean
    noise = np.random.default_rng(0).integers(0, 256, b.shape, dtype=np.uint8)
    noisy = sliced_wasserstein(a, noise, seed=1).mean
    assert same < real < blurred < noisy
    assert sliced_wasserstein(a, b, seed=1).mean == real  # deterministic for a seed
    assert len(sliced_wasserstein(a, b).per_level) == 2  # 32 and 16


def test_memorisation_flags_copies_not_fresh_images(sprites):
    train, held = sprites[:36], sprites[36:]
    copies = memorisation(train[:12], train, held)
    assert copies.ratio < 0.05 and copies.near_duplicates == 12
    assert np.array_equal(copies.nearest_index, np.arange(12))
    fresh = memorisation(held, train, held)
    assert fresh.ratio == pytest.approx(1.0) and fresh.near_duplicates == 0


def test_wrap_seam_score_separates_periodic_from_cut_images():
    yy, xx = np.mgrid[0:32, 0:32]
    periodic = (127 + 120 * np.sin(2 * np.pi * xx / 32) * np.cos(2 * np.pi * yy / 32)).astype(np.uint8)
    cut = (xx * 8).astype(np.uint8)  # a ramp: a hard jump across the wrap edge
    as_rgb = lambda g: np.repeat(g[None, ..., None], 3, axis=-1)  # noqa: E731
    assert wrap_seam_score(as_rgb(periodic)) < 1.5
    assert wrap_seam_score(as_rgb(cut)) > 10
    tex = load_training_images(TEXTURES, 32, 3).images
    assert wrap_seam_score(tex) > 0


def test_binomial_tail_exact():
    from assetgan.metrics.c2st import binomial_tail

    assert binomial_tail(0, 10) == 1.0
    assert binomial_tail(10, 10) == pytest.approx(1 / 1024)
    assert binomial_tail(6, 10) == pytest.approx(386 / 1024)


@pytest.mark.torch  # C2ST trains a small classifier
def test_c2st_separates_noise_but_not_a_split_of_one_set(sprites):
    from assetgan.metrics.c2st import c2st

    noise = np.random.default_rng(0).integers(0, 256, sprites.shape, dtype=np.uint8)
    easy = c2st(sprites, noise, seed=0)
    assert easy.accuracy > 0.9 and easy.p_value < 1e-4
    same = c2st(sprites[:24], sprites[24:], seed=0)
    assert 0.2 <= same.accuracy <= 0.8 and same.p_value > 0.01


@pytest.mark.torch  # C2ST trains a small classifier
def test_evaluate_cli_table_and_json(tiny_model, tmp_path):
    import json

    from typer.testing import CliRunner

    from assetgan.cli.main import app

    out = tmp_path / "e.json"
    r = CliRunner().invoke(app, ["evaluate", str(tiny_model), "--real", str(SPRITES), "--train", str(SPRITES),
                                 "--n", "32", "--json", str(out)])
    assert r.exit_code == 0, r.output
    figures = json.loads(out.read_text())
    assert figures["n_generated"] == 32 and figures["n_real"] == 48
    assert figures["swd_x1e3"] > figures["swd_floor_real_vs_real"]  # 20 training steps: far from real
    assert 0 <= figures["c2st_accuracy"] <= 1 and "near_duplicates" in figures
    r = CliRunner().invoke(app, ["evaluate", str(tiny_model), "--real", str(tmp_path), "--n", "32"])
    assert r.exit_code == 2 and "error:" in r.stderr


def test_ssim_luminance_identity_blur_noise(sprites):
    from assetgan.metrics.translation import ssim_luminance

    a = sprites[:12]
    assert ssim_luminance(a, a) == pytest.approx(1.0, abs=1e-5)
    blurred = ssim_luminance(a, _blur(a))
    noise = np.random.default_rng(0).integers(0, 256, a.shape, dtype=np.uint8)
    assert 0.3 < blurred < 0.99
    assert ssim_luminance(a, noise) < blurred


def test_style_distance_moves_toward_target(sprites):
    from assetgan.metrics.translation import style_distance

    inputs, target = sprites[:24], _blur(sprites[24:48], 2.0)
    assert style_distance(_blur(inputs, 2.0), inputs, target) < 0.85  # outputs took the target's (blurry) style
    assert style_distance(inputs, inputs, target) == pytest.approx(1.0)


def test_evaluate_records_figures_in_the_card_and_measures_what_generate_gives(tiny_model, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from assetgan.cli.main import app
    from assetgan.metrics.evaluate import curated_samples
    from assetgan.runtime import open_model

    model = tmp_path / "m.onnx"
    shutil.copy(tiny_model, model)
    before = open_model(model).generate_seeds(range(8))
    r = CliRunner().invoke(app, ["evaluate", str(model), "--real", str(SPRITES), "--n", "32", "--no-c2st",
                                 "--keep-best", "0.5", "--record"])
    assert r.exit_code == 0, r.output
    m = open_model(model)
    rec = m.card.metrics["evaluate"]
    assert rec["n_generated"] == 32 and "--keep-best 0.5" in rec["command"] and rec["figures"]["swd_x1e3"] > 0
    assert np.array_equal(m.generate_seeds(range(8)), before)  # the graph is untouched
    import onnx

    proto = onnx.load(str(model))  # the other metadata follows the card, as at export
    props = {p.key: p.value for p in proto.metadata_props}
    assert props["assetgan.licence"] == m.card.data_licence and props["assetgan.kind"] == "dcgan"
    assert proto.doc_string.startswith("assetgan dcgan generator 'tiny-sprites': dcgan 32x32")
    # keep-best 0.5 measures the critic's favourite half of 64 candidates, as `generate --keep-best 0.5` writes
    kept = curated_samples(m, 0, 32, 1.0, 0.5)
    assert not np.array_equal(kept, m.generate_seeds(range(32), 1.0))
