"""The desktop app on a class-conditional model: batches deal the classes round robin like `assetgan generate
--class all`, items keep their class through export, reopening and Explore."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from tests.conftest import COND_CLASSES  # noqa: E402
from tests.test_ui_app import idle, start  # noqa: E402


def use_cond(qtbot, tiny_cond_model: Path):
    from ui.library import LibraryModel, read_model_card

    w = start(qtbot)
    assert w.ctl.use_model(LibraryModel("tiny-cond", tiny_cond_model, "user", read_model_card(tiny_cond_model)))
    assert w.ctl.model.card.classes == list(COND_CLASSES)
    return w


def expected(model, seed: int, cls: str, psi: float = 1.0) -> np.ndarray:
    from assetgan.runtime.latent import seed_latent

    z = seed_latent(seed, model.nz, psi)[None]
    return model.run(z, np.array([COND_CLASSES.index(cls)], np.int64))[0]


def test_generate_export_reopen_and_explore_keep_the_classes(qtbot, alerts, tiny_cond_model, tmp_path):
    from typer.testing import CliRunner

    from assetgan.cli.main import app
    from ui.export_plan import run_export

    w = use_cond(qtbot, tiny_cond_model)
    g = w.generate_tab
    g.count.setValue(6)
    g.seed.setValue(3)
    g.truncation.setValue(1.0)
    g.keep.setValue(100)
    qtbot.mouseClick(g.generate_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert not alerts
    s, m = w.ctl.session, w.ctl.model
    want = [COND_CLASSES[i % 4] for i in range(6)]  # seed 3 + i takes class i mod 4
    assert [(it.seed, it.class_name) for it in s.items] == list(zip(range(3, 9), want))
    for it in s.items:
        assert np.array_equal(w.ctl.store.images[it.name], expected(m, it.seed, it.class_name)), it.name
    first = s.items[0]
    assert "potion" in g.grid._rows[first.name].text() and "item/potion" in g.grid._rows[first.name].toolTip()

    # the session exports exactly what `assetgan generate --class all` renders for the same seeds
    app_out, cli_out = tmp_path / "app-out", tmp_path / "cli-out"
    run_export(s, app_out)
    res = CliRunner().invoke(app, ["generate", str(tiny_cond_model), "--count", "6", "--seed", "3", "--class",
                                   "all", "--truncation", "1.0", "--keep-best", "1", "--out", str(cli_out)])
    assert res.exit_code == 0, res.output
    for it in s.items:
        a = app_out / f"{it.name}.png"
        (b,) = cli_out.glob(f"*_{it.seed:06d}.png")
        assert a.read_bytes() == b.read_bytes(), it.name

    # Explore: strips keep the source's class, a blend the first favourite's
    e = w.explore_tab
    src = s.items[2]  # mon/orc
    w.ctl.explore_requested.emit(src.name)
    e.frames.setValue(5)
    e.walk()
    idle(qtbot, w)
    assert not alerts and len(e.strip_images) == 5 and e.strip_class == "mon/orc"
    assert np.array_equal(e.strip_images[2], m.run(e.strip_z[2:3], np.array([2], np.int64))[0])
    e.variations()
    idle(qtbot, w)
    assert np.array_equal(e.strip_images[0], w.ctl.store.images[src.name])
    (frame,) = e.add_frames([3])
    assert s.item(frame).class_name == "mon/orc"
    s.toggle([s.items[1].name, s.items[0].name], "favourite")
    e.fav_a.setCurrentText(s.items[1].name)  # item/ring
    e.fav_b.setCurrentText(s.items[0].name)  # item/potion
    e.interpolate()
    idle(qtbot, w)
    assert not alerts and e.strip_class == "item/ring"
    assert "all drawn as ring" in e.frame_strip.title.text()  # says why its last frame is not the potion
    assert np.array_equal(e.strip_images[0], w.ctl.store.images[s.items[1].name])
    (blend,) = e.add_frames([2])
    assert s.item(blend).class_name == "item/ring"
    e.compute_directions()
    idle(qtbot, w, 60000)
    assert not alerts and e.sliders
    e.sliders[0].setValue(100)
    qtbot.waitUntil(lambda: e.preview_z is not None and not w.ctl.runner.active, timeout=5000)
    qtbot.waitUntil(lambda: e.preview_img is not None, timeout=5000)
    name = e.add_preview()
    assert name and s.item(name).class_name == "mon/orc" and not alerts  # around the source item

    # `assetgan export` of the session, frames included, renders what the app showed
    images = {k: v.copy() for k, v in w.ctl.store.images.items()}
    res = CliRunner().invoke(app, ["export", str(s.path), "--out", str(tmp_path / "all")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "all" / f"{frame}.png").is_file() and (tmp_path / "all" / f"{blend}.png").is_file()
    w.close()

    w2 = start(qtbot)  # reopened: every thumbnail renders with its item's class
    idle(qtbot, w2)
    assert not alerts and w2.ctl.session.path == s.path
    for it in w2.ctl.session.items:
        assert np.array_equal(w2.ctl.store.images[it.name], images[it.name]), it.name
    w2.ctl.explore_requested.emit(frame)
    w2.explore_tab.walk()
    idle(qtbot, w2)
    assert not alerts and len(w2.explore_tab.strip_images) == 5 and w2.explore_tab.strip_class == "mon/orc"


def test_keep_best_ranks_within_each_class_like_the_cli(qtbot, alerts, tiny_cond_model):
    from assetgan.runtime.curate import rank_seeds
    from assetgan.runtime.model import open_model

    w = use_cond(qtbot, tiny_cond_model)
    w.ctl.generate(8, 10, 1.0, keep=0.5)
    idle(qtbot, w)
    assert not alerts
    m = open_model(tiny_cond_model)
    chosen = rank_seeds(m, 10, 8, 0.5, 1.0, classes=range(4))
    items = w.ctl.session.items
    assert [it.seed for it in items] == chosen
    assert [it.class_name for it in items] == [COND_CLASSES[(sd - 10) % 4] for sd in chosen]
    for it in items:
        assert np.array_equal(w.ctl.store.images[it.name], expected(m, it.seed, it.class_name)), it.name
    assert w.generate_tab.seed.value() == 26


def test_main_directions_are_found_within_the_class_being_explored(qtbot, alerts, tiny_cond_model, monkeypatch,
                                                                   tmp_path):
    from ui import pca

    monkeypatch.setattr("ui.explore_directions.cache_dir", lambda: tmp_path / "cache")
    w = use_cond(qtbot, tiny_cond_model)
    w.ctl.generate(4, 0, 1.0)  # seeds 0-3: item/potion, item/ring, mon/orc, mon/skeleton
    idle(qtbot, w)
    s, m, e = w.ctl.session, w.ctl.model, w.explore_tab
    w.ctl.explore_requested.emit(s.items[2].name)  # mon/orc
    e.compute_directions()
    idle(qtbot, w, 60000)
    assert not alerts and "within mon/orc" in e.dirs.label.text()
    orc = e.directions.directions.copy()
    # the same directions as PCA of 512 samples of that class alone, cached under the class's id
    alone = pca.compute(lambda z: m.run(z, np.full(len(z), 2, np.int64)), m.nz, k=orc.shape[0])
    assert np.allclose(orc, alone.directions, atol=1e-5)
    assert len(list((tmp_path / "cache" / "pca").glob("*-c2.npz"))) == 1
    # another class: the orc's directions no longer apply; Find again gives the ring's own
    w.ctl.explore_requested.emit(s.items[1].name)  # item/ring
    assert e.directions is None and "found within mon/orc" in e.dirs.label.text()
    assert "press Find main directions for item/ring" in e.dirs.label.text()
    e.compute_directions()
    idle(qtbot, w, 60000)
    assert not alerts and "within item/ring" in e.dirs.label.text() and not np.allclose(e.directions.directions, orc)
    e.class_pick.setCurrentText("mon/orc")  # drawing the ring item as an orc: the orc's directions, from the cache
    assert e.directions is None
    e.compute_directions()
    idle(qtbot, w, 60000)
    assert "Loaded" in e.dirs.label.text() and np.allclose(e.directions.directions, orc)
    w.close()
