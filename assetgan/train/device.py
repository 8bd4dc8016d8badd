"""Where training runs: the torch device, bf16 autocast and memory format, decided once from --device/--precision.

CPU training is unchanged by this module (fp32, contiguous tensors). On CUDA the networks and inputs are
channels-last (what cuDNN's tensor-core convolutions prefer) and `--precision bf16` runs the forward passes under
bf16 autocast (weights, optimiser state and EMA stay fp32; no loss scaling is needed for bf16).
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass

import torch

from ..core.errors import AssetganError

PRECISIONS = ("fp32", "bf16")


def resolve_device(requested: str, local_rank: int | None = None, cuda_available: bool | None = None,
                   cuda_count: int | None = None) -> torch.device:
    """`auto` = this process's GPU (cuda:LOCAL_RANK under torchrun) when torch sees one, else the CPU.

    `cuda_available`/`cuda_count` default to what torch reports (tests pass them to describe other machines).
    """
    text = requested.strip().lower()
    if local_rank is None:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if cuda_available is None:
        cuda_available = torch.cuda.is_available()
    if cuda_count is None:
        cuda_count = torch.cuda.device_count() if cuda_available else 0
    if text == "auto":
        text = "cuda" if cuda_available else "cpu"
    if text == "cpu":
        return torch.device("cpu")
    if text != "cuda" and not (text.startswith("cuda:") and text[5:].isdigit()):
        raise AssetganError(f"--device {requested}: unknown device; use auto, cpu, cuda or cuda:N")
    if not cuda_available:
        why = "this torch is a CPU build" if torch.version.cuda is None else "no CUDA device or driver is visible"
        raise AssetganError(f"--device {requested}: CUDA is not available ({why}); use --device cpu or auto")
    index = int(text[5:]) if ":" in text else local_rank
    if index >= cuda_count:
        raise AssetganError(f"--device {requested}: GPU {index} does not exist ({cuda_count} visible); "
                            f"use cuda:0..cuda:{cuda_count - 1} or set CUDA_VISIBLE_DEVICES")
    return torch.device("cuda", index)


@dataclass(frozen=True)
class Placement:
    """The device, whether forward passes run under bf16 autocast, and whether tensors are channels-last."""

    device: torch.device = torch.device("cpu")
    bf16: bool = False
    channels_last: bool = False

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def memory_format(self) -> torch.memory_format:
        return torch.channels_last if self.channels_last else torch.contiguous_format

    def autocast(self) -> contextlib.AbstractContextManager:
        """bf16 autocast for forward passes and losses; a no-op context in fp32."""
        if not self.bf16:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def module(self, m: torch.nn.Module) -> torch.nn.Module:
        """Move a network here (in place, as nn.Module.to does) in this placement's memory format."""
        return m.to(self.device, memory_format=self.memory_format)

    def batch(self, x: torch.Tensor) -> torch.Tensor:
        """An image batch [N, C, H, W] here, without blocking the host (a CPU batch is pinned, the copy queued)."""
        if self.cuda and x.device.type == "cpu":
            x = x.pin_memory()
        x = x.to(self.device, non_blocking=True)
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def sync(self) -> None:
        """Wait for the device's queued work (for timing; nothing to wait for on the CPU)."""
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def describe(self) -> str:
        name = str(self.device) if not self.cuda else f"{self.device} ({torch.cuda.get_device_name(self.device)})"
        return f"{name}, {'bf16 autocast' if self.bf16 else 'fp32'}" + (", channels-last" if self.channels_last
                                                                          else "")


def placement(dev: torch.device, precision: str) -> Placement:
    """Where a run trains: `dev` (from resolve_device), bf16 autocast if asked, channels-last on CUDA."""
    if precision not in PRECISIONS:
        raise AssetganError(f"--precision {precision}: use fp32 or bf16")
    if precision == "bf16" and dev.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise AssetganError(f"--precision bf16: {torch.cuda.get_device_name(dev)} has no bf16 support "
                            "(it needs an Ampere or newer GPU); use --precision fp32")
    return Placement(dev, bf16=precision == "bf16", channels_last=dev.type == "cuda")


def rng_state(place: Placement) -> torch.Tensor | None:
    """The CUDA generator's state of this device (z, augmentation and crops drawn there), for exact resume."""
    return torch.cuda.get_rng_state(place.device) if place.cuda else None


def set_rng_state(place: Placement, state: torch.Tensor | None) -> None:
    if place.cuda and state is not None:
        torch.cuda.set_rng_state(state, place.device)


def machine(place: Placement) -> dict[str, str]:
    """What a run's numbers depend on besides its seed: torch, the CPU and the kernels torch picked for it, the GPU.

    Training is bit-for-bit repeatable for a seed only where all of these match (a checkpoint resumes exactly
    anywhere, but the steps after it follow the new machine's arithmetic).
    """
    info = {"torch": str(torch.__version__), "cpu": cpu_model(),
            "cpu_kernels": str(torch.backends.cpu.get_cpu_capability())}  # plain str: weights_only loads them
    if place.cuda:
        info["gpu"] = torch.cuda.get_device_name(place.device)
        info["cuda"] = str(torch.version.cuda)
    return info


def cpu_model() -> str:
    """The CPU's marketing name (Linux: /proc/cpuinfo), else what the platform module knows, else 'unknown'."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_changes(saved: Mapping[str, str] | None, now: Mapping[str, str]) -> list[str]:
    """'KEY OLD -> NEW' for each machine property that differs (none for checkpoints from before the record)."""
    if not saved:
        return []
    return [f"{k} {saved.get(k, 'none')} -> {now.get(k, 'none')}" for k in sorted(set(saved) | set(now))
            if saved.get(k) != now.get(k)]


def resume_note(saved: Mapping[str, str] | None, place: Placement) -> str | None:
    """The warning for resuming a checkpoint on another machine, or None where nothing that matters changed."""
    changes = machine_changes(saved, machine(place))
    if not changes:
        return None
    return ("resuming on a different machine (" + "; ".join(changes) + "): the run continues from its exact "
            "state, but its later steps will not match the original machine's bit for bit")
