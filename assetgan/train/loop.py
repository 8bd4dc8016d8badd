"""The training-loop skeleton both trainers share: budget, joint stop under torchrun, log rows, progress, abort,
samples, checkpoints and the run's config.json. A trainer supplies its step, its state and a few hooks."""

from __future__ import annotations

import json
import math
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import torch

from ..core.atomic import atomic_write_text
from ..core.errors import AssetganError
from ..core.progress import NullProgress, Progress
from .checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from .device import Placement, machine, rng_state, set_rng_state
from .distributed import DistInfo, gather_objects, joint_stop
from .run_log import append_log, budget_spent, trim_log

POLL_EVERY_CUDA_DDP = 8  # steps between the ranks' joint budget/abort decision under torchrun on CUDA (a host sync)


class StopSignals:
    """While a run trains in the main thread, SIGTERM (and SIGBREAK, Ctrl-Break on Windows) ask for a clean stop as
    Ctrl-C does through the progress: a run ended by another program (the desktop app's Stop, `kill`) checkpoints."""

    NAMES = ("SIGTERM", "SIGBREAK")

    def __init__(self) -> None:
        self.received = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (getattr(signal, n) for n in self.NAMES if hasattr(signal, n)):
                self._old[sig] = signal.signal(sig, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received = True


@dataclass
class TrainResult:
    """What a training call did."""

    run_dir: Path
    step: int
    status: str  # "done" or "interrupted"
    checkpoint: Path
    images_per_s: float


def linear_decay(lr: float, decay_from: float, steps: int | None, step: int, minutes: float | None,
                 seconds: float) -> float:
    """`lr` for the first `decay_from` of the budget (the larger spent fraction of steps and minutes), then linear to
    zero at its end (Zhu et al.'s schedule)."""
    done = [step / steps] if steps is not None else []
    if minutes is not None:
        done.append(seconds / (minutes * 60.0))
    f = min(1.0, max(done))
    if f <= decay_from or decay_from >= 1.0:
        return lr
    return lr * max(0.0, (1.0 - f) / (1.0 - decay_from))


def setting_text(value: Any) -> str:
    """A config value as a run's history shows it: lists joined by commas ("none" when empty)."""
    return ",".join(map(str, value)) or "none" if isinstance(value, (list, tuple)) else str(value)


class LoopTrainer:
    """What `run` needs from a trainer: a subclass calls `setup` first in __init__ and defines train_step,
    write_samples and its state (net_state, stream_state and their loaders). The hooks do nothing unless
    overridden."""

    kind: str  # "dcgan" or "cyclegan": the checkpoint's and config.json's kind
    config_cls: Any  # DCGANConfig or CycleGANConfig: rebuilds the config from a checkpoint
    cfg: Any  # the run's config (steps, minutes, batch_size, log_every, sample_every, checkpoint_every, to_dict)
    dist: DistInfo
    place: Placement
    run_dir: Path
    data_meta: dict[str, Any]
    step: int
    train_seconds: float
    poll_every: int  # steps between the ranks' joint time-budget/abort decisions (a host sync on CUDA under torchrun)

    def setup(self, cfg: Any, run_dir: Path, data_meta: Mapping[str, Any], dist: DistInfo | None,
              place: Placement | None, batch_hint: str = "") -> tuple[DistInfo, Placement]:
        """Validate `cfg` and the placement (default: the CPU, in the config's precision) and the global batch
        against the processes; set torch's threads and seed; start at step 0."""
        cfg.validate()
        dist = dist or DistInfo()
        place = place or Placement(bf16=cfg.precision == "bf16")
        if place.bf16 != (cfg.precision == "bf16"):
            raise ValueError(f"placement {place} disagrees with the config's precision {cfg.precision}")
        if dist.enabled and cfg.batch_size % dist.world:
            raise AssetganError(f"--batch {cfg.batch_size} (the global batch) must be divisible by the {dist.world} "
                                f"processes{batch_hint}")
        self.cfg, self.dist, self.place, self.run_dir, self.data_meta = cfg, dist, place, Path(run_dir), dict(data_meta)
        self.step, self.train_seconds = 0, 0.0
        self.history: list[dict[str, Any]] = []  # settings changed on resume: {"step", "field", "from", "to"}
        self.poll_every = POLL_EVERY_CUDA_DDP if dist.enabled and place.cuda else 1
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        return dist, place

    def ddp(self, *modules: torch.nn.Module) -> list[torch.nn.Module]:
        """`modules` wrapped in DistributedDataParallel on this rank's device under torchrun; else as they are."""
        if not self.dist.enabled:
            return list(modules)
        from torch.nn.parallel import DistributedDataParallel as DDP

        ids = [self.place.device.index] if self.place.cuda else None
        return [DDP(m, device_ids=ids) for m in modules]

    @classmethod
    def resume(cls, run_dir: Path, overrides: Mapping[str, Any] | None, state: Mapping[str, Any] | None,
               *args: Any) -> Any:
        """Rebuild a trainer, `cls(config, *args)`, from `run_dir/checkpoint.pt` (or its already loaded `state`);
        `overrides` may extend the budget (steps/minutes)."""
        state = load_checkpoint(run_dir) if state is None else state
        if state.get("kind") != cls.kind:
            raise AssetganError(f"{run_dir}: checkpoint is a {state.get('kind')} run, not {cls.kind}")
        d = dict(state["config"]) | {k: v for k, v in (overrides or {}).items() if v is not None}
        trainer = cls(cls.config_cls.from_dict(d, f"checkpoint {run_dir / CHECKPOINT_NAME}"), *args)
        trainer.load_state_dict(state)
        saved, now = cls.config_cls.from_dict(dict(state["config"])).to_dict(), trainer.cfg.to_dict()
        for name in sorted(set(overrides or {}) - {"steps", "minutes"}):
            if now[name] != saved[name]:
                trainer.history.append({"step": trainer.step, "field": name, "from": saved[name], "to": now[name]})
        return trainer

    def train_step(self) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def write_samples(self) -> Path:
        raise NotImplementedError

    def net_state(self) -> dict[str, Any]:
        """The checkpoint's weights and optimisers (and whatever else all ranks share)."""
        raise NotImplementedError

    def load_net_state(self, s: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def stream_state(self) -> dict[str, Any]:
        """This rank's data streams (samplers, crops, pools); torch's random state is added to it."""
        raise NotImplementedError

    def load_stream_state(self, s: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def before_loop(self) -> None:
        """Once, before config.json is written (DCGAN: plan the rates)."""

    def before_poll(self) -> None:
        """Before each joint budget/abort decision (CycleGAN: agree on one clock)."""

    def after_step(self) -> None:
        """After each step's log row and progress report (DCGAN: score a snapshot)."""

    def after_loop(self, status: str) -> None:
        """After the loop, before the last checkpoint (DCGAN: the last weights compete for the best snapshot)."""

    def rank_state(self) -> dict[str, Any]:
        return {**self.stream_state(), "rng_torch": torch.get_rng_state(), "rng_cuda": rng_state(self.place)}

    def state_dict(self) -> dict[str, Any]:
        """The checkpoint: config, data, step, weights, and the random streams (every rank's under torchrun, where
        this is collective)."""
        return {"kind": self.kind, "config": self.cfg.to_dict(), "data": self.data_meta, "step": self.step,
                "train_seconds": self.train_seconds, **self.net_state(), **self.rank_state(),
                "device": str(self.place.device), "world_size": self.dist.world, "machine": machine(self.place),
                "history": self.history,
                "ranks": gather_objects(self.dist, self.rank_state()) if self.dist.enabled else []}

    def load_state_dict(self, s: Mapping[str, Any]) -> None:
        self.load_net_state(s)
        if self.dist.enabled:
            mine = s["ranks"][self.dist.rank] if s.get("world_size") == self.dist.world and s.get("ranks") else None
        else:
            mine = s if s.get("world_size", 1) == 1 else None
        if mine is not None:  # else: another world size goes on from the same weights with fresh per-rank streams
            self.load_stream_state(mine)
            torch.set_rng_state(mine["rng_torch"])
            set_rng_state(self.place, mine.get("rng_cuda"))  # a CPU checkpoint on CUDA: a fresh device stream
        self.step = int(s["step"])
        self.train_seconds = float(s["train_seconds"])
        self.history = [dict(h) for h in s.get("history", [])]

    def save(self) -> Path:
        """Collective under torchrun (gathers every rank's streams); only rank 0 writes."""
        path = self.run_dir / CHECKPOINT_NAME
        state = self.state_dict()
        if self.dist.main:
            save_checkpoint(path, state)
        return path

    def run(self, progress: Progress | None = None) -> TrainResult:
        """Train until the budget is spent, `progress.aborted()` or a SIGTERM (StopSignals); checkpoint on the way and
        at the end; first the run folder's config.json (kind, resolved config, data, processes, device and machine)."""
        with StopSignals() as signals:
            return self._run(progress or NullProgress(), signals)

    def _run(self, progress: Progress, signals: StopSignals) -> TrainResult:
        self.before_loop()
        cfg, main = self.cfg, self.dist.main
        if main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.run_dir / "config.json", json.dumps(
                {"kind": self.kind, "config": cfg.to_dict(), "data": self.data_meta, "world_size": self.dist.world,
                 "device": self.place.describe(), "machine": machine(self.place), "history": self.history},
                indent=2) + "\n")
            trim_log(self.run_dir, self.step)
        total = cfg.steps
        status = "done"
        window_t, window_n = time.perf_counter(), 0
        ips = 0.0
        metrics: dict[str, float] = {}
        # the step budget ends every rank at the same step; time and Ctrl-C need a joint decision (self.poll_every)
        while cfg.steps is None or self.step < cfg.steps:
            if self.step % self.poll_every == 0:
                self.before_poll()
                spent = budget_spent(cfg.steps, cfg.minutes, self.step, self.train_seconds)
                stop = joint_stop(self.dist, spent, progress.aborted() or signals.received)
                if stop:
                    status = stop
                    break
            t0 = time.perf_counter()
            losses = self.train_step()
            self.train_seconds += time.perf_counter() - t0
            window_n += 1
            if main and (self.step % cfg.log_every == 0 or self.step == 1):
                metrics = {k: float(v) for k, v in losses.items()}
                if not all(math.isfinite(v) for v in metrics.values()):
                    raise AssetganError(f"training diverged at step {self.step} (loss is not finite); resume from "
                                        f"{self.run_dir / CHECKPOINT_NAME} with lower learning rates")
                now = time.perf_counter()
                elapsed = max(now - window_t, 1e-9)
                ips = window_n * cfg.batch_size / elapsed
                metrics |= {"images_per_s": ips, "s_per_step": elapsed / window_n, "train_seconds": self.train_seconds}
                window_t, window_n = now, 0
                append_log(self.run_dir, {"step": self.step, **metrics})
            if cfg.minutes is not None and cfg.steps is None and self.train_seconds > 0:
                total = max(self.step, int(self.step * cfg.minutes * 60.0 / self.train_seconds))
            progress.update(self.step, total, metrics)
            self.after_step()
            if main and self.step % cfg.sample_every == 0:
                self.write_samples()
            if self.step % cfg.checkpoint_every == 0:
                self.save()
        self.after_loop(status)
        ckpt = self.save()
        if status == "done" and main:
            self.write_samples()
        return TrainResult(self.run_dir, self.step, status, ckpt, ips)
