"""Class morph: one latent rendered through a blend of two classes (graph input `class_mix`), in the runtime and in
Explore; a conditional model exported before the input existed says so in one line. No torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetgan.core.errors import ModelError
from assetgan.runtime.classes import blend_weights
from assetgan.runtime.model import MIX_INPUT, open_model


def old_model(new: Path, out: Path) -> Path:
    """`new` as a conditional model exported before `class_mix`: the blend weights a constant, not an input."""
    onnx = pytest.importorskip("onnx")
    proto = onnx.load(str(new))
    kept = [i for i in proto.graph.input if i.name != MIX_INPUT]
    del proto.graph.input[:]
    proto.graph.input.extend(kept)
    onnx.save(proto, str(out))
    return out


def test_blend_weights_start_at_a_and_end_at_b_exactly():
    w = blend_weights(1, 3, 4, 5)
    assert w.shape == (5, 4) and w.dtype == np.float32
    assert np.array_equal(w[0], [0, 1, 0, 0]) and np.array_equal(w[-1], [0, 0, 0, 1])
    assert np.allclose(w.sum(axis=1), 1) and np.allclose(w[2], [0, 0.5, 0, 0.5])


def test_blend_endpoints_equal_the_classes_and_between_differs(tiny_cond_model):
    m = open_model(tiny_cond_model)
    assert m.blend_problem == ""
    z = np.random.default_rng(4).standard_normal((1, m.nz)).astype(np.float32)
    a, b = m.classes.index("item/potion"), m.classes.index("mon/orc")
    w = blend_weights(a, b, len(m.classes), 8)  # [8, 4]
    frames = m.run(np.repeat(z, 8, axis=0), class_mix=w)
    assert frames.shape == (8, m.card.size, m.card.size, m.card.channels)
    assert np.array_equal(frames[0], m.run(z, np.array([a]))[0])
    assert np.array_equal(frames[-1], m.run(z, np.array([b]))[0])
    assert not np.array_equal(frames[3], frames[0]) and not np.array_equal(frames[3], frames[-1])
    chunks = [img for _, imgs in m.generate_chunks(range(8), lambda i: z[0], 3, class_mix=lambda i: w[i])
              for img in imgs]  # the chunked loop renders the same blends
    assert np.array_equal(np.stack(chunks), frames)
    with pytest.raises(ModelError, match="one row of 4 finite weights per latent"):
        m.run(z, class_mix=np.ones((1, 3), np.float32))


def test_a_model_without_class_mix_says_so_in_one_line(tiny_cond_model, tiny_model, tmp_path):
    m = open_model(old_model(tiny_cond_model, tmp_path / "old-cond.onnx"))
    z = np.zeros((2, m.nz), np.float32)
    assert m.run(z, np.array([0, 1])).shape[0] == 2  # still opens and renders by class
    problem = m.blend_problem
    assert "old-cond.onnx: class morph needs a model exported by a newer assetgan" in problem
    assert "\n" not in problem and "assetgan to-onnx" in problem
    with pytest.raises(ModelError, match="class morph needs a model exported by a newer assetgan"):
        m.run(z, class_mix=blend_weights(0, 1, 4, 2))
    assert "needs a conditional model" in open_model(tiny_model).blend_problem
