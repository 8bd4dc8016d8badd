"""The Stylize tab under pytest-qt (offscreen): preview, strength, batch = `assetgan stylize`, cancel, bad input."""

from __future__ import annotations

import shlex
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from ui import dialogs  # noqa: E402
from ui import stylize_logic as logic  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import AppSettings  # noqa: E402
from ui.startup import restore  # noqa: E402

from .test_ui_app import read_only_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"
STYLE = "tiny-style"  # the tiny CycleGAN (texture <-> sprite), added to the user model folder


@pytest.fixture()
def alerts(tmp_path, monkeypatch, tiny_style_model):
    """Isolated app folders with the tiny style model installed; alerts collected instead of shown."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    (tmp_path / "assetgan_models").mkdir()
    shutil.copy(tiny_style_model, tmp_path / "assetgan_models" / f"{STYLE}.onnx")
    got: list[str] = []
    monkeypatch.setattr(dialogs, "alert", lambda _p, title, text: got.append(f"{title}: {text}"))
    return got


@pytest.fixture()
def shots(tmp_path) -> Path:
    """Three small crops of the CC0 dungeon screenshot, one with alpha."""
    folder = tmp_path / "shots"
    folder.mkdir()
    full = Image.open(SCREENSHOT).convert("RGB")
    for i, name in enumerate(("hall", "cave", "door")):
        img = full.crop((300 * i, 200, 300 * i + 240, 360)).resize((120, 80 + 8 * i), Image.BILINEAR)
        if name == "door":
            img.putalpha(Image.linear_gradient("L").resize(img.size))
        img.save(folder / f"{name}.png")
    return folder


def start(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.adopt(restore(AppSettings.load()))
    t = w.stylize_tab
    t.select_model(STYLE)
    w.tabs.setCurrentWidget(t)
    qtbot.waitUntil(lambda: t.model is not None and t.model.card.domains == ["texture", "sprite"], timeout=10000)
    return w


def idle(qtbot, w: MainWindow, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not w.ctl.runner.active, timeout=timeout)


def drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    widget.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))


def test_library_lists_the_style_model_for_stylize_not_generate(qtbot, alerts):
    w = start(qtbot)
    lib = w.library_tab
    lib.select_name(STYLE)
    w.tabs.setCurrentWidget(lib)
    rows = {lib.form.itemAt(i, lib.form.ItemRole.LabelRole).widget().text():
            lib.form.itemAt(i, lib.form.ItemRole.FieldRole).widget() for i in range(lib.form.rowCount())
            if lib.form.itemAt(i, lib.form.ItemRole.FieldRole).widget() is not None}
    assert rows["domains"].text() == "texture ↔ sprite" and rows["kind"].text().startswith("cyclegan")
    assert lib.use_button.text() == "Use for stylizing" and lib.use_button.isEnabled()
    assert [m.name for m in w.stylize_tab.models][-1] == STYLE
    assert all(m.card.kind == "cyclegan" for m in w.stylize_tab.models)
    model_before = w.ctl.model.path
    assert not w.ctl.use_model(lib.selected()) and "cannot generate from seeds" in alerts[-1]
    assert w.ctl.model.path == model_before
    w.tabs.setCurrentWidget(lib)
    lib.use_selected()
    assert w.tabs.currentWidget() is w.stylize_tab and w.stylize_tab.model_box.currentText() == STYLE
    t = w.stylize_tab
    assert [t.direction.itemText(i) for i in range(2)] == ["texture → sprite", "sprite → texture"]
    assert "ONNX Runtime: CPU" in w.provider.text()


def test_no_style_model_shows_a_hint(qtbot, alerts):
    w = start(qtbot)
    w.ctl.set_library([m for m in w.ctl.library if not m.stylable])
    t = w.stylize_tab
    assert t.model is None and not t.hint.isHidden() and "No style-transfer (cyclegan) model" in t.hint.text()
    assert not t.stylize_button.isEnabled() and w.provider.text() == "no style model"
    t.stylize_all()
    assert "add a cyclegan .onnx" in alerts[-1]


def test_open_files_preview_and_strength_without_a_model_call(qtbot, alerts, shots, monkeypatch):
    w = start(qtbot)
    t = w.stylize_tab
    monkeypatch.setattr(dialogs, "open_files", lambda *_a, **_k: [shots / "cave.png", shots / "hall.png"])
    monkeypatch.setattr(dialogs, "folder", lambda *_a, **_k: shots)
    t.open_files()
    t.open_folder()  # the folder adds door.png; cave and hall are not listed twice
    assert t.files == [shots / "cave.png", shots / "hall.png", shots / "door.png"] and t.list.count() == 3
    assert t.list.currentRow() == 2  # the first newly added input is shown
    t.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: t.preview is not None and t.preview.key[2] == str(shots / "cave.png"), timeout=10000)
    p = t.preview
    rgb = np.asarray(Image.open(shots / "cave.png").convert("RGB"))
    assert np.array_equal(p.before, rgb) and np.array_equal(p.after, t.model.stylize(rgb, "a2b"))
    assert t.view.before is not None and t.view.after is not None and not t.view.message
    assert "last inference" in w.timing.text()

    idle(qtbot, w)
    calls = []
    real = t.model.stylize
    monkeypatch.setattr(t.model, "stylize", lambda *a, **k: calls.append(1) or real(*a, **k))
    t.strength.setValue(40)
    assert not w.ctl.runner.active and not calls  # blended from the cached preview, no worker, no model run
    assert np.array_equal(t.after_img, real(rgb, "a2b", 0.4)) and t.strength_label.text() == "40 %"
    t.view.set_split(0.25)
    qtbot.mouseClick(t.view, Qt.MouseButton.LeftButton, pos=QPoint(int(t.view.image_rect().center().x()), 20))
    assert abs(t.view.split - 0.5) < 0.02  # the divider follows the mouse

    t.list.setCurrentRow(1)  # another input: rendered in the worker, then cached
    qtbot.waitUntil(lambda: t.preview is not None and t.preview.key[2] == str(shots / "hall.png"), timeout=10000)
    n = len(calls)
    t.list.setCurrentRow(0)
    assert t.preview.key[2] == str(shots / "cave.png") and len(calls) == n
    t.direction.setCurrentIndex(1)
    qtbot.waitUntil(lambda: t.preview.key[1] == "b2a", timeout=10000)
    assert np.array_equal(t.preview.after, real(rgb, "b2a"))


def test_batch_writes_what_assetgan_stylize_writes(qtbot, alerts, shots, tmp_path):
    from typer.testing import CliRunner

    from assetgan.cli.main import app

    w = start(qtbot)
    t = w.stylize_tab
    drop(t, [shots])
    t.direction.setCurrentIndex(1)
    t.strength.setValue(60)
    t.into.setChecked(True)
    t.out.setText(str(tmp_path / "app-out"))
    idle(qtbot, w)
    t.stylize_all()
    assert t.cancel_button.isEnabled() and not t.stylize_button.isEnabled()
    idle(qtbot, w)
    assert not alerts and t.progress.format() == "stylized 3 of 3 images"
    assert t.stylize_button.isEnabled() and not t.cancel_button.isEnabled()
    cmd = shlex.split(t.command.text())
    assert cmd[:3] == ["assetgan", "stylize", STYLE] and cmd[-4:] == ["--direction", "b2a", "--strength", "0.6"]
    cmd[cmd.index("--out") + 1] = str(tmp_path / "cli-out")
    r = CliRunner().invoke(app, cmd[1:])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (tmp_path / "app-out").iterdir())
    assert names == ["cave.texture.png", "door.texture.png", "hall.texture.png"]
    assert names == sorted(p.name for p in (tmp_path / "cli-out").iterdir())
    for n in names:
        assert (tmp_path / "app-out" / n).read_bytes() == (tmp_path / "cli-out" / n).read_bytes(), n
    assert Image.open(tmp_path / "app-out" / "door.texture.png").mode == "RGBA"  # alpha passed through


def test_cancel_stops_a_batch(qtbot, alerts, shots, monkeypatch):
    w = start(qtbot)
    t = w.stylize_tab
    for i in range(6):
        shutil.copy(shots / "hall.png", shots / f"more{i}.png")
    t.add_inputs([shots])
    idle(qtbot, w)
    gate, calls = threading.Event(), []
    real = t.model.stylize

    def held(*a, **k):  # the second image waits until the test has pressed Cancel
        calls.append(1)
        if len(calls) == 2:
            gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(t.model, "stylize", held)
    t.stylize_all()
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=10000)
    qtbot.mouseClick(t.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    idle(qtbot, w)
    written = sorted(p.name for p in shots.glob("*.sprite.png"))
    assert len(written) == 2 and len(calls) == 2 and len(t.files) == 9
    assert t.progress.format() == "cancelled: stylized 2 of 9 images" and t.stylize_button.isEnabled()
    assert not alerts


def test_corrupt_and_non_image_files_are_skipped_with_a_message(qtbot, alerts, shots, tmp_path):
    w = start(qtbot)
    t = w.stylize_tab
    (shots / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    w.open_paths([shots, notes])  # dropped on the window while the Stylize tab shows
    assert len(alerts) == 1 and "notes.txt: not an image file" in alerts[0] and "4 image(s) were added" in alerts[0]
    assert [f.name for f in t.files] == ["broken.png", "cave.png", "door.png", "hall.png"]
    qtbot.waitUntil(lambda: "Cannot preview" in t.view.message, timeout=10000)
    assert "broken.png" in t.view.message and t.preview is None
    t.list.setCurrentRow(1)
    qtbot.waitUntil(lambda: t.preview is not None, timeout=10000)
    idle(qtbot, w)
    t.stylize_all()
    idle(qtbot, w)
    assert len(alerts) == 2 and "1 file(s) could not be read and were skipped" in alerts[1]
    assert "broken.png" in alerts[1]
    assert sorted(p.name for p in shots.glob("*.sprite.png")) == ["cave.sprite.png", "door.sprite.png",
                                                                  "hall.sprite.png"]
    assert t.progress.format() == "stylized 3 of 4 images (1 skipped)"


def test_existing_outputs_are_only_replaced_after_asking(qtbot, alerts, shots, monkeypatch):
    w = start(qtbot)
    t = w.stylize_tab
    t.add_inputs([shots / "hall.png", shots / "cave.png"])
    mine = shots / "cave.sprite.png"
    mine.write_bytes(b"my own file")
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "overwrite", lambda _p, _title, text: asked.append(text) or False)
    assert t.stylize_all() is None
    assert len(asked) == 1 and str(mine) in asked[0] and "1 output file(s) already exist" in asked[0]
    assert mine.read_bytes() == b"my own file" and not (shots / "hall.sprite.png").exists()
    assert not w.ctl.runner.active or t.batch_job is None

    monkeypatch.setattr(dialogs, "overwrite", lambda _p, _title, text: asked.append(text) or True)
    assert t.stylize_all() is not None
    idle(qtbot, w)
    assert len(asked) == 2 and mine.read_bytes() != b"my own file" and (shots / "hall.sprite.png").exists()
    assert sorted(p.name for p in shots.iterdir()) == ["cave.png", "cave.sprite.png", "door.png", "hall.png",
                                                       "hall.sprite.png"]
    assert not alerts


def test_read_only_output_folder_gives_a_message(qtbot, alerts, shots, tmp_path):
    w = start(qtbot)
    t = w.stylize_tab
    t.add_inputs([shots / "hall.png"])
    ro = read_only_dir(tmp_path)
    t.into.setChecked(True)
    t.out.setText(str(ro))
    idle(qtbot, w)
    session_before = w.ctl.session.path.read_bytes()
    t.stylize_all()
    idle(qtbot, w)
    assert len(alerts) == 1 and str(ro) in alerts[0] and "writable" in alerts[0], alerts
    assert "cancelled" not in t.progress.format() and t.stylize_button.isEnabled()
    assert t.files == [shots / "hall.png"] and w.ctl.session.path.read_bytes() == session_before
    assert logic.plan_batch(t.files, ro, ".sprite").existing == []  # nothing was written there
