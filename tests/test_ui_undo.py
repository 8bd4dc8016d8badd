"""Undo/redo of curation (saved to disk like any change), pixel-crisp grid zoom, the preview dock, the Help menu and
a status bar that stays readable at 800 px."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from assetgan.export.collection import Item  # noqa: E402
from tests.test_ui_app import idle, start  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.undo import History  # noqa: E402


def with_tiny(qtbot, tiny_model: Path) -> MainWindow:
    """A window on the committed tiny model (an empty session switches model without asking)."""
    from ui.library import LibraryModel, read_model_card

    w = start(qtbot)
    assert w.ctl.use_model(LibraryModel("tiny", tiny_model, "user", read_model_card(tiny_model)))
    return w


def on_disk(w: MainWindow) -> list[tuple[str, str, list[str]]]:
    """(name, state, tags) of every item in the session file, after the writer thread has caught up."""
    assert w.ctl.writer.flush()
    return [(d["name"], d.get("state", "none"), d.get("tags", []))
            for d in json.loads(w.ctl.session.path.read_text())["items"]]


def press(qtbot, widget, key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.keyClick(widget, key, mods)


def test_every_curation_command_undoes_and_redoes_and_each_step_is_saved(qtbot, alerts, tiny_model, monkeypatch):
    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(5, 10, 1.0)
    idle(qtbot, w)
    w.tabs.setCurrentWidget(w.generate_tab)
    grid = w.generate_tab.grid
    n = grid.names()
    assert w.undo_action.text() == "&Undo Generate 5 items" and w.undo_action.isEnabled()
    fresh = on_disk(w)
    states = [fresh]
    grid.select_names(n[:2])
    press(qtbot, grid, Qt.Key.Key_F)
    states.append(on_disk(w))
    grid.select_names([n[2]])
    press(qtbot, grid, Qt.Key.Key_X)
    states.append(on_disk(w))
    monkeypatch.setattr(dialogs, "text", lambda *_a, **_k: "potion")
    grid.select_names([n[0]])
    press(qtbot, grid, Qt.Key.Key_T)
    states.append(on_disk(w))
    monkeypatch.setattr(dialogs, "text", lambda *_a, **_k: "hero")
    press(qtbot, grid, Qt.Key.Key_F2)
    states.append(on_disk(w))
    grid.select_names([n[3]])
    press(qtbot, grid, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    states.append(on_disk(w))
    assert states[-1] == [("hero", "favourite", ["potion"]), (n[1], "favourite", []), (n[2], "rejected", []),
                          (n[4], "none", [])]
    assert w.undo_action.text() == "&Undo Remove 1 item" and grid.names() == ["hero", n[1], n[2], n[4]]

    labels = []
    for want in reversed(states[:-1]):  # Ctrl+Z walks back through every state, each one saved
        labels.append(w.undo_action.text())
        press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert on_disk(w) == want
    assert labels == ["&Undo Remove 1 item", "&Undo Rename " + n[0], "&Undo Tag #potion", "&Undo Reject 1 item",
                      "&Undo Favourite 2 items"]
    assert grid.names() == n and w.redo_action.text() == "&Redo Favourite 2 items"
    assert np.array_equal(w.ctl.store.images[n[0]], w.ctl.model.generate_seeds([10], 1.0)[0])  # the image follows
    for want in states[1:]:  # Ctrl+Shift+Z (and Ctrl+Y) redo them
        press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert on_disk(w) == want
    assert not w.redo_action.isEnabled() and w.redo_action.text() == "&Redo"
    assert np.array_equal(w.ctl.store.images["hero"], w.ctl.model.generate_seeds([10], 1.0)[0])
    assert grid.names() == ["hero", n[1], n[2], n[4]]

    w.ctl.undo()  # the removed item comes back ...
    for _ in range(5):
        w.ctl.undo()
    assert on_disk(w) == [] and grid.names() == [] and not w.undo_action.isEnabled()  # ... and so does the batch
    w.ctl.redo()
    assert on_disk(w) == fresh and grid.names() == n
    w.ctl.session.toggle([n[4]], "favourite")  # a new command drops what could be redone
    assert not w.redo_action.isEnabled() and w.undo_action.text() == "&Undo Favourite 1 item"
    assert not alerts


def test_undo_waits_for_a_running_batch_and_explore_additions_undo(qtbot, alerts, tiny_model):
    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(3, 0, 1.0)
    idle(qtbot, w)
    s = w.ctl.session
    s.add_latent(np.zeros(w.ctl.model.nz), "frame", ["explore"])
    assert w.undo_action.text() == "&Undo Add frame"
    w.ctl.generate(64, 100, 1.0)
    assert not w.undo_action.isEnabled() and not w.ctl.undo()  # refused while the batch runs
    idle(qtbot, w)
    assert w.undo_action.text() == "&Undo Generate 64 items" and len(s.items) == 68
    assert w.ctl.undo() and w.ctl.undo()
    assert [it.name for it in s.items] == [f"tiny_{k:06d}" for k in range(3)]
    assert w.generate_tab.grid.names() == []  # the undone batch was the one shown
    assert [d[0] for d in on_disk(w)] == [it.name for it in s.items]


def test_history_groups_limits_and_stays_free_of_qt():
    items = [Item("a"), Item("b")]
    h = History(limit=3)
    for k in range(5):
        before = h.snapshot(items)
        items[0].tags.append(str(k))
        h.record(f"tag {k}", before, h.snapshot(items))
    assert [s.label for s in h.undo_steps] == ["tag 2", "tag 3", "tag 4"]  # the oldest are dropped
    h.record("nothing", h.snapshot(items), h.snapshot(items))
    assert h.undo_label() == "tag 4"  # a command that changed nothing is not a step
    h.begin("batch", items)
    assert h.undo_label() is None and h.pop_undo() is None  # nothing is undone while a group is open
    items.append(Item("c"))
    h.end(items, "Generate 1 item")
    assert h.undo_label() == "Generate 1 item"
    code = "import sys, ui.undo; sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]).returncode == 0


def wheel(grid, up: bool) -> None:
    pos = QPointF(20, 20)
    ev = QWheelEvent(pos, grid.viewport().mapToGlobal(pos.toPoint()), QPoint(), QPoint(0, 120 if up else -120),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                     False)
    grid.wheelEvent(ev)


def test_zoom_is_whole_factors_from_1x_to_16x_pixel_crisp_and_remembered(qtbot, alerts, tiny_model):
    from ui.settings import AppSettings

    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(2, 0, 1.0)
    idle(qtbot, w)
    w.tabs.setCurrentWidget(w.generate_tab)
    grid, side = w.generate_tab.grid, w.ctl.model.card.size
    assert grid.zoom == 96 // side and grid.iconSize().width() == 96  # the default fits the usual thumbnail size
    wheel(grid, up=True)
    assert grid.zoom == 96 // side + 1 and grid.iconSize().width() == side * grid.zoom
    assert w.curate_tab.grid.zoom == grid.zoom  # both grids follow
    press(qtbot, grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert grid.zoom == 96 // side - 1
    for _ in range(20):
        press(qtbot, grid, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert grid.zoom == 16 and grid.iconSize().width() == 16 * side
    for _ in range(20):
        wheel(grid, up=False)
    assert grid.zoom == 1 and grid.iconSize().width() == side
    assert AppSettings.load().zoom == 1  # the next launch opens at the same zoom

    from ui.item_grid import crisp_pixmap, display_pixmap

    img = w.ctl.store.images[grid.names()[0]]
    big = crisp_pixmap(display_pixmap(img, tiled=False), 5).toImage()
    assert (big.width(), big.height()) == (5 * side, 5 * side)
    opaque = np.argwhere(img[..., 3] == 255) if img.shape[2] == 4 else np.argwhere(np.ones(img.shape[:2]))
    for r, c in opaque[:: max(1, len(opaque) // 40)]:  # every screen pixel of a block is the image pixel's colour
        want = tuple(int(v) for v in img[r, c, :3])
        block = {big.pixelColor(5 * c + dx, 5 * r + dy).getRgb()[:3] for dx in range(5) for dy in range(5)}
        assert block == {want}, (r, c)
    w.reset_zoom()
    assert grid.zoom == 96 // side and AppSettings.load().zoom == 0


def test_preview_dock_shows_the_selected_item_large_with_its_details(qtbot, alerts, tiny_model):
    from ui.preview import describe_item, fit_scale

    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(3, 7, 0.9)
    idle(qtbot, w)
    w.tabs.setCurrentWidget(w.generate_tab)
    grid, s = w.generate_tab.grid, w.ctl.session
    s.add_tag([grid.names()[1]], "potion")
    grid.select_names([grid.names()[1]])
    p = w.preview
    assert w.preview_dock.isVisible() and p.scale >= 2
    assert p.info.text() == f"{grid.names()[1]}\nseed 8 · ψ 0.9\ntags: #potion"
    pm = p.image.pixmap()
    assert pm.width() == w.ctl.model.card.size * p.scale
    assert fit_scale(32, 32, 300, 200) == 6 and fit_scale(32, 32, 10, 10) == 1
    assert "class item/potion" in describe_item(Item("x", seed=1, class_name="item/potion"))
    grid.clearSelection()
    assert p.scale == 0 and "Select an item" in p.info.text()
    view = next(a for a in w.menuBar().actions() if a.text() == "&View").menu()
    show = next(a for a in view.actions() if "Preview" in a.text())
    show.trigger()
    assert not w.preview_dock.isVisible()


def test_help_lists_the_shortcuts_and_about_names_version_and_provider(qtbot, alerts, monkeypatch):
    import assetgan

    w = start(qtbot)
    titles = [a.text() for a in w.menuBar().actions()]
    assert titles[:4] == ["&File", "&Edit", "&View", "&Help"] or {"&File", "&Edit", "&View", "&Help"} <= set(titles)
    w.show_shortcuts()
    rows = dict((what, keys) for keys, what in w.shortcuts_dialog.rows())
    assert rows["Undo"] == "Ctrl+Z" and "Ctrl+Shift+Z" in rows["Redo"] and "Ctrl++" in rows["Zoom in"]
    assert rows["Favourite (selected items)"] == "F" and "Shift+Delete" in rows["Remove from session (selected items)"]
    assert rows["Zoom the thumbnails"] == "Ctrl+wheel (over a grid)"
    got = []
    monkeypatch.setattr(dialogs, "inform", lambda _p, title, text: got.append((title, text)))
    w.show_about()
    assert got[0][0] == "About assetgan" and assetgan.__version__ in got[0][1]
    assert "CPUExecutionProvider" in got[0][1]


def test_status_bar_labels_never_overlap_in_a_narrow_window(qtbot, alerts):
    import dataclasses

    w = start(qtbot)
    w.resize(800, 600)
    w.ctl.model = dataclasses.replace(w.ctl.model, provider_note="CUDA failed to load (libcudnn missing because the "
                                                                 "installed driver is far too old); using CPU")
    w.ctl.model_changed.emit()
    w.ctl.notes_changed.emit(["The last session /a/very/long/path/to/some/session-file.json could not be reopened "
                              "(JSONDecodeError at line 1); started a new session"])
    w.ctl.status.emit("last inference 12 ms")
    QApplication.processEvents()
    bar = w.statusBar()
    boxes = [lab.geometry() for lab in (w.note, w.timing, w.provider)]
    assert all(b.width() > 0 and b.right() <= bar.width() for b in boxes)
    assert boxes[0].right() < boxes[1].left() and boxes[1].right() < boxes[2].left()
    assert w.provider.text().endswith("using CPU") and w.provider.elided().count("…") == 1
    w.grab().save(str(Path(w.ctl.session.path).parent / "narrow.png"))
