"""Sessions that do not surprise: File > Recent sessions, a question before another model starts a new session,
Clear batch (undoable), and the Generate grid and Stylize inputs restored on reopen, bad stored values included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from assetgan.runtime.pixel_grid import PixelArtMode  # noqa: E402
from tests.test_ui_app import idle, start  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import RECENT_LIMIT, AppSettings, config_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"


def tiny(tiny_model: Path):
    from ui.library import LibraryModel, read_model_card

    return LibraryModel("tiny", tiny_model, "user", read_model_card(tiny_model))


def with_tiny(qtbot, tiny_model: Path) -> MainWindow:
    w = start(qtbot)
    assert w.ctl.use_model(tiny(tiny_model))
    return w


def names_on_disk(w: MainWindow) -> list[str]:
    assert w.ctl.writer.flush()  # the background writer has caught up
    return [d["name"] for d in json.loads(w.ctl.session.path.read_text())["items"]]


def recent_rows(w: MainWindow) -> list[tuple[str, bool]]:
    w.fill_recent()
    return [(a.text(), a.isEnabled()) for a in w.recent_menu.actions() if not a.isSeparator()]


def test_recent_sessions_menu_lists_newest_first_and_disables_missing_files(qtbot, alerts, tiny_model, tmp_path):
    w = with_tiny(qtbot, tiny_model)
    first = w.ctl.session.path
    w.ctl.generate(2, 0, 1.0)
    idle(qtbot, w)
    assert w.ctl.new_session(tiny(tiny_model), tmp_path / "second.json")
    assert w.ctl.save_as(tmp_path / "third.json")
    assert AppSettings.load().recent[:3] == [str((tmp_path / "third.json").resolve()),
                                             str((tmp_path / "second.json").resolve()), str(first.resolve())]
    assert recent_rows(w)[:3] == [("&1 third.json (open)", False), ("&2 second.json", True), (f"&3 {first.name}", True)]
    (tmp_path / "second.json").unlink()
    assert recent_rows(w)[1] == ("&2 second.json (missing)", False)
    recent = w.recent_menu.actions()
    recent[2].trigger()  # opens the first session again, with its items
    assert w.ctl.session.path == first and len(w.ctl.session.items) == 2
    assert recent_rows(w)[0] == (f"&1 {first.name} (open)", False)
    next(a for a in w.recent_menu.actions() if a.text() == "Clear list").trigger()
    assert AppSettings.load().recent == [] and recent_rows(w)[0] == ("(none yet)", False)
    file_menu = w.menuBar().actions()[0].menu()
    assert [a.text() for a in file_menu.actions()][:3] == ["&New session", "&Open session…", "&Recent sessions"]

    s = AppSettings()
    for k in range(RECENT_LIMIT + 3):
        s.remember(tmp_path / f"s{k}.json")
    s.remember(tmp_path / "s3.json")
    back = AppSettings.load().recent
    assert len(back) == RECENT_LIMIT and back[0].endswith("s3.json") and back.count(back[0]) == 1
    assert back[1].endswith(f"s{RECENT_LIMIT + 2}.json")


def test_another_model_asks_before_starting_a_new_session(qtbot, alerts, tiny_model, monkeypatch):
    from ui.library import scan

    w = start(qtbot)
    w.ctl.generate(2, 0, 1.0)
    idle(qtbot, w)
    path, before = w.ctl.session.path, w.ctl.session.path.read_bytes()
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, title, text: asked.append(f"{title}: {text}") or False)
    assert not w.ctl.use_model(tiny(tiny_model))  # "No": nothing changes
    assert w.ctl.session.path == path and w.ctl.model.path.name == "crawl-sprites-32.onnx"
    assert asked[0].startswith("Start a new session?") and "2 items made with crawl-sprites-32" in asked[0]
    assert "Recent sessions" in asked[0]
    assert w.ctl.use_model(next(m for m in scan() if m.name == "crawl-sprites-32"))  # the model in use: no question
    assert len(asked) == 1
    monkeypatch.setattr(dialogs, "confirm", lambda *_a: asked.append("yes") or True)
    assert w.ctl.use_model(tiny(tiny_model))
    assert w.ctl.session.path != path and w.ctl.session.collection.model.name == "tiny"
    assert path.read_bytes() == before and AppSettings.load().recent[1] == str(path.resolve())
    assert not alerts


def test_clear_batch_removes_only_uncurated_items_and_undo_brings_them_back(qtbot, alerts, tiny_model):
    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(2, 0, 1.0)  # an older batch is never cleared
    idle(qtbot, w)
    w.ctl.generate(6, 50, 1.0)
    idle(qtbot, w)
    s, g = w.ctl.session, w.generate_tab
    n = g.grid.names()
    s.toggle([n[0]], "favourite")
    s.toggle([n[1]], "rejected")
    s.add_tag([n[2]], "door")
    s.rename(n[3], "keeper")
    assert w.clear_batch_action.isEnabled()
    g.clear_button.click()
    assert g.grid.names() == [n[0], n[1], n[2], "keeper"]
    assert names_on_disk(w) == ["tiny_000000", "tiny_000001", n[0], n[1], n[2], "keeper"]
    assert w.undo_action.text() == "&Undo Clear batch (2 items)"
    w.undo_action.trigger()
    assert g.grid.names() == [n[0], n[1], n[2], "keeper", n[4], n[5]]
    assert len(names_on_disk(w)) == 8
    assert w.ctl.clear_batch() == [n[4], n[5]] and w.ctl.clear_batch() == []
    assert "nothing to clear" in w.statusBar().currentMessage()


def test_the_generate_grid_and_stylize_inputs_come_back_on_reopen(qtbot, alerts, tiny_model, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("hall", "cave"):
        shutil.copy(SHOT, shots / f"{name}.png")
    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(4, 20, 1.0)
    idle(qtbot, w)
    w.ctl.session.rename(w.generate_tab.grid.names()[1], "hero")
    batch = w.generate_tab.grid.names()
    t = w.stylize_tab
    t.add_inputs([shots / "hall.png", shots / "cave.png"])
    t.strength.setValue(40)
    t.out.setText(str(tmp_path / "out"))
    t.into.setChecked(True)
    t.pixel_art.setCurrentIndex(t.pixel_art.findData(PixelArtMode.off))
    w.close()

    w2 = start(qtbot)
    idle(qtbot, w2)
    assert w2.generate_tab.grid.names() == batch and batch[1] == "hero"
    assert w2.generate_tab.grid.base_pixmap("hero") is not None  # re-rendered, shown in the grid
    t2 = w2.stylize_tab
    assert t2.files == [shots / "hall.png", shots / "cave.png"] and t2.list.count() == 2
    assert t2.strength.value() == 40 and t2.out_dir() == tmp_path / "out" and t2.into.isChecked()
    assert t2.pixel_art_mode() == PixelArtMode.off
    assert not w2.note.isVisible()
    w2.close()

    (shots / "cave.png").unlink()  # a stored input that is gone is left out, with a note
    w3 = start(qtbot)
    assert w3.stylize_tab.files == [shots / "hall.png"]
    assert w3.note.isVisible() and "no longer exist" in w3.note.toolTip() and "cave.png" in w3.note.toolTip()
    assert not alerts


def test_bad_stored_values_give_a_fresh_state_and_a_note(qtbot, alerts, tiny_model):
    w = with_tiny(qtbot, tiny_model)
    w.ctl.generate(3, 0, 1.0)
    idle(qtbot, w)
    path = w.ctl.session.path
    w.close()
    d = json.loads(path.read_text())
    d["extra"]["app"]["batch"] = {"not": "a list"}
    path.write_text(json.dumps(d))
    settings = json.loads((config_dir() / "app.json").read_text())
    settings["stylize"] = {"files": "hall.png", "strength": 250, "out_dir": 7, "into": "yes"}
    settings["zoom"] = 99
    settings["recent"] = ["ok.json", 5]
    (config_dir() / "app.json").write_text(json.dumps(settings))

    w2 = start(qtbot)
    idle(qtbot, w2)
    s = w2.ctl.session
    assert s.path == path and len(s.items) == 3 and w2.generate_tab.grid.names() == []
    tip = w2.note.toolTip()
    assert w2.note.isVisible() and "stored Generate batch is not a list" in tip
    for key in ("files", "strength", "out dir", "into"):
        assert f"Stylize {key}" in tip, key
    t = w2.stylize_tab
    assert t.files == [] and t.strength.value() == 100 and t.out.text() == "" and t.beside.isChecked()
    assert w2.ctl.settings.zoom == 0 and w2.ctl.settings.recent == [str(path.resolve()), "ok.json"]
    assert not alerts

    (config_dir() / "app.json").write_text("{broken")
    assert AppSettings.load().notes and AppSettings.load().recent == []  # unreadable: defaults and a note
