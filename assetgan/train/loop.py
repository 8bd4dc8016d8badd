"""The training-loop skeleton both trainers share: budget, joint stop under torchrun, log rows, progress, abort,
samples, checkpoints and the run's config.json. A trainer supplies its step, its state and a few hooks."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..core.atomic import atomic_write_text
from ..core.errors import AssetganError
from ..core.progress import NullProgress, Progress
from .checkpoint import CHECKPOINT_NAME, save_checkpoint
from .device import Placement, machine
from .distributed import DistInfo, joint_stop
from .run_log import append_log, budget_spent, trim_log

POLL_EVERY_CUDA_DDP = 8  # steps between the ranks' joint budget/abort decision under torchrun on CUDA (a host sync)


@dataclass
class TrainResult:
    """What a training call did."""

    run_dir: Path
    step: int
    status: str  # "done" or "interrupted"
    checkpoint: Path
    images_per_s: float


class LoopTrainer:
    """What `run_loop` needs from a trainer; subclasses set these in __init__ and define train_step, state_dict and
    write_samples. The hooks do nothing unless overridden."""

    kind: str  # "dcgan" or "cyclegan": the checkpoint's and config.json's kind
    cfg: Any  # the run's config (steps, minutes, batch_size, log_every, sample_every, checkpoint_every, to_dict)
    dist: DistInfo
    place: Placement
    run_dir: Path
    data_meta: dict[str, Any]
    step: int
    train_seconds: float

    _poll_every: int | None = None

    @property
    def poll_every(self) -> int:
        """Steps between the ranks' joint time-budget/abort decisions: a host sync on CUDA under torchrun."""
        if self._poll_every is not None:
            return self._poll_every
        return POLL_EVERY_CUDA_DDP if self.dist.enabled and self.place.cuda else 1

    @poll_every.setter
    def poll_every(self, steps: int) -> None:
        self._poll_every = steps

    def train_step(self) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def write_samples(self) -> Path:
        raise NotImplementedError

    def before_loop(self) -> None:
        """Once, before config.json is written (DCGAN: plan the rates)."""

    def before_poll(self) -> None:
        """Before each joint budget/abort decision (CycleGAN: agree on one clock)."""

    def after_step(self) -> None:
        """After each step's log row and progress report (DCGAN: score a snapshot)."""

    def after_loop(self, status: str) -> None:
        """After the loop, before the last checkpoint (DCGAN: the last weights compete for the best snapshot)."""

    def budget_done(self) -> bool:
        return budget_spent(self.cfg.steps, self.cfg.minutes, self.step, self.train_seconds)

    def save(self) -> Path:
        """Collective under torchrun (gathers every rank's streams); only rank 0 writes."""
        path = self.run_dir / CHECKPOINT_NAME
        state = self.state_dict()
        if self.dist.main:
            save_checkpoint(path, state)
        return path

    def run(self, progress: Progress | None = None) -> TrainResult:
        """Train until the budget is spent or `progress.aborted()`; checkpoint on the way and at the end."""
        return run_loop(self, progress)


def write_run_config(t: LoopTrainer) -> None:
    """The run folder's config.json: kind, resolved config, data, processes, device and machine."""
    t.run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(t.run_dir / "config.json", json.dumps(
        {"kind": t.kind, "config": t.cfg.to_dict(), "data": t.data_meta, "world_size": t.dist.world,
         "device": t.place.describe(), "machine": machine(t.place)}, indent=2) + "\n")


def run_loop(t: LoopTrainer, progress: Progress | None = None) -> TrainResult:
    """Train `t` until its budget is spent or `progress.aborted()`; checkpoint on the way and at the end."""
    progress = progress or NullProgress()
    t.before_loop()
    cfg, main = t.cfg, t.dist.main
    if main:
        write_run_config(t)
        trim_log(t.run_dir, t.step)
    total = cfg.steps
    status = "done"
    window_t, window_n = time.perf_counter(), 0
    ips = 0.0
    metrics: dict[str, float] = {}
    # the step budget ends every rank at the same step; time and Ctrl-C need a joint decision (t.poll_every)
    while True:
        if cfg.steps is not None and t.step >= cfg.steps:
            break
        if t.step % t.poll_every == 0:
            t.before_poll()
            stop = joint_stop(t.dist, t.budget_done(), progress.aborted())
            if stop:
                status = stop
                break
        t0 = time.perf_counter()
        losses = t.train_step()
        t.train_seconds += time.perf_counter() - t0
        window_n += 1
        if main and (t.step % cfg.log_every == 0 or t.step == 1):
            metrics = {k: float(v) for k, v in losses.items()}
            if not all(math.isfinite(v) for v in metrics.values()):
                raise AssetganError(f"training diverged at step {t.step} (loss is not finite); resume from "
                                    f"{t.run_dir / CHECKPOINT_NAME} with lower learning rates")
            now = time.perf_counter()
            elapsed = max(now - window_t, 1e-9)
            ips = window_n * cfg.batch_size / elapsed
            metrics["images_per_s"] = ips
            metrics["s_per_step"] = elapsed / window_n
            window_t, window_n = now, 0
            metrics["train_seconds"] = t.train_seconds
            append_log(t.run_dir, {"step": t.step, **metrics})
        if cfg.minutes is not None and cfg.steps is None and t.train_seconds > 0:
            total = max(t.step, int(t.step * cfg.minutes * 60.0 / t.train_seconds))
        progress.update(t.step, total, metrics)
        t.after_step()
        if main and t.step % cfg.sample_every == 0:
            t.write_samples()
        if t.step % cfg.checkpoint_every == 0:
            t.save()
    t.after_loop(status)
    ckpt = t.save()
    if status == "done" and main:
        t.write_samples()
    return TrainResult(t.run_dir, t.step, status, ckpt, ips)
