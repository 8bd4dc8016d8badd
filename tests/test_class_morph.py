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


def test_explore_draws_in_the_picked_class_and_morphs_between_two(qtbot, tiny_cond_model, tmp_path, monkeypatch):
    pytest.importorskip("PySide6")
    from tests.test_ui_app import idle, start
    from ui import dialogs
    from ui.library import LibraryModel, read_model_card

    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    alerts: list[str] = []
    monkeypatch.setattr(dialogs, "alert", lambda _p, title, text: alerts.append(f"{title}: {text}"))
    w = start(qtbot)
    assert w.ctl.use_model(LibraryModel("tiny-cond", tiny_cond_model, "user", read_model_card(tiny_cond_model)))
    w.ctl.generate(4, 3, 1.0)
    idle(qtbot, w)
    e, m, s = w.explore_tab, w.ctl.model, w.ctl.session
    src = s.items[2]  # mon/orc
    w.ctl.explore_requested.emit(src.name)
    assert [e.class_pick.itemText(i) for i in range(5)] == ["Each item's own", *m.classes]
    assert e.morph_box.class_a.currentText() == "mon/orc" and e.morph_box.class_b.currentText() == "item/ring"

    e.class_pick.setCurrentText("item/ring")  # everything Explore renders is drawn in the picked class
    e.frames.setValue(4)
    e.walk()
    idle(qtbot, w)
    assert e.strip_class == "item/ring" and len(e.strip_images) == 4
    assert np.array_equal(e.strip_images[1], m.run(e.strip_z[1:2], np.array([1]))[0])
    (kept,) = e.add_frames([1])
    assert s.item(kept).class_name == "item/ring"

    e.morph_box.class_b.setCurrentText("item/potion")
    e.morph_box.steps.setValue(6)
    e.morph()
    idle(qtbot, w)
    z = e.source_z()[None]
    assert len(e.strip_images) == 6 and e.strip.count() == 6
    assert np.array_equal(e.strip_images[0], m.run(z, np.array([2]))[0])  # mon/orc
    assert np.array_equal(e.strip_images[5], m.run(z, np.array([0]))[0])  # item/potion
    assert not np.array_equal(e.strip_images[2], e.strip_images[0]) and not e.add_button.isEnabled()
    assert e.add_frames([2]) == [] and "cannot be kept" in alerts[-1]
    alerts.clear()

    old = old_model(tiny_cond_model, tmp_path / "old-cond.onnx")
    assert w.ctl.new_session(LibraryModel("old-cond", old, "user", read_model_card(old)))
    w.ctl.generate(2, 0, 1.0)
    idle(qtbot, w)
    w.ctl.explore_requested.emit(w.ctl.session.items[0].name)
    assert "needs a model exported by a newer assetgan" in e.morph_box.note.text()
    e.morph()
    assert len(alerts) == 1 and "old-cond.onnx: class morph needs a model exported by a newer assetgan" in alerts[0]
    assert alerts[0].count("\n") == 0
