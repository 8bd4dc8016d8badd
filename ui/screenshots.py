"""Screenshots of each tab of the real app for the README: `python -m ui.screenshots [OUT_DIR [STYLE.onnx]]`.

Without a display it re-runs itself under `xvfb-run`; the app runs on throwaway settings, session and cache
folders, generates from the shipped model and writes assets/docs/app-{library,generate,curate,explore,export}.png,
and app-stylize.png (the CC0 dungeon screenshot before/after) with the shipped monet model, or STYLE.onnx when given,
and app-train.png (a short run on the CC0 sample sprites; needs torch).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1180, 880)


def _wait(pred: Callable[[], bool], timeout: float = 60.0) -> None:
    from PySide6.QtTest import QTest

    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise SystemExit("screenshots: timed out waiting for the app")
        QTest.qWait(20)


def _shoot(widget, path: Path) -> None:
    from PySide6.QtTest import QTest

    QTest.qWait(150)  # let layouts and icons settle
    if not widget.grab().save(str(path)):
        raise SystemExit(f"{path}: could not write the screenshot")
    print(path)


def take(out: Path, style: Path | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    from .export_dialog import ExportDialog
    from .main_window import MainWindow
    from .settings import AppSettings
    from .startup import restore

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("assetgan")
    w = MainWindow()
    w.resize(*SIZE)
    w.show()
    w.adopt(restore(AppSettings.load()))
    ctl = w.ctl
    idle = lambda: not ctl.runner.active  # noqa: E731
    ctl.save_as(Path(os.environ["XDG_DATA_HOME"]).parent / "potions.json")
    out.mkdir(parents=True, exist_ok=True)
    _shoot(w, out / "app-library.png")

    w.tabs.setCurrentWidget(w.generate_tab)
    w.generate_tab.count.setValue(40)
    w.generate_tab.generate_button.click()
    _wait(idle)
    s = ctl.session
    names = [it.name for it in s.items]
    s.toggle([names[i] for i in (1, 4, 9, 13, 22)], "favourite")
    s.toggle([names[i] for i in (6, 17)], "rejected")
    s.add_tag([names[i] for i in (1, 4, 9)], "shortlist")
    w.generate_tab.grid.select_names([names[9]])
    _shoot(w, out / "app-generate.png")

    w.tabs.setCurrentWidget(w.curate_tab)
    w.curate_tab.set_filter("kept")
    w.curate_tab.grid.select_names([names[4]])
    _shoot(w, out / "app-curate.png")

    ctl.explore_requested.emit(names[9])
    e = w.explore_tab
    e.compute_directions()
    _wait(idle, 180)
    e.sliders[0].setValue(120)
    e.sliders[2].setValue(-80)
    _wait(lambda: e.preview_img is not None and idle())
    e.frames.setValue(11)
    e.along_pc(0)
    _wait(idle)
    _shoot(w, out / "app-explore.png")

    dlg = ExportDialog(ctl, w)
    dlg.sheet.setChecked(True)
    dlg.scale.setValue(2)
    dlg.out.setText(str(Path(os.environ["XDG_DATA_HOME"]).parent / "build" / "sprites"))
    dlg.show()
    dlg.start()
    _wait(lambda: dlg.job is None)
    _shoot(dlg, out / "app-export.png")
    dlg.close()
    _stylize(w, out, style)
    _train(w, out)
    w.close()


def _stylize(w, out: Path, style: Path | None) -> None:
    """The Stylize tab on the dungeon screenshot, divider in the middle, a little under full strength."""
    t = w.stylize_tab
    if style is not None and not w.add_model(style):
        raise SystemExit(f"{style}: could not add the style model")
    if not t.models:
        print("app-stylize.png skipped: no cyclegan model installed (ship trained/monet.onnx or pass one)")
        return
    if style is not None:
        t.select_model(style.stem)
    w.tabs.setCurrentWidget(t)
    _wait(lambda: t.model is not None and not w.ctl.runner.active)
    t.add_inputs([ROOT / "assets" / "samples" / "dungeon_1080p.png", ROOT / "assets" / "samples" / "sheet_4x2_32.png"])
    t.list.setCurrentRow(0)
    t.into.setChecked(True)
    t.out.setText(str(Path(os.environ["XDG_DATA_HOME"]).parent / "stylized"))
    _wait(lambda: t.preview is not None and not w.ctl.runner.active, 120)
    t.strength.setValue(85)
    t.view.set_split(0.5)
    _shoot(w, out / "app-stylize.png")


def _train(w, out: Path) -> None:
    """The Train tab after a short run on the sample sprites: the data check, its progress and the sample grid."""
    t = w.train_tab
    if not t.has_torch:
        print("app-train.png skipped: training needs torch (pip install 'assetgan[train]')")
        return
    w.tabs.setCurrentWidget(t)
    t.set_data(ROOT / "assets" / "samples" / "sprites")
    _wait(lambda: t.check is not None)
    t.extra_args = ("--steps", "300", "--set", "ngf=16", "--set", "ndf=16", "--batch", "16", "--set", "log_every=20",
                    "--set", "sample_every=100")
    t.start()
    _wait(lambda: not t.running, 600)
    _wait(lambda: t.probe is None)
    _shoot(w, out / "app-train.png")


def main() -> int:
    usage = "usage: python -m ui.screenshots [OUT_DIR [STYLE.onnx]]"
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__.strip())
        return 0
    if len(sys.argv) > 3 or any(a.startswith("-") for a in sys.argv[1:]):
        print(f"error: {' '.join(sys.argv[1:])[:80]}: unknown options or too many arguments; {usage}", file=sys.stderr)
        return 2
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "assets" / "docs"
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            raise SystemExit("screenshots: no display and no xvfb-run; apt-get install xvfb (see README)")
        return subprocess.call([xvfb, "-a", "-s", "-screen 0 1400x1000x24", sys.executable, "-m", "ui.screenshots",
                                str(out.resolve()), *(str(Path(a).resolve()) for a in sys.argv[2:3])])
    tmp = Path(tempfile.mkdtemp(prefix="assetgan-shots-")) / "demo"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        os.environ[var] = str(tmp / var.lower().replace("xdg_", "").replace("_home", ""))
    take(out, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
