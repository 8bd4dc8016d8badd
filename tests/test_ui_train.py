"""The Train tab without torch: the data check, the budget, the command line, progress read from a run folder, the
library hand-off, a crashing trainer and the no-torch line; the app process never imports torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from assetgan.core.errors import AssetganError  # noqa: E402
from ui import train_process  # noqa: E402
from ui.controller import AppController  # noqa: E402
from ui.train_data import check_data  # noqa: E402
from ui.train_job import RunWatcher, TrainSpec, new_run_folder, parse_budget, publish_model, resume_args  # noqa: E402
from ui.train_process import last_error  # noqa: E402
from ui.train_tab import TrainTab  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"
SHEET = SAMPLES / "sheet_4x2_32.png"



def make_tab(qtbot, has_torch: bool = True) -> TrainTab:
    t = TrainTab(AppController(), has_torch=has_torch)
    qtbot.addWidget(t)
    t.show()
    return t


def use_data(qtbot, t: TrainTab, path: Path, tile: str | None = None) -> None:
    if tile is not None:
        t.tile.setText(tile)
    t.set_data(path)
    qtbot.waitUntil(lambda: t.check is not None, timeout=20000)


# ---- the data check (pure)
def test_folder_check_counts_sizes_classes_and_suggests_settings():
    c = check_data(SAMPLES / "sprites")
    assert (c.total, c.usable, c.problem) == (48, 48, "")
    assert c.sizes.startswith("32x32 (45)") and c.classes == "2: item (22), mon (26)"
    assert (c.size, c.channels) == (32, 4)
    assert check_data(SAMPLES / "textures").channels == 3
    assert check_data(SAMPLES / "sprites", labels="none").classes.startswith("none")


def test_folder_check_lists_bad_files_and_refuses_a_folder_without_usable_images(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    Image.new("RGBA", (3, 3), (255, 0, 0, 255)).save(tmp_path / "tiny.png")
    c = check_data(tmp_path)
    assert c.usable == 0 and "no usable images" in c.problem
    assert any(b.startswith("broken.png:") for b in c.bad) and any("tiny.png: too small" in b for b in c.bad)
    assert "bad files (2, skipped):" in c.lines()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_data(empty).problem


def test_sheet_check_cuts_tiles_and_names_a_wrong_grid():
    good = check_data(SHEET, "32x32")
    assert good.sheet and good.usable == 6 and good.problem == ""
    assert "cut into 2 x 4 tiles of 32x32" in good.sizes
    assert "not an exact grid of 48x48 tiles" in check_data(SHEET, "48x48").problem
    assert "tile size" in check_data(SHEET, "abc").problem
    assert "enter its tile size" in check_data(SHEET, "").problem


# ---- budget, command line, run folder (pure)
@pytest.mark.parametrize("text", ["0", "-3", "abc", "", "nan", "inf"])
def test_budget_must_be_minutes_above_zero(text):
    with pytest.raises(AssetganError, match="number above 0"):
        parse_budget(text)


def test_budget_accepts_decimals():
    assert parse_budget(" 2.5 ") == 2.5 and parse_budget("1,5") == 1.5


def test_spec_is_the_train_dcgan_command(tmp_path):
    spec = TrainSpec(SHEET, tmp_path / "run", 16, 3, True, "none", 2.5, "32x32", ("--steps", "4"))
    assert spec.args() == ["train", "dcgan", str(SHEET), "--out", str(tmp_path / "run"), "--size", "16",
                           "--channels", "3", "--tileable", "--labels", "none", "--minutes", "2.5", "--set",
                           "tile=32x32", "--steps", "4"]
    assert resume_args(tmp_path / "run", 3) == ["train", "dcgan", "--resume", str(tmp_path / "run"), "--minutes", "3"]


def test_new_run_folder_skips_used_names(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSETGAN_MODELS", str(tmp_path / "models"))
    (tmp_path / "runs" / "my sprites").mkdir(parents=True)
    (tmp_path / "runs" / "my-sprites").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "my-sprites-2.onnx").write_bytes(b"x")
    assert new_run_folder("my sprites", tmp_path / "runs") == tmp_path / "runs" / "my-sprites-3"


# ---- progress from the run folder (pure)
def test_watcher_reads_new_log_rows_and_estimates_time_left(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"config": {"steps": None, "minutes": 1.0},
                                                      "device": "cpu, fp32"}))
    w = RunWatcher(tmp_path)
    assert w.poll().step == 0 and w.progress.device == "cpu, fp32"
    row = {"step": 10, "loss_d": 1.0, "images_per_s": 320.0, "s_per_step": 0.2, "train_seconds": 15.0}
    with open(tmp_path / "log.jsonl", "w") as fh:
        fh.write(json.dumps(row) + "\n" + '{"step": 20, "loss')  # the second row is still being written
    p = w.poll()
    assert (p.step, p.total, p.images_per_s, p.seconds_left) == (10, 40, 320.0, 45.0)
    assert p.line() == "step 10 of ~40 · 320 images/s · about 45 s left"
    with open(tmp_path / "log.jsonl", "a") as fh:
        fh.write('_d": 0.5, "images_per_s": 300, "s_per_step": 0.2, "train_seconds": 30.0}\n')
    assert w.poll().step == 20 and w.progress.seconds_left == 30.0
    (tmp_path / "samples").mkdir()
    for name in ("step_000010.png", "latest.png"):
        Image.new("RGB", (8, 8)).save(tmp_path / "samples" / name)
    p = w.poll()
    assert p.sample == tmp_path / "samples" / "latest.png" and p.sample_step == 10  # drawn at step 10, shown at 20


def test_last_error_line():
    assert last_error("training on 4 images\nerror: ndf = 0: must be at least 1\n", 2) == "ndf = 0: must be at least 1"
    assert last_error("Traceback (most recent call last):\n  File x\nRuntimeError: boom\n", 1) == "RuntimeError: boom"
    assert last_error("", -9) == "training was ended by signal 9"
    assert last_error("", 3) == "training stopped with exit code 3"


def test_finished_model_joins_the_library_under_the_run_name(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv("ASSETGAN_MODELS", str(tmp_path / "models"))
    run = tmp_path / "runs" / "potions"
    run.mkdir(parents=True)
    shutil.copyfile(tiny_model, run / "model.onnx")
    m = publish_model(run)
    assert m.name == "potions" and (tmp_path / "models" / "potions.onnx").is_file() and m.usable
    assert publish_model(run).name == "potions"  # the same model again: no second copy
    other = tmp_path / "runs2" / "potions"
    other.mkdir(parents=True)
    shutil.copyfile(FIXTURES_COND, other / "model.onnx")
    assert publish_model(other).name == "potions-2"
    with pytest.raises(AssetganError, match="without a model.onnx"):
        publish_model(tmp_path)


FIXTURES_COND = ROOT / "tests" / "fixtures" / "tiny-cond.onnx"


# ---- the tab
def test_without_torch_the_tab_says_how_to_get_it(qtbot, alerts):
    t = make_tab(qtbot, has_torch=False)
    assert t.torch_note.isVisible() and 'pip install "assetgan[train]"' in t.torch_note.text()
    assert not t.train_button.isEnabled() and not t.resume_button.isEnabled()
    assert "PyTorch is not installed" in t.device.text()
    use_data(qtbot, t, SAMPLES / "sprites")  # the data check still works
    assert "48 usable images" in t.report.text()
    t.start()
    assert "assetgan[train]" in t.message.text() and t.process is None and alerts == []


def test_torch_detection_survives_a_blocked_import(monkeypatch):
    import importlib.util

    from ui import train_job

    def blocked(name, *a):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(importlib.util, "find_spec", blocked)
    assert train_job.torch_available() is False


def test_data_check_fills_the_settings(qtbot, alerts):
    t = make_tab(qtbot)
    use_data(qtbot, t, SAMPLES / "textures")
    assert "24 usable images" in t.report.text() and "floor (12)" in t.report.text()
    assert t.channels.currentData() == 3 and t.tileable.isChecked() and t.size.currentData() == 32
    assert Path(t.out.text()).name == "textures" and not t.tile.isEnabled()
    t.set_labels("none")
    qtbot.waitUntil(lambda: t.check is not None and t.check.classes.startswith("none"), timeout=20000)
    assert t.channels.currentData() == 3  # a re-check keeps what was chosen


@pytest.mark.parametrize("budget", ["0", "-1", "ten"])
def test_a_bad_budget_is_a_line_in_the_tab(qtbot, alerts, budget):
    t = make_tab(qtbot)
    use_data(qtbot, t, SAMPLES / "sprites")
    t.budget.setText(budget)
    t.train_button.click()
    assert "number above 0" in t.message.text() and t.process is None and alerts == []
    t.resume_button.click()  # nothing to resume there either: still a line, no dialog
    assert "no run to resume" in t.message.text() and alerts == []


def test_bad_data_is_a_line_in_the_tab(qtbot, alerts, tmp_path):
    t = make_tab(qtbot)
    t.start()
    assert "Choose the training data first" in t.message.text()
    use_data(qtbot, t, SHEET, tile="48x48")
    assert t.tile.isEnabled() and "not an exact grid" in t.report.text()
    t.start()
    assert "not an exact grid of 48x48" in t.message.text() and t.process is None
    t.tile.setText("32x32")
    t.recheck()
    qtbot.waitUntil(lambda: t.check is not None, timeout=20000)
    assert "6 usable tiles" in t.report.text() and Path(t.out.text()).name == "sheet_4x2_32"
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.png").write_text("not an image")
    use_data(qtbot, t, tmp_path / "junk")
    t.start()
    assert "no usable images" in t.message.text() and t.process is None and alerts == []


def test_dropping_a_folder_checks_it(qtbot, alerts):
    t = make_tab(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLES / "sprites"))])
    t.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                           Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: t.check is not None, timeout=20000)
    assert t.data == SAMPLES / "sprites" and "item (22)" in t.report.text()


def test_a_crashing_trainer_shows_its_last_error_line(qtbot, alerts, monkeypatch):
    crash = "import sys; print('loading'); sys.stderr.write('Traceback (most recent call last):\\nRuntimeError: " \
            "CUDA out of memory\\n'); sys.exit(1)"
    monkeypatch.setattr(train_process, "assetgan_command", lambda args: [sys.executable, "-c", crash])
    t = make_tab(qtbot)
    use_data(qtbot, t, SAMPLES / "sprites")
    t.start()
    assert t.running and not t.train_button.isEnabled() and t.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not t.running, timeout=20000)
    assert t.outcome == "failed" and t.message.text() == "Training failed: RuntimeError: CUDA out of memory"
    assert t.train_button.isEnabled() and alerts == []


SCRIPT = r"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.controller import AppController
from ui.train_tab import TrainTab
t = TrainTab(AppController(), has_torch=True)
t.set_data(Path("assets/samples/sprites"))
while t.check is None:
    app.processEvents()
t.budget.setText("0")
t.start()
assert "number above 0" in t.message.text(), t.message.text()
bad = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.") or m.startswith("assetgan.train"))
print("TORCH" if bad else "CLEAN", bad[:3])
"""


def test_the_tab_never_imports_torch(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        env[var] = str(tmp_path / var.lower())
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=env)
    assert out.returncode == 0, out.stderr
    assert "CLEAN" in out.stdout, out.stdout


def test_the_window_has_a_train_tab(qtbot, alerts):
    from ui.main_window import MainWindow, current_tab_name

    w = MainWindow()
    qtbot.addWidget(w)
    w.tabs.setCurrentWidget(w.train_tab)
    assert current_tab_name(w) == "train" and w.tabs.tabText(w.tabs.currentIndex()) == "Train"
