"""What you curate is what you export: thumbnails finished like export's files, and the export dialog's preview."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PIL import Image  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from assetgan.export.collection import OutputSettings  # noqa: E402
from assetgan.export.render import export  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.controller import AppController  # noqa: E402
from ui.curate_tab import CurateTab  # noqa: E402
from ui.export_plan import CPU, default_include, default_out_dir, file_preview  # noqa: E402
from ui.generate_tab import GenerateTab  # noqa: E402
from ui.library import LibraryModel, read_model_card  # noqa: E402
from ui.settings import cache_dir, config_dir, sessions_dir  # noqa: E402
from ui.thumbs import finisher_for, thumbnail  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny-sprites.onnx"


@pytest.fixture()
def alerts(tmp_path, monkeypatch):
    """Isolated app folders and home; alerts collected instead of shown."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    got: list[str] = []
    monkeypatch.setattr(dialogs, "alert", lambda _p, title, text: got.append(f"{title}: {text}"))
    return got


@pytest.fixture()
def app(qtbot, alerts):
    """A controller on a new session of the committed tiny model, with the Generate and Curate views."""
    ctl = AppController()
    gen, cur = GenerateTab(ctl), CurateTab(ctl)
    for w in (gen, cur):
        qtbot.addWidget(w)
    assert ctl.new_session(LibraryModel("tiny-sprites", FIXTURE, "user", read_model_card(FIXTURE)))
    ctl.generate(6, 10, 1.0)
    qtbot.waitUntil(lambda: not ctl.runner.active, timeout=20000)
    ctl.session.add_latent(np.linspace(-1, 1, ctl.model.nz), "blend")
    ctl.render_missing()  # what a reopened session does for items without an image
    qtbot.waitUntil(lambda: not ctl.runner.active and "blend" in ctl.store.images, timeout=20000)
    yield ctl, gen, cur
    ctl.writer.flush()


def qimage_array(img: QImage) -> np.ndarray:
    """uint8 [H, W, 4] RGBA (straight alpha) of any QImage."""
    img = img.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = img.height(), img.width()
    rows = np.frombuffer(img.constBits(), np.uint8, h * img.bytesPerLine()).reshape(h, -1)
    return rows[:, :4 * w].reshape(h, w, 4).copy()  # copied: the QImage's memory goes with it


def icon_array(icon) -> np.ndarray:
    """uint8 [H, W, 3] of an icon at the size it was made."""
    return qimage_array(icon.pixmap(icon.availableSizes()[0]).toImage())[..., :3]


@pytest.mark.parametrize("output", [OutputSettings(), OutputSettings(palette="auto", alpha_threshold=128),
                                    OutputSettings(scale=2, palette="auto", alpha_threshold=100),
                                    OutputSettings(scale=2, colours=3, alpha_threshold=128)],
                         ids=["plain", "scale1-palette-threshold", "scale2-palette-threshold", "scale2-colours"])
def test_thumbnails_are_the_exported_pixels(app, tmp_path, output):
    ctl, gen, _cur = app
    s = ctl.session
    s.set_output(dataclasses.replace(output, include="all"))
    written = export(s.collection, tmp_path / "out", s.path.resolve().parent, providers=CPU)
    pngs = {p.stem: p for p in written if p.suffix == ".png"}
    assert set(pngs) == s.names() and len(pngs) == 7
    for name, path in pngs.items():
        shown = qimage_array(ctl.store.image(name))
        exported = np.asarray(Image.open(path).convert("RGBA"))
        assert shown.shape == (32 * output.scale, 32 * output.scale, 4)
        assert np.array_equal(shown, exported), name
        assert np.array_equal(icon_array(ctl.store.icon(name)), thumbnail(exported, ctl.store.target)), name
    if output != OutputSettings():  # the finishing did something: the thumbnails are not the raw model output
        raw = ctl.store.images[s.items[0].name]
        assert not np.array_equal(ctl.store.finished(s.items[0].name)[::output.scale, ::output.scale], raw)
    if output.palette:
        colours = {tuple(c) for c in ctl.store.finished(s.items[0].name)[..., :3].reshape(-1, 3)}
        assert colours <= {tuple(int(v[i:i + 2], 16) for i in (1, 3, 5)) for v in ctl.model.card.palette} | {(0, 0, 0)}


def test_the_grids_follow_changed_output_settings(app, qtbot):
    ctl, gen, cur = app
    s = ctl.session
    cur.show()
    qtbot.waitUntil(lambda: cur.grid.count() == 7)
    first = s.items[0].name
    before = icon_array(gen.grid.item(0).icon())
    assert np.array_equal(before, thumbnail(ctl.store.images[first], ctl.store.target))
    s.set_output(OutputSettings(scale=2, palette="auto", alpha_threshold=128))
    expected = thumbnail(ctl.store.finished(first), ctl.store.target)
    assert not np.array_equal(before, expected)
    assert np.array_equal(icon_array(gen.grid.item(0).icon()), expected)
    assert np.array_equal(icon_array(cur.grid.item(0).icon()), expected)
    s.toggle([first], "favourite")  # a curation change keeps the finished icons
    assert np.array_equal(icon_array(gen.grid.item(0).icon()), expected)


def test_a_palette_export_cannot_use_leaves_thumbnails_readable(app, tmp_path):
    ctl, _gen, _cur = app
    f, problem = finisher_for(OutputSettings(scale=2, palette=str(tmp_path / "gone.gpl"), alpha_threshold=9,
                                             colours=5), ctl.model, tmp_path)
    assert "thumbnails without the palette" in problem and "gone.gpl" in problem
    assert f.palette is None and (f.scale, f.alpha_threshold, f.colours) == (2, 9, 5)


def export_dialog(qtbot, ctl):
    from ui.export_dialog import ExportDialog

    dlg = ExportDialog(ctl)
    qtbot.addWidget(dlg)
    return dlg


def test_dialog_previews_the_files_and_defaults_to_the_favourites(app, qtbot, alerts):
    ctl, _gen, _cur = app
    s = ctl.session
    dlg = export_dialog(qtbot, ctl)
    assert dlg.include.currentText() == "kept (7 items)"  # no favourites yet
    assert dlg.summary.text() == "7 PNGs + assetgan-export.json (8 files)"
    names = dlg.names.toolTip()  # the label shows the same with unbreakable hyphens
    assert names == ", ".join(f"{it.name}.png" for it in s.items[:4]) + ", … 4 more"
    assert dlg.names.text().replace("\u2060", "").replace("\u00a0", " ") == names
    s.toggle([s.items[1].name, s.items[3].name], "favourite")
    s.toggle([s.items[2].name], "rejected")
    dlg = export_dialog(qtbot, ctl)
    assert dlg.include.currentText() == "favourites (2 items)"
    assert [dlg.include.itemText(i) for i in range(3)] == ["kept (6 items)", "favourites (2 items)", "all (7 items)"]
    dlg.sheet.setChecked(True)
    dlg.sheet_name.setText("atlas")
    assert dlg.summary.text() == "2 PNGs + atlas.png + atlas.json + assetgan-export.json (5 files)"
    assert dlg.names.toolTip() == f"{s.items[1].name}.png, {s.items[3].name}.png, atlas.png, atlas.json, … 1 more"
    dlg.out.setText(str(Path.home() / "fresh" / "deep" / "out"))  # folders made by the export
    dlg.start()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=20000)
    assert not alerts
    assert [p.name for p in dlg.written] == [f"{s.items[1].name}.png", f"{s.items[3].name}.png", "atlas.png",
                                             "atlas.json", "assetgan-export.json"]
    assert s.collection.output.include == "favourites"


def test_dialog_with_nothing_to_export_says_so(app, qtbot):
    ctl, _gen, _cur = app
    dlg = export_dialog(qtbot, ctl)
    dlg.include.setCurrentIndex(1)  # favourites: none yet
    assert dlg.summary.text() == "" and "nothing to export" in dlg.names.toolTip()
    assert not dlg.export_button.isEnabled()
    dlg.include.setCurrentIndex(0)
    assert dlg.export_button.isEnabled() and dlg.summary.text().startswith("7 PNGs")


def test_dialog_apply_refreshes_thumbnails_without_exporting(app, qtbot):
    ctl, gen, _cur = app
    first = ctl.session.items[0].name
    dlg = export_dialog(qtbot, ctl)
    dlg.scale.setValue(2)
    dlg.palette.setCurrentIndex(1)
    assert dlg.apply() and dlg.written == []
    assert ctl.store.finished(first).shape[:2] == (64, 64)
    assert np.array_equal(icon_array(gen.grid.item(0).icon()), thumbnail(ctl.store.finished(first), 96))


def test_default_folder_is_visible_and_outside_the_app_folders(app, qtbot, tmp_path):
    ctl, _gen, _cur = app
    dlg = export_dialog(qtbot, ctl)
    out = Path(dlg.out.text())
    assert out.is_relative_to(Path.home()) and out.name == ctl.session.path.stem and not out.exists()
    for private in (sessions_dir().parent, config_dir(), cache_dir()):
        assert not out.is_relative_to(private)
    home = tmp_path / "h"
    assert default_out_dir(Path("/x/s-1.json"), home / "Pictures", home) == home / "assetgan-export" / "s-1"
    (home / "Pictures").mkdir(parents=True)
    assert default_out_dir(Path("/x/s-1.json"), home / "Pictures", home) == home / "Pictures" / "assetgan" / "s-1"
    assert default_out_dir(Path("/x/s-1.json"), home, home) == home / "assetgan-export" / "s-1"


def test_include_default_keeps_a_chosen_include(app):
    ctl, _gen, _cur = app
    s = ctl.session
    assert default_include(s.collection) == "kept"
    s.toggle([s.items[0].name], "favourite")
    assert default_include(s.collection) == "favourites"
    s.set_output(OutputSettings(include="all"))
    assert default_include(s.collection) == "all"
    assert file_preview(s.collection, OutputSettings(files=False))[0] == "assetgan-export.json (1 file)"
    godot = OutputSettings(sheet=True, sheet_godot=True)
    assert file_preview(s.collection, godot)[0] == \
        "7 PNGs + sheet.png + sheet.json + sheet.tres + assetgan-export.json (11 files)"


def test_dialog_sets_the_engine_files_and_the_colour_limit(app, qtbot, alerts):
    """The export options of the command line (animations, Godot SpriteFrames, indexed PNGs, colour limit) are in the
    dialog, previewed, saved into the session and written."""
    ctl, _gen, _cur = app
    dlg = export_dialog(qtbot, ctl)
    dlg.sheet.setChecked(True)
    dlg.sheet_name.setText("atlas")
    dlg.animations.setChecked(True)
    dlg.godot.setChecked(True)
    dlg.colours.setValue(6)
    assert dlg.summary.text() == "7 PNGs + atlas.png + atlas.json + atlas.tres + assetgan-export.json (11 files)"
    o = dlg.output_settings()
    assert (o.sheet_animations, o.sheet_godot, o.indexed, o.colours) == (True, True, False, 6)
    dlg.out.setText(str(Path.home() / "engine"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=20000)
    assert not alerts
    assert "atlas.tres" in [p.name for p in dlg.written]
    assert ctl.session.collection.output.colours == 6
    dlg = export_dialog(qtbot, ctl)  # reopened: the saved settings
    assert dlg.colours.value() == 6 and dlg.godot.isChecked() and dlg.animations.isChecked()
    dlg.colours.setValue(1)
    assert dlg.colours.text() == "no limit" and dlg.output_settings().colours is None
