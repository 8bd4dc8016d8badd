"""The desktop app under pytest-qt (offscreen): generate and cancel, curate and reopen, explore, export, bad input."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from ui import dialogs  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import AppSettings  # noqa: E402
from ui.startup import restore  # noqa: E402

from .conftest import runtime_images, seed_images  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "trained" / "crawl-sprites-32.onnx"


def start(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.adopt(restore(AppSettings.load()))
    return w


def idle(qtbot, w: MainWindow, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not w.ctl.runner.active, timeout=timeout)
    assert w.ctl.writer.flush()  # the session file is written by a background thread


def test_generate_fills_the_grid_saves_items_and_cancel_stops(qtbot, alerts):
    w = start(qtbot)
    assert "ONNX Runtime: CPU" in w.provider.text()
    g = w.generate_tab
    g.count.setValue(20)
    g.seed.setValue(5)
    g.truncation.setValue(0.9)
    qtbot.mouseClick(g.generate_button, Qt.MouseButton.LeftButton)
    assert g.cancel_button.isEnabled() and not g.generate_button.isEnabled()
    idle(qtbot, w)
    s = w.ctl.session
    assert g.grid.count() == 20 and [it.seed for it in s.items] == list(range(5, 25))
    assert g.seed.value() == 25 and g.generate_button.isEnabled() and "20 images" in g.progress.format()
    seventh = next(it for it in s.items if it.seed == 7)
    expected = seed_images(w.ctl.model, [7], 0.9, [seventh.class_name])[0]
    assert seventh.name == "crawl-sprites-32_000007" and np.array_equal(w.ctl.store.images[seventh.name], expected)
    assert "last inference" in w.timing.text()
    assert len(json.loads(s.path.read_text())["items"]) == 20  # already on disk

    g.count.setValue(256)
    w.ctl.images_arrived.connect(lambda _n: w.ctl.cancel_batch())  # cancel as soon as the first chunk lands
    qtbot.mouseClick(g.generate_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    made = len(w.ctl.batch_names)
    assert 16 <= made < 256 and g.grid.count() == made and "cancelled" in g.progress.format()
    assert len(json.loads(s.path.read_text())["items"]) == 20 + made
    assert not alerts


def test_curate_with_shortcuts_then_reopen_restores_everything(qtbot, alerts, monkeypatch):
    w = start(qtbot)
    w.generate_tab.count.setValue(6)
    w.generate_tab.truncation.setValue(0.8)
    w.ctl.generate(6, 100, 0.8)
    idle(qtbot, w)
    grid = w.generate_tab.grid
    w.tabs.setCurrentWidget(w.generate_tab)
    grid.setFocus()
    names = grid.names()
    grid.select_names(names[:2])
    qtbot.keyClick(grid, Qt.Key.Key_F)
    grid.select_names([names[2]])
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    grid.select_names([names[3]])
    qtbot.keyClick(grid, Qt.Key.Key_X)
    monkeypatch.setattr(dialogs, "text", lambda *_a, **_k: "potion")
    grid.select_names(names[:1])
    qtbot.keyClick(grid, Qt.Key.Key_T)
    monkeypatch.setattr(dialogs, "text", lambda *_a, **_k: "hero")
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    s = w.ctl.session
    assert [(it.name, it.state, it.tags) for it in s.items[:4]] == [
        ("hero", "favourite", ["potion"]), (names[1], "favourite", []), (names[2], "rejected", []),
        (names[3], "rejected", [])]
    assert grid.names()[0] == "hero" and grid.item(0).text().startswith("★")
    w.tabs.setCurrentWidget(w.curate_tab)
    w.curate_tab.set_filter("favourites")
    assert w.curate_tab.grid.names() == ["hero", names[1]]
    w.curate_tab.set_filter("rejected")
    assert w.curate_tab.grid.names() == [names[2], names[3]]
    w.curate_tab.set_filter("all", "pot")
    assert w.curate_tab.grid.names() == ["hero"]
    monkeypatch.setattr(dialogs, "text", lambda *_a, **_k: names[1])  # a taken name is refused
    w.curate_tab.grid.select_names(["hero"])
    w.curate_tab.grid.setFocus()
    qtbot.keyClick(w.curate_tab.grid, Qt.Key.Key_F2)
    assert "another item already has it" in alerts[-1] and s.items[0].name == "hero"
    path = s.path
    w.close()

    w2 = start(qtbot)  # a new launch reopens the last session
    s2 = w2.ctl.session
    assert s2.path == path and s2.settings.count == 6 and s2.settings.seed == 106
    assert [(it.name, it.state, it.tags, it.truncation) for it in s2.items] == [
        (it.name, it.state, it.tags, it.truncation) for it in s.items]
    idle(qtbot, w2)
    hero = seed_images(w2.ctl.model, [100], 0.8, [s2.item("hero").class_name])[0]
    assert np.array_equal(w2.ctl.store.images["hero"], hero)


def test_explore_strips_pca_and_adding_frames(qtbot, alerts):
    w = start(qtbot)
    w.ctl.generate(3, 0, 1.0)
    idle(qtbot, w)
    s, e = w.ctl.session, w.explore_tab
    w.tabs.setCurrentWidget(w.generate_tab)
    w.generate_tab.grid.select_names([s.items[0].name])
    w.generate_tab.grid.setFocus()
    qtbot.keyClick(w.generate_tab.grid, Qt.Key.Key_E)
    assert w.tabs.currentWidget() is e and e.source == s.items[0].name
    e.frames.setValue(7)
    e.dim.setValue(5)
    e.walk()
    idle(qtbot, w)
    assert len(e.strip_images) == 7 and np.allclose(e.strip_z[:, 5], np.linspace(-3, 3, 7))
    assert not np.array_equal(e.strip_images[0], e.strip_images[6])
    assert np.array_equal(e.strip_images[3], runtime_images(w.ctl.model, e.strip_z[3:4], [e.source_class()])[0])
    added = e.add_frames([0, 6])
    assert added == [f"{s.items[0].name}_z5_01", f"{s.items[0].name}_z5_07"]
    assert s.item(added[1]).z == [float(v) for v in e.strip_z[6]] and s.item(added[1]).tags == ["explore"]

    e.variations()
    idle(qtbot, w)
    assert len(e.strip_images) == 7 and np.array_equal(e.strip_images[0], w.ctl.store.images[s.items[0].name])
    s.toggle([s.items[0].name, s.items[1].name], "favourite")
    e.interpolate()
    idle(qtbot, w)
    assert np.array_equal(e.strip_images[0], w.ctl.store.images[s.items[0].name])
    b_in_a_class = runtime_images(w.ctl.model, e.item_z(s.items[1].name)[None], [s.items[0].class_name])[0]
    assert np.array_equal(e.strip_images[6], b_in_a_class)  # a blend is drawn in its first favourite's class

    e.compute_directions()
    idle(qtbot, w, 60000)
    assert len(e.sliders) == 6 and e.pc_choice.count() == 6 and "PC1" in e.pca_label.text()
    e.sliders[0].setValue(150)  # +1.5 sigma along PC1
    qtbot.waitUntil(lambda: not np.array_equal(e.preview_z, e.source_z()) and not w.ctl.runner.active, timeout=5000)
    d = e.directions
    assert np.allclose(e.preview_z, e.source_z() + 1.5 * d.sigmas[0] * d.directions[0], atol=1e-5)
    assert np.array_equal(e.preview_img, runtime_images(w.ctl.model, e.preview_z[None], [e.source_class()])[0])
    name = e.add_preview()
    assert name == f"{s.items[0].name}_pc1" and np.array_equal(w.ctl.store.images[name], e.preview_img)
    e.along_pc(0)
    idle(qtbot, w)
    assert len(e.strip_images) == 7
    assert (Path(os.environ["XDG_CACHE_HOME"]) / "assetgan" / "pca").is_dir()
    assert not alerts


def test_export_dialog_writes_what_assetgan_export_writes(qtbot, alerts, tmp_path):
    from typer.testing import CliRunner

    from assetgan.cli.main import app
    from ui.export_dialog import ExportDialog

    w = start(qtbot)
    w.ctl.generate(5, 40, 1.0)
    idle(qtbot, w)
    s = w.ctl.session
    s.toggle([s.items[1].name], "rejected")
    s.add_latent(np.linspace(-1, 1, 128), "blend", class_name=(w.ctl.model.card.classes or [None])[0])
    dlg = ExportDialog(w.ctl, w)
    qtbot.addWidget(dlg)
    dlg.out.setText(str(tmp_path / "app-out"))
    dlg.sheet.setChecked(True)
    dlg.scale.setValue(2)
    dlg.palette.setCurrentIndex(1)  # the model's learned palette
    dlg.threshold.setValue(128)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=20000)
    assert not alerts and "Wrote 8 files" in dlg.result.text()
    cmd = shlex.split(dlg.command.toPlainText())
    assert cmd[:2] == ["assetgan", "export"] and cmd[2] == str(s.path)
    cli_out = tmp_path / "cli-out"
    res = CliRunner().invoke(app, cmd[1:4] + [str(cli_out)])
    assert res.exit_code == 0, res.output
    app_files = sorted(p.name for p in (tmp_path / "app-out").iterdir())
    assert app_files == sorted(p.name for p in cli_out.iterdir()) and len(app_files) == 8
    for name in app_files:
        assert (tmp_path / "app-out" / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert s.collection.output.scale == 2 and json.loads(s.path.read_text())["output"]["sheet"] is True


def read_only_dir(tmp_path: Path) -> Path:
    """A folder nobody may write into (also used by test_ui_stylize)."""
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    if not os.access(d, os.W_OK):
        return d
    for cand in sorted(Path("/sys/kernel").iterdir()):  # root ignores modes: use an empty sysfs folder
        if cand.is_dir() and not any(cand.iterdir()):
            try:
                os.close(os.open(cand / "probe", os.O_CREAT | os.O_WRONLY))
                os.unlink(cand / "probe")
            except PermissionError:
                return cand
            except OSError:
                continue
    pytest.fail("no read-only folder available")


def test_read_only_export_folder_is_reported_and_the_session_kept(qtbot, alerts, tmp_path):
    from ui.export_dialog import ExportDialog

    w = start(qtbot)
    w.ctl.generate(2, 0, 1.0)
    idle(qtbot, w)
    before = w.ctl.session.path.read_bytes()
    dlg = ExportDialog(w.ctl, w)
    qtbot.addWidget(dlg)
    ro = read_only_dir(tmp_path)
    dlg.out.setText(str(ro))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=20000)
    assert len(alerts) == 1 and str(ro) in alerts[0] and "writable" in alerts[0]
    assert w.ctl.session.path.read_bytes() == before and len(w.ctl.session.items) == 2


def drop(w: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier)
    w.dropEvent(ev)


def test_dropped_files_models_and_broken_collections(qtbot, alerts, tmp_path, monkeypatch):
    w = start(qtbot)
    w.ctl.generate(3, 0, 1.0)
    idle(qtbot, w)
    session_path, before = w.ctl.session.path, w.ctl.session.path.read_bytes()
    corrupt_png = tmp_path / "sprite.png"
    corrupt_png.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    corrupt_onnx = tmp_path / "broken.onnx"
    corrupt_onnx.write_bytes(os.urandom(512))
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    drop(w, [corrupt_png, corrupt_onnx, notes])
    assert len(alerts) == 3
    assert "sprite.png: not an assetgan model (.onnx) or collection" in alerts[0]
    assert "Not an assetgan model" in alerts[1] and "broken.onnx" in alerts[1] and "unchanged" in alerts[1]
    assert "notes.txt" in alerts[2]
    assert [m.name for m in w.ctl.library if m.usable] == ["crawl-sprites-32", "crawl-textures-32"]  # shipped only

    bad_json = tmp_path / "hand-edited.json"
    bad_json.write_text('{"format": "assetgan.collection",\n "items": [}')
    missing = tmp_path / "missing-model.json"
    d = json.loads(before)
    d["model"] = {"name": "moved-away", "sha256": "12" * 32, "path": "/nowhere/moved-away.onnx"}
    missing.write_text(json.dumps(d))
    drop(w, [bad_json, missing])
    assert "invalid JSON at line 2" in alerts[3] and "current session stays open" in alerts[3]
    assert "model 'moved-away' of the collection was not found" in alerts[4]
    assert bad_json.read_text() == '{"format": "assetgan.collection",\n "items": [}'
    assert json.loads(missing.read_text()) == d
    assert w.ctl.session.path == session_path and session_path.read_bytes() == before

    mine = tmp_path / "my-sprites.onnx"
    mine.write_bytes(SHIPPED.read_bytes())
    drop(w, [mine])
    assert len(alerts) == 5 and [m.name for m in w.ctl.library if m.usable] == ["crawl-sprites-32", "crawl-textures-32",
                                                                                   "my-sprites"]
    assert w.tabs.currentWidget() is w.library_tab and w.library_tab.selected().name == "my-sprites"
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, title, _t: asked.append(title) or True)
    w.library_tab.use_selected()  # the session has items: a new session is started for the other model, if agreed
    assert asked == ["Start a new session?"]
    assert w.ctl.session.path != session_path and w.ctl.session.collection.model.name == "my-sprites"
    assert session_path.read_bytes() == before


def test_provider_fallback_note_is_shown(qtbot, alerts):
    import dataclasses

    w = start(qtbot)
    m = w.ctl.model
    w.ctl.model = dataclasses.replace(m, provider_note="CUDA failed to load (libcudnn missing); using CPU")
    w.ctl.model_changed.emit()
    assert "CUDA failed to load (libcudnn missing); using CPU" in w.provider.text()
    assert "CPU" in w.provider.text() and "CUDA failed" in w.generate_tab.model_label.text()


def test_keep_best_ranks_with_the_critic_like_the_cli(qtbot, alerts, tiny_model):
    from assetgan.runtime.curate import best_seeds
    from assetgan.runtime.model import open_model
    from ui.library import LibraryModel, read_model_card

    w = start(qtbot)
    g = w.generate_tab
    assert g.keep.isEnabled() == w.ctl.model.card.critic
    assert w.ctl.use_model(LibraryModel("tiny", tiny_model, "user", read_model_card(tiny_model)))
    assert g.keep.isEnabled() and g.keep.value() == 100
    g.count.setValue(6)
    g.seed.setValue(3)
    g.truncation.setValue(1.0)
    g.keep.setValue(50)
    qtbot.mouseClick(g.generate_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    want = best_seeds(open_model(tiny_model), 3, 6, 0.5, 1.0)
    assert [it.seed for it in w.ctl.session.items] == want and g.grid.count() == 6
    assert g.seed.value() == 15  # the next batch starts after all 12 candidates
    assert not alerts
