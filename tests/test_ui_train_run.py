"""The Train tab running real `assetgan train dcgan` child processes on the CC0 samples (tiny nets, seconds each):
progress and samples, the model in the Library, Stop with a checkpoint, Resume, a refused run; and the training
loop's clean stop on SIGTERM. Needs torch."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("torch")

from ui import dialogs  # noqa: E402
from ui.controller import AppController  # noqa: E402
from ui.train_tab import TrainTab  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"
TINY = ("--set", "nz=8", "--set", "ngf=8", "--set", "ndf=8", "--batch", "4", "--threads", "1", "--set", "log_every=1",
        "--set", "sample_every=2", "--set", "seed=3")
WAIT = 180_000  # ms: a busy 2-core machine imports torch slowly


@pytest.fixture()
def tab(qtbot, tmp_path, monkeypatch) -> TrainTab:
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setattr(dialogs, "alert", lambda *a: pytest.fail(f"a dialog was raised: {a}"))
    t = TrainTab(AppController(), has_torch=True)
    qtbot.addWidget(t)
    t.show()
    return t


def use(qtbot, t: TrainTab, path: Path, tile: str = "") -> None:
    t.tile.setText(tile)
    t.set_data(path)
    qtbot.waitUntil(lambda: t.check is not None, timeout=20000)


def steps_logged(run: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (run / "log.jsonl").read_text().splitlines()]


def test_a_tiny_run_shows_progress_and_joins_the_library(qtbot, tab):
    use(qtbot, tab, SAMPLES / "sprites")
    tab.size.setCurrentIndex(0)  # 16 px
    tab.extra_args = ("--steps", "6", *TINY)
    tab.train_button.click()
    assert tab.running and tab.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    run = Path(tab.out.text())
    assert tab.outcome == "done", tab.message.text()
    assert "Model 'sprites' is in the Library" in tab.message.text()
    assert tab.watcher is not None and tab.watcher.progress.step == 6 and steps_logged(run)[-1] == 6
    assert "finished: 6 steps" in tab.progress_text.text()
    assert tab.device.text().startswith(("cpu", "cuda")) and "(this run)" in tab.device.text()
    assert tab.samples.has_image() and tab.samples.caption.text().startswith("samples at step 6:")
    model = next(m for m in tab.ctl.library if m.name == "sprites")
    assert model.usable and model.card.size == 16 and model.card.classes == ["item", "mon"]


def test_stop_checkpoints_and_resume_continues_a_sheet_run(qtbot, tab):
    use(qtbot, tab, SAMPLES / "sheet_4x2_32.png", "32x32")
    tab.extra_args = TINY  # the 10-minute budget: runs until stopped
    tab.start()
    qtbot.waitUntil(lambda: tab.watcher is not None and tab.watcher.poll().step >= 3, timeout=WAIT)
    tab.stop_button.click()
    assert not tab.stop_button.isEnabled() and "stopping" in tab.message.text()
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    run = Path(tab.out.text())
    assert tab.outcome == "stopped", tab.message.text()
    assert (run / "checkpoint.pt").is_file() and not (run / "model.onnx").exists()
    stopped = tab.watcher.progress.step
    assert f"Stopped at step {stopped}" in tab.message.text() and "Resume" in tab.message.text()
    assert tab.progress_text.text() == f"stopped at step {stopped}"
    tab.train_button.click()  # the same folder again: refused, Resume is the way
    assert "already holds a run" in tab.message.text() and not tab.running
    tab.extra_args = ("--steps", str(stopped + 3), *TINY)
    tab.resume_button.click()
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    assert tab.outcome == "done", tab.message.text()
    assert steps_logged(run)[-1] == stopped + 3 and (run / "model.onnx").is_file()
    assert any(m.name == "sheet_4x2_32" for m in tab.ctl.library)


def test_a_refused_run_shows_the_trainers_error_line(qtbot, tab):
    use(qtbot, tab, SAMPLES / "sprites")
    tab.extra_args = ("--steps", "2", *TINY, "--set", "ndf=0")
    tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    assert tab.outcome == "failed"
    assert tab.message.text() == "Training failed: ndf = 0: must be at least 1"
    assert tab.train_button.isEnabled()


class _TermAt:
    """A Progress that sends this process SIGTERM once step `at` is done, as another program ending the run would."""

    def __init__(self, at: int) -> None:
        self.at = at

    def update(self, done: int, total: int | None, metrics=None) -> None:
        if done == self.at:
            os.kill(os.getpid(), signal.SIGTERM)

    def aborted(self) -> bool:
        return False


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="POSIX signals")
def test_sigterm_stops_the_training_loop_with_a_checkpoint(tmp_path):
    from assetgan.train.checkpoint import load_checkpoint
    from assetgan.train.dcgan_loop import DCGANTrainer

    from .conftest import load_samples, tiny_config

    before = signal.getsignal(signal.SIGTERM)
    cfg = tiny_config(steps=50, checkpoint_every=100)
    tr = DCGANTrainer(cfg, load_samples(cfg).images, tmp_path / "run", {"source": "sprites"})
    result = tr.run(_TermAt(3))
    assert (result.status, result.step) == ("interrupted", 3)
    assert load_checkpoint(result.checkpoint)["step"] == 3
    assert signal.getsignal(signal.SIGTERM) is before  # the loop's handler is gone once it returns
