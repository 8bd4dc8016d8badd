"""The Stylize preview is the result: full resolution as Stylize all writes it, zoom to 1:1, pixel art, Open result."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, QSize, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPixmap, QWheelEvent  # noqa: E402

from assetgan.runtime.pixel_grid import PixelArtMode  # noqa: E402
from assetgan.runtime.stylize import open_style_model  # noqa: E402
from assetgan.runtime.stylize_io import read_for_stylize, stylize_image  # noqa: E402
from ui import stylize_logic as logic  # noqa: E402
from ui import stylize_results  # noqa: E402
from ui.preview_render import render_preview  # noqa: E402
from ui.split_view import SplitView  # noqa: E402

from . import test_ui_stylize as base  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
alerts = base.alerts  # isolated app folders with the tiny style model; alerts collected
start, idle = base.start, base.idle


def smooth_png(path: Path, h: int, w: int) -> Path:
    """Gradients and waves, with a partly transparent alpha: no pixel grid."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([x / w * 255, y / h * 255, 128 + 100 * np.sin(x / 23 + y / 31)], -1)
    alpha = (64 + 191 * x / w)[..., None]
    Image.fromarray(np.dstack([rgb, alpha]).round().astype(np.uint8), "RGBA").save(path)
    return path


def pixel_art_png(path: Path, h: int, w: int, k: int = 6) -> Path:
    """Random four-colour pixel art of h x w native pixels, nearest-upscaled k times."""
    rng = np.random.default_rng(3)
    palette = np.array([[30, 40, 60], [200, 160, 90], [90, 170, 80], [240, 240, 220]], np.uint8)
    native = palette[rng.integers(0, 4, (h, w))]
    Image.fromarray(native.repeat(k, 0).repeat(k, 1)).save(path)
    return path


def grabbed(view: SplitView) -> np.ndarray:
    """The view as drawn on screen, uint8 [h, w, 3]."""
    img = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return np.array(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[
        :, : 3 * img.width()].reshape(img.height(), img.width(), 3)


def saved_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA"))[..., :3]


def shown_equals_saved(view: SplitView, saved: np.ndarray) -> int:
    """Compare the on-screen "after" pixels (away from the tags and the divider) with the file; returns how many."""
    r, v = view.image_rect(), view.visible_rect()
    assert view.scale() == 1.0 and r.left() == int(r.left()) and r.top() == int(r.top())
    x0, x1 = int(max(v.left(), view.divider_x())) + 12, int(v.right()) - 4
    y0, y1 = int(v.top()) + 40, int(v.bottom()) - 40
    screen = grabbed(view)[y0:y1, x0:x1]
    ix, iy = x0 - int(r.left()), y0 - int(r.top())
    assert screen.size > 0
    np.testing.assert_array_equal(screen, saved[iy:iy + screen.shape[0], ix:ix + screen.shape[1]])
    return screen.shape[0] * screen.shape[1]


def test_quick_then_full_resolution_and_1to1_pixels_are_the_saved_file(qtbot, alerts, tmp_path, monkeypatch):
    monkeypatch.setattr("assetgan.runtime.stylize.WHOLE_PIXELS", 150_000)  # tiled, as files above ~2.2 MP are
    src = smooth_png(tmp_path / "wide.png", 420, 1000)
    w = start(qtbot)
    t = w.stylize_tab
    w.resize(1200, 800)
    said: list[str] = []
    t.pane.status.connect(said.append)
    t.add_inputs([src])
    qtbot.waitUntil(lambda: t.preview is not None and t.preview.full, timeout=20000)
    assert "(quick preview)" in said[0] and "(full resolution)" in said[-1]  # the quick one came first
    p = t.preview
    rgb, alpha = read_for_stylize(src)
    assert p.key == (str(t.model.path), "a2b", str(src), "auto") and p.full_size == (420, 1000)
    assert np.array_equal(p.after, stylize_image(t.model, rgb, alpha, "a2b", 1.0, None, PixelArtMode.auto).rgb)
    assert t.view.badge == "full resolution" and "full resolution" in t.info.text()
    assert "no integer pixel grid" in t.info.text()

    idle(qtbot, w)
    t.strength.setValue(70)  # instant on the full-resolution result: no worker
    assert not w.ctl.runner.active and t.after_img.shape == (420, 1000, 3)
    t.into.setChecked(True)
    t.out.setText(str(tmp_path / "out"))
    idle(qtbot, w)
    t.stylize_all()
    idle(qtbot, w)
    saved = saved_rgb(tmp_path / "out" / "wide.sprite.png")
    assert np.array_equal(t.after_img, saved)  # the whole preview is the file

    t.zoom.setCurrentIndex(t.zoom.findText("1:1"))
    t.zoom.activated.emit(t.zoom.currentIndex())
    t.view.set_split(0.0)
    assert t.view.zoom == 1.0 and t.view.pannable()
    n = shown_equals_saved(t.view, saved)
    t.view.pan_by(-2000, -2000)  # to the bottom-right corner
    assert t.view.visible_pixels().right() == 999 and t.view.visible_pixels().bottom() == 419
    assert shown_equals_saved(t.view, saved) == n
    assert not alerts


def test_pixel_art_is_handled_as_the_command_line_handles_it(qtbot, alerts, tmp_path):
    from typer.testing import CliRunner

    from assetgan.cli.main import app

    src = pixel_art_png(tmp_path / "level.png", 30, 40)
    w = start(qtbot)
    t = w.stylize_tab
    assert t.pixel_art.currentText() == "auto"
    t.add_inputs([src])
    qtbot.waitUntil(lambda: t.preview is not None and t.preview.full, timeout=20000)
    assert t.preview.note == "pixel art at 6x (40x30 native), stylized at 3x native size"
    assert "pixel art at 6x (40x30 native)" in t.info.text()
    after = t.preview.after
    assert np.array_equal(after, after[::6, ::6].repeat(6, 0).repeat(6, 1))  # the grid is kept
    t.into.setChecked(True)
    t.out.setText(str(tmp_path / "app"))
    idle(qtbot, w)
    t.stylize_all()
    idle(qtbot, w)
    out = tmp_path / "app" / "level.sprite.png"
    assert np.array_equal(saved_rgb(out), t.after_img) and t.saved.notes[src].startswith("pixel art at 6x")
    assert t.list.item(0).toolTip().endswith(t.saved.notes[src])
    cmd = shlex.split(t.command.text())
    assert "--pixel-art" not in cmd  # auto is the command line's default
    cmd[cmd.index("--out") + 1] = str(tmp_path / "cli")
    r = CliRunner().invoke(app, cmd[1:])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cli" / "level.sprite.png").read_bytes() == out.read_bytes()

    t.pixel_art.setCurrentIndex(t.pixel_art.findText("off"))  # full resolution: a different result
    qtbot.waitUntil(lambda: t.preview.key[3] == "off" and t.preview.full, timeout=20000)
    assert t.preview.note is None and "pixel art" not in t.info.text()
    assert not np.array_equal(t.preview.after, after)
    assert shlex.split(t.command.text())[-2:] == ["--pixel-art", "off"]
    assert not alerts


def test_open_result_opens_the_saved_file_or_its_folder(qtbot, alerts, tmp_path, monkeypatch):
    opened: list[QUrl] = []

    class Desktop:
        @staticmethod
        def openUrl(url: QUrl) -> bool:  # noqa: N802 (Qt's name)
            opened.append(url)
            return True

    monkeypatch.setattr(stylize_results, "QDesktopServices", Desktop)
    a, b = smooth_png(tmp_path / "a.png", 40, 60), pixel_art_png(tmp_path / "b.png", 12, 10, 4)
    w = start(qtbot)
    t = w.stylize_tab
    t.add_inputs([a, b])
    assert not t.saved.open_result_button.isEnabled()
    idle(qtbot, w)
    t.stylize_all()
    idle(qtbot, w)
    assert t.saved.open_result_button.isEnabled() and t.saved.open_folder_button.isEnabled()
    t.list.setCurrentRow(0)
    qtbot.mouseClick(t.saved.open_result_button, Qt.MouseButton.LeftButton)
    t.list.setCurrentRow(1)
    qtbot.mouseClick(t.saved.open_result_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(t.saved.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "a.sprite.png")),
                      QUrl.fromLocalFile(str(tmp_path / "b.sprite.png")), QUrl.fromLocalFile(str(tmp_path))]
    assert not alerts


def _checker(w: int, h: int) -> QPixmap:
    img = QImage(w, h, QImage.Format.Format_RGB888)
    for y in range(h):
        for x in range(w):
            img.setPixelColor(x, y, QColor(255 * ((x + y) % 2), 4 * x % 256, 3 * y % 256))
    return QPixmap.fromImage(img)


def _wheel(view: SplitView, dy: int, mods: Qt.KeyboardModifier) -> None:
    pos = QPointF(view.width() / 2, view.height() / 2)
    view.wheelEvent(QWheelEvent(pos, view.mapToGlobal(pos), QPoint(), QPoint(0, dy), Qt.MouseButton.NoButton, mods,
                                Qt.ScrollPhase.NoScrollPhase, False))


def test_zoom_is_crisp_pans_and_keeps_the_divider(qtbot):
    view = SplitView()
    qtbot.addWidget(view)
    view.resize(320, 240)
    view.show()
    pm = _checker(100, 80)
    view.set_images(pm, pm)
    assert view.zoom is None and view.scale() == 3.0 and not view.pannable()  # fitted
    zooms: list[object] = []
    view.zoom_changed.connect(zooms.append)
    view.set_zoom(4.0)
    assert view.pannable() and view.visible_pixels().size() == QSize(80, 60)
    shot = grabbed(view)
    r = view.image_rect()
    px = view.visible_pixels()
    src = pm.toImage()
    for ix, iy in ((px.left() + 2, px.top() + 14), (px.left() + 20, px.top() + 30)):  # 4 x 4 blocks, nearest
        sx, sy = int(r.left()) + 4 * ix, int(r.top()) + 4 * iy
        c = src.pixelColor(ix, iy)
        assert (shot[sy:sy + 4, sx:sx + 4] == [c.red(), c.green(), c.blue()]).all()
    left = view.visible_pixels().left()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(40, 120))  # away from the divider: pans
    qtbot.mouseMove(view, QPoint(80, 120))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(80, 120))
    assert view.visible_pixels().left() == left - 10 and view.split == 0.5
    x = int(view.divider_x())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(x + 2, 120))  # on the divider: moves it
    qtbot.mouseMove(view, QPoint(240, 120))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(240, 120))
    assert view.split == pytest.approx(0.75, abs=0.01) and view.visible_pixels().left() == left - 10
    top = view.visible_pixels().top()
    _wheel(view, -120, Qt.KeyboardModifier.NoModifier)  # the wheel alone pans
    assert view.visible_pixels().top() > top
    _wheel(view, 120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 8.0
    _wheel(view, -120, Qt.KeyboardModifier.ControlModifier)
    _wheel(view, -120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom is None  # zooming out passes through Fit (3x here)
    _wheel(view, -120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 2.0
    assert not view.pannable()
    assert zooms == [4.0, 8.0, 4.0, None, 2.0]
    view.set_zoom(None)
    assert view.scale() == 3.0 and view.visible_pixels() == pm.rect()

    small = pm.scaled(50, 40)  # a quick preview stands for the same 100 x 80 pixels
    view.set_zoom(1.0)
    view.set_images(small, small, QSize(100, 80))
    assert view.image_rect().size().toSize() == QSize(100, 80)


def test_the_pane_combo_follows_the_view(qtbot, alerts):
    w = start(qtbot)
    t = w.stylize_tab
    assert [t.zoom.itemText(i) for i in range(t.zoom.count())] == ["Fit", "50 %", "1:1", "2x", "4x"]
    t.view.set_zoom(8.0)
    assert t.zoom.currentText() == "8x"
    t.view.set_zoom(2.0)
    assert t.zoom.currentText() == "2x"


def test_render_preview_is_stylize_image_and_quick_only_for_large_files(tiny_style_model, tmp_path):
    model = open_style_model(tiny_style_model, ["CPUExecutionProvider"])
    big, small = smooth_png(tmp_path / "big.png", 100, 300), pixel_art_png(tmp_path / "px.png", 20, 30, 3)
    quick: list[logic.Preview] = []
    p = render_preview(model, "b2a", big, PixelArtMode.auto, on_quick=quick.append, max_side=150)
    rgb, alpha = read_for_stylize(big)
    assert p.full and np.array_equal(p.before, rgb)
    assert np.array_equal(p.after, stylize_image(model, rgb, alpha, "b2a", 1.0, None, PixelArtMode.auto).rgb)
    assert len(quick) == 1 and quick[0].before.shape == (50, 150, 3) and not quick[0].full
    assert quick[0].key == p.key == (str(model.path), "b2a", str(big), "auto")
    p = render_preview(model, "a2b", small, PixelArtMode.on, on_quick=quick.append, max_side=150)
    assert len(quick) == 1 and p.note == "pixel art at 3x (30x20 native), stylized at 3x native size"
    art = pixel_art_png(tmp_path / "art.png", 30, 40, 6)  # 240 x 180, native 40 x 30: no quick pass needed
    assert render_preview(model, "a2b", art, PixelArtMode.auto, on_quick=quick.append, max_side=150).note
    assert len(quick) == 1
    render_preview(model, "a2b", art, PixelArtMode.off, on_quick=quick.append, max_side=150)
    assert len(quick) == 2 and quick[1].before.shape == (112, 150, 3)

    class Stopped:
        def update(self, *_a: object) -> None:
            return None

        def aborted(self) -> bool:
            return True

    with pytest.raises(InterruptedError):
        render_preview(model, "a2b", big, PixelArtMode.off, Stopped(), on_quick=quick.append, max_side=150)


def test_cache_keeps_full_results_and_a_pixel_budget():
    img = np.zeros((100, 100, 3), np.uint8)
    full = logic.Preview(("m", "a2b", "x", "auto"), img, img, (100, 100), 1.0, full=True)
    quick = logic.Preview(("m", "a2b", "x", "auto"), img[:10], img[:10], (100, 100), 0.1)
    cache = logic.PreviewCache(size=8, max_pixels=25_000)
    cache.put(full)
    cache.put(quick)  # a late quick preview never replaces the full one
    assert cache.get(full.key) is full
    for k in range(3):
        cache.put(logic.Preview(("m", "a2b", str(k), "auto"), img, img, (100, 100), 1.0, full=True))
    assert cache.get(full.key) is None and cache.get(("m", "a2b", "2", "auto")) is not None  # 2 of 10k pixels fit
    big = logic.Preview(("m", "a2b", "big", "auto"), np.zeros((300, 300, 3), np.uint8), img, (300, 300), 1.0)
    cache.put(big)
    assert cache.get(big.key) is big  # the newest is kept whatever its size


def test_preview_render_never_imports_qt():
    code = "import sys, ui.preview_render; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
