"""Launching the desktop app and using every tab (Stylize included) never imports torch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
import ui.app, ui.export_dialog  # noqa: F401
from ui.main_window import MainWindow
from ui.settings import AppSettings
from ui.startup import restore
w = MainWindow(); w.show()
w.adopt(restore(AppSettings.load()))
w.ctl.generate(4, 0, 1.0)
while w.ctl.runner.active:
    app.processEvents()
w.explore_tab.set_source(w.ctl.session.items[0].name)
w.explore_tab.walk()
w.explore_tab.compute_directions()
while w.ctl.runner.active:
    app.processEvents()
assert len(w.explore_tab.strip_images) > 1 and w.explore_tab.directions is not None
import os
from pathlib import Path
t = w.stylize_tab
t.select_model("tiny-style")
w.tabs.setCurrentWidget(t)
while t.model is None or w.ctl.runner.active:
    app.processEvents()
t.add_inputs([Path("assets/samples/sheet_4x2_32.png")])
t.into.setChecked(True)
t.out.setText(os.environ["STYLIZE_OUT"])
while t.preview is None or w.ctl.runner.active:
    app.processEvents()
t.strength.setValue(50)
t.stylize_all()
while w.ctl.runner.active:
    app.processEvents()
assert (Path(os.environ["STYLIZE_OUT"]) / "sheet_4x2_32.sprite.png").is_file()
bad = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
print("TORCH" if bad else "CLEAN")
"""


def test_app_never_imports_torch(tmp_path, tiny_style_model):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STYLIZE_OUT=str(tmp_path / "stylized"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        env[var] = str(tmp_path / var.lower())
    (tmp_path / "assetgan_models").mkdir()
    shutil.copy(tiny_style_model, tmp_path / "assetgan_models" / "tiny-style.onnx")
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("CLEAN"), out.stdout
