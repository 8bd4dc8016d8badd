"""What the Train tab asks of `assetgan train dcgan`: the command line, the budget, the run's progress read from its
log.jsonl and config.json, and the finished model added to the library. No Qt; torch only in the child process."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from assetgan.core.errors import AssetganError
from assetgan.runtime.registry import shipped_dir, user_dir

from .library import LibraryModel, add_model

TORCH_HINT = 'Training needs PyTorch, which is not installed here: pip install "assetgan[train]", then restart the app.'
MODEL_NAME = "model.onnx"  # what a finished run exports into its folder
CHECKPOINT_NAME = "checkpoint.pt"
SAMPLE_NAME = Path("samples") / "latest.png"


def torch_available() -> bool:
    """Can a child process import torch? Asked without importing it here (a blocked import counts as missing)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def runs_dir() -> Path:
    """$XDG_DATA_HOME/assetgan/runs: where the app's training runs go."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "assetgan" / "runs"


def new_run_folder(name: str, parent: Path | None = None) -> Path:
    """A folder under `parent` (default runs_dir()) named after the data, unused by a run or a library model."""
    parent = parent or runs_dir()
    base = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "run"
    k, folder = 1, parent / base
    while folder.exists() or _model_taken(folder.name):
        k += 1
        folder = parent / f"{base}-{k}"
    return folder


def parse_budget(text: str) -> float:
    """Minutes of training from what was typed; AssetganError (one line) for text, 0, negative or not finite."""
    try:
        minutes = float(text.strip().replace(",", "."))
    except ValueError:
        minutes = float("nan")
    if not (math.isfinite(minutes) and minutes > 0):
        raise AssetganError(f"Budget {text.strip()!r}: enter the minutes of training as a number above 0, e.g. 10")
    return minutes


@dataclass(frozen=True)
class TrainSpec:
    """A new run as the tab's settings give it; `args` is the `assetgan` command line it runs."""

    data: Path
    out: Path
    size: int = 32
    channels: int = 4
    tileable: bool = False
    labels: str = "auto"  # auto, folders, none or a CSV file's path
    minutes: float = 10.0
    tile: str = ""  # a sprite sheet's tile size WxH ("" for a folder)
    extra: tuple[str, ...] = ()  # more `train dcgan` options (tests: --steps and small nets)

    def args(self) -> list[str]:
        out = ["train", "dcgan", str(self.data), "--out", str(self.out), "--size", str(self.size), "--channels",
               str(self.channels), "--tileable" if self.tileable else "--no-tileable", "--labels", self.labels,
               "--minutes", f"{self.minutes:g}"]
        if self.tile:
            out += ["--set", f"tile={self.tile.strip()}"]
        return out + list(self.extra)


def resume_args(run: Path, minutes: float, extra: tuple[str, ...] = ()) -> list[str]:
    """Continue `run` exactly; `minutes` is its whole budget, time already trained included."""
    return ["train", "dcgan", "--resume", str(run), "--minutes", f"{minutes:g}", *extra]


@dataclass
class RunProgress:
    """A run as its folder shows it: the last logged step, speed, time left, device and latest sample grid."""

    step: int = 0
    total: int | None = None  # planned steps (projected from the time budget)
    images_per_s: float = 0.0
    seconds_left: float | None = None
    device: str = ""  # "cpu, fp32", "cuda:0 (NVIDIA …), fp32": from config.json once the run started
    sample: Path | None = None
    sample_stamp: float = 0.0  # the sample file's mtime, to reload it only when it changed
    sample_step: int = 0  # the step the latest sample grid was drawn at
    losses: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        """"step 120 of ~900 · 340 images/s · about 2 min left"."""
        if not self.step:
            return "starting: loading the data and building the networks…"
        parts = [f"step {self.step}" + (f" of ~{self.total}" if self.total else "")]
        if self.images_per_s:
            parts.append(f"{self.images_per_s:.0f} images/s")
        if self.seconds_left is not None:
            parts.append(f"about {format_seconds(self.seconds_left)} left")
        return " · ".join(parts)


def format_seconds(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s} s" if s < 90 else f"{round(s / 60)} min" if s < 5400 else f"{s / 3600:.1f} h"


class RunWatcher:
    """Reads a run folder as the trainer writes it; `poll` only reads what is new in log.jsonl."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.progress = RunProgress()
        self._offset = 0
        self._budget: tuple[int | None, float | None] = (None, None)

    def poll(self) -> RunProgress:
        p = self.progress
        if not p.device:
            self._read_config()
        for row in self._new_rows():
            p.step = int(row.get("step", p.step))
            p.images_per_s = float(row.get("images_per_s", p.images_per_s))
            p.losses = {k: float(v) for k, v in row.items() if k.startswith("loss_")}
            self._estimate(float(row.get("train_seconds", 0.0)), float(row.get("s_per_step", 0.0)))
        sample = self.run_dir / SAMPLE_NAME
        try:
            stamp = sample.stat().st_mtime
        except OSError:
            return p
        if stamp != p.sample_stamp:
            steps = [int(f.stem[5:]) for f in sample.parent.glob("step_*.png") if f.stem[5:].isdigit()]
            p.sample, p.sample_stamp, p.sample_step = sample, stamp, max(steps, default=p.step)
        return p

    def _read_config(self) -> None:
        try:
            d = json.loads((self.run_dir / "config.json").read_text(encoding="utf-8"))
            cfg = d["config"]
            self._budget = (cfg.get("steps"), cfg.get("minutes"))
            self.progress.device = str(d.get("device", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return

    def _new_rows(self) -> list[dict]:
        log = self.run_dir / "log.jsonl"
        try:
            if log.stat().st_size < self._offset:  # a resumed run trimmed its log: read it again
                self._offset = 0
            with open(log, "rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next poll
        self._offset += end
        rows = []
        for line in data[:end].splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict):
                rows.append(row)
        return rows

    def _estimate(self, train_seconds: float, s_per_step: float) -> None:
        p, (steps, minutes) = self.progress, self._budget
        left: list[float] = []
        totals: list[int] = []
        if steps:
            totals.append(int(steps))
            if s_per_step:
                left.append((steps - p.step) * s_per_step)
        if minutes and train_seconds > 0:
            totals.append(max(p.step, int(p.step * minutes * 60 / train_seconds)))
            left.append(minutes * 60 - train_seconds)
        p.total = min(totals) if totals else None
        p.seconds_left = max(0.0, min(left)) if left else None


def publish_model(run_dir: Path) -> LibraryModel:
    """Add a finished run's model.onnx to the library under the run folder's name (or the first free
    `name-N`); AssetganError (one line) when it cannot."""
    model = Path(run_dir) / MODEL_NAME
    if not model.is_file():
        raise AssetganError(f"{run_dir}: the run finished without a {MODEL_NAME}; export it with "
                            f"assetgan to-onnx {run_dir}")
    name = _free_model_name(Path(run_dir).name, model)
    with tempfile.TemporaryDirectory(prefix="assetgan-publish-") as tmp:
        staged = Path(tmp) / f"{name}.onnx"  # the library names a model after its file
        shutil.copyfile(model, staged)
        return add_model(staged)


def _model_taken(name: str) -> bool:
    return (shipped_dir() / f"{name}.onnx").exists() or (user_dir() / f"{name}.onnx").exists()


def _free_model_name(base: str, model: Path) -> str:
    from assetgan.runtime.model import file_sha256

    k, name = 1, base
    while _model_taken(name):
        mine = user_dir() / f"{name}.onnx"
        if mine.is_file() and file_sha256(mine) == file_sha256(model):
            return name  # added already (a second Finish of the same run)
        k += 1
        name = f"{base}-{k}"
    return name
