"""torch.distributed plumbing for `torchrun`: process group from the environment, rank-0 gating, collectives."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class DistInfo:
    """This process's place in the job; the defaults describe a plain single-process run."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world > 1


def backend_for(device: torch.device) -> str:
    """nccl for CUDA training, gloo for the CPU."""
    return "nccl" if device.type == "cuda" else "gloo"


def init_from_env(device: torch.device | None = None) -> DistInfo:
    """Join the process group torchrun describes (WORLD_SIZE > 1) with the backend for `device` (default CPU).

    On CUDA each process first makes its GPU (cuda:LOCAL_RANK unless --device names one) the current device.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    import torch.distributed as dist

    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = device or torch.device("cpu")
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend_for(device))
    return DistInfo(dist.get_rank(), dist.get_world_size(), local)


def shutdown(info: DistInfo, exit_code: int | None = None) -> None:
    """Leave the process group; under torchrun with `exit_code`, also end the process right here.

    Everything is written and flushed by then. Ending with os._exit skips interpreter finalisation, where gloo's
    worker threads can still hold work objects and abort the process ("terminate called without an active
    exception", seen once under heavy load) after a run that succeeded.
    """
    if not info.enabled:
        return
    import sys

    import torch.distributed as dist

    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    if exit_code is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)


def _collective_device() -> torch.device:
    """nccl reduces CUDA tensors only; gloo reduces CPU tensors."""
    import torch.distributed as dist

    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def any_rank(info: DistInfo, *flags: bool) -> list[bool]:
    """Element-wise OR of boolean flags over all ranks (one small all-reduce), so every rank decides alike."""
    if not info.enabled:
        return list(flags)
    import torch.distributed as dist

    t = torch.tensor([float(f) for f in flags], device=_collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return [bool(v) for v in t.tolist()]


def joint_stop(info: DistInfo, budget_done: bool, aborted: bool) -> str | None:
    """One decision for all ranks: "done" once any rank's budget is spent, else "interrupted" once any rank was asked
    to stop, else None (keep training)."""
    done, abort = any_rank(info, budget_done, aborted)
    return "done" if done else "interrupted" if abort else None


def gather_objects(info: DistInfo, obj: Any) -> list[Any]:
    """Every rank's `obj`, in rank order (a list of one outside torchrun)."""
    if not info.enabled:
        return [obj]
    import torch.distributed as dist

    out: list[Any] = [None] * info.world
    dist.all_gather_object(out, obj)
    return out


def max_over_ranks(info: DistInfo, value: float) -> float:
    """The largest `value` over all ranks (e.g. elapsed training time, so a time-based schedule agrees)."""
    if not info.enabled:
        return value
    import torch.distributed as dist

    t = torch.tensor([value], dtype=torch.float64, device=_collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t.item())
