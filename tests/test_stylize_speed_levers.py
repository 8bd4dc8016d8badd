"""What the stylize speed work relies on: lossless, deterministic PNGs, and memory released without changing results."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from assetgan.runtime.stylize import DEFAULT_TILE, WHOLE_PIXELS, open_style_model
from assetgan.runtime.stylize_io import encode_result
from assetgan.runtime.tiling import plan_tiles


@pytest.fixture(scope="module")
def style(tiny_style_model):
    return open_style_model(tiny_style_model, ["CPUExecutionProvider"])


@pytest.mark.parametrize("with_alpha", [False, True])
def test_encoded_result_is_a_lossless_deterministic_png(with_alpha):
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (37, 53), dtype=np.uint8) if with_alpha else None
    data = encode_result(rgb, alpha)
    im = Image.open(io.BytesIO(data))
    assert im.format == "PNG" and im.mode == ("RGBA" if with_alpha else "RGB")
    got = np.asarray(im)
    assert np.array_equal(got[..., :3], rgb)
    assert alpha is None or np.array_equal(got[..., 3], alpha)
    assert encode_result(rgb, alpha) == data


def test_releasing_the_arena_leaves_results_unchanged(style):
    img = np.random.default_rng(5).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    kept = style.run_graph("a2b", img, None)
    released = style.run_graph("a2b", img, None, release=True)
    assert np.array_equal(kept[0], released[0]) and np.array_equal(kept[1], released[1])


def test_default_tiles_stay_below_the_whole_image_pass():
    """A default tile with its overlaps is smaller than the statistics pass, which sets the peak memory."""
    tiles = plan_tiles(2400, 3840, DEFAULT_TILE, 32, 8)
    assert len(tiles) == 6
    assert max((t.y1 - t.y0) * (t.x1 - t.x0) for t in tiles) < WHOLE_PIXELS


def test_session_options_are_set():
    import onnxruntime as ort

    from assetgan.runtime.providers import DISABLED_OPTIMIZERS, session_options

    opts = session_options(ort)
    assert opts.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert not opts.enable_mem_pattern
    with pytest.raises(Exception, match="does not have configuration"):  # not set: workers spin, the default
        opts.get_session_config_entry("session.intra_op.allow_spinning")
    assert "NhwcTransformer" in DISABLED_OPTIMIZERS


def test_a_session_with_these_options_gives_the_same_pixels(tiny_style_model, style):
    import onnxruntime as ort

    from assetgan.runtime.providers import DISABLED_OPTIMIZERS, session_options

    opts = session_options(ort)
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(tiny_style_model), opts, providers=["CPUExecutionProvider"],
                                disabled_optimizers=list(DISABLED_OPTIMIZERS))
    img = np.random.default_rng(7).integers(0, 256, (1, 48, 64, 3), dtype=np.uint8)
    got = sess.run(["a2b.output"], {"a2b.image": img})[0]
    assert np.array_equal(got[0], style.run_graph("a2b", img[0], None)[0])


def test_read_ahead_gives_what_a_direct_read_gives_and_the_same_errors(tmp_path):
    from assetgan.core.errors import ImageError
    from assetgan.runtime.stylize_io import ReadAhead, read_for_stylize

    rng = np.random.default_rng(7)
    rgb_path, rgba_path, bad_path = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(rgb_path)
    Image.fromarray(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)).save(rgba_path)
    bad_path.write_bytes(rgb_path.read_bytes()[:60])  # truncated
    with ReadAhead() as reader:
        for p in (rgb_path, rgba_path, bad_path):
            reader.prefetch(p)
        for p in (rgb_path, rgba_path):
            got, want = reader.read(p), read_for_stylize(p)
            assert np.array_equal(got[0], want[0]) and got[0].flags.writeable
            assert (got[1] is None) == (p == rgb_path) and (got[1] is None or np.array_equal(got[1], want[1]))
        with pytest.raises(ImageError):
            reader.read(bad_path)
        assert np.array_equal(reader.read(rgb_path)[0], np.asarray(Image.open(rgb_path)))  # not prefetched
        reader.prefetch(rgba_path)  # left pending: closing the reader drops it
