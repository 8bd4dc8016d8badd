"""Tests for assetgan.render.postprocess: alpha threshold, nearest upscale and the finish pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from assetgan.core.errors import AssetganError
from assetgan.render.palette import quantize
from assetgan.render.postprocess import Finisher, finish, threshold_alpha, upscale_nearest


def sample_rgba() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8)


def test_upscale_nearest_shape_and_blocks() -> None:
    img = sample_rgba()
    out = upscale_nearest(img, 3)
    assert out.shape == (15, 21, 4) and out.dtype == np.uint8
    for y in range(5):
        for x in range(7):
            assert (out[3 * y : 3 * y + 3, 3 * x : 3 * x + 3] == img[y, x]).all()


def test_upscale_by_one_is_an_equal_copy() -> None:
    img = sample_rgba()
    out = upscale_nearest(img, 1)
    assert np.array_equal(out, img) and out is not img


@pytest.mark.parametrize("scale", [0, 65, -2, 2.0, True, "2"])
def test_upscale_rejects_bad_scale_naming_value(scale: object) -> None:
    with pytest.raises(AssetganError, match=rf"scale {scale!r}: must be a whole number from 1 to 64"):
        upscale_nearest(sample_rgba(), scale)  # type: ignore[arg-type]


def test_threshold_alpha_binarises_and_clears_rgb() -> None:
    img = np.array([[[10, 20, 30, 127], [40, 50, 60, 128], [70, 80, 90, 0], [1, 2, 3, 255]]], dtype=np.uint8)
    out = threshold_alpha(img, 128)
    assert out.tolist() == [[[0, 0, 0, 0], [40, 50, 60, 255], [0, 0, 0, 0], [1, 2, 3, 255]]]
    assert img[0, 0, 3] == 127  # input untouched


def test_threshold_none_and_rgb_are_unchanged() -> None:
    img = sample_rgba()
    assert np.array_equal(threshold_alpha(img, None), img)
    rgb = img[..., :3].copy()
    assert np.array_equal(threshold_alpha(rgb, 200), rgb)


@pytest.mark.parametrize("threshold", [-1, 256, 1.5])
def test_threshold_rejects_bad_values_naming_them(threshold: object) -> None:
    with pytest.raises(AssetganError, match=rf"alpha threshold {threshold!r}: must be a whole number"):
        threshold_alpha(sample_rgba(), threshold)  # type: ignore[arg-type]


def test_finish_applies_threshold_then_quantize_then_upscale() -> None:
    img = sample_rgba()
    pal = np.array([[0, 0, 0], [255, 255, 255], [200, 40, 40]], dtype=np.uint8)
    out = finish(img, scale=2, palette=pal, alpha_threshold=100)
    expected = upscale_nearest(quantize(threshold_alpha(img, 100), pal), 2)
    assert np.array_equal(out, expected)
    assert set(np.unique(out[..., 3]).tolist()) <= {0, 255}
    visible = out[..., 3] > 0
    assert {tuple(c) for c in out[visible][:, :3].tolist()} <= {tuple(c) for c in pal.tolist()}


def test_finish_with_defaults_returns_equal_copy_and_validates_first() -> None:
    img = sample_rgba()
    out = finish(img)
    assert np.array_equal(out, img) and out is not img
    with pytest.raises(AssetganError, match="scale 0"):
        finish(img, scale=0)
    with pytest.raises(AssetganError, match="alpha threshold 300"):
        finish(img, alpha_threshold=300)


def test_finisher_checks_its_settings_once_and_finishes_like_finish(monkeypatch: pytest.MonkeyPatch) -> None:
    from assetgan.render import postprocess

    img = sample_rgba()
    pal = np.array([[0, 0, 0], [255, 255, 255], [200, 40, 40]], dtype=np.int64)  # any integer dtype, made uint8
    finisher = Finisher(scale=3, palette=pal, alpha_threshold=128)
    assert finisher.palette is not None and finisher.palette.dtype == np.uint8
    checks = []
    monkeypatch.setattr(postprocess, "check_image", lambda a: checks.append(a) or a)
    for _ in range(3):  # the images of a model's output are not checked again, image after image
        assert np.array_equal(finisher(img), finish(img, 3, pal, 128))
    assert len(checks) == 3  # once per finish() call, never inside the finisher
    with pytest.raises(AssetganError, match="scale 65"):
        Finisher(scale=65)
    with pytest.raises(AssetganError, match="alpha threshold -1"):
        Finisher(alpha_threshold=-1)
    with pytest.raises(ValueError, match="palette"):
        Finisher(palette=np.zeros((2, 4), np.uint8))
