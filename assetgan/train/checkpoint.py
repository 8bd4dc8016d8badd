"""Self-describing training checkpoints, written atomically and loaded without executing pickled code."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..core.atomic import atomic_write_bytes
from ..core.errors import AssetganError
from ..core.paths import is_symlink_loop, shown

CHECKPOINT_FORMAT = "assetgan.checkpoint"
CHECKPOINT_VERSION = 1
CHECKPOINT_NAME = "checkpoint.pt"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write `state` (tensors, dicts, lists, numbers, strings only) to `path` atomically."""
    payload = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "assetgan_version": __version__}
    payload.update(state)
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write_bytes(path, buf.getvalue())


def resolve_checkpoint(path: str | Path) -> Path:
    """Accept a run folder or a checkpoint file; return the checkpoint file or raise a one-line error."""
    p = Path(path)
    if is_symlink_loop(p):
        raise AssetganError(f"{shown(p)}: is a symlink loop (the link leads back to itself); pass the run folder "
                            "itself")
    if p.is_dir():
        p = p / CHECKPOINT_NAME
    if not p.is_file():
        raise AssetganError(f"{shown(path)}: no checkpoint found (expected a run folder holding {CHECKPOINT_NAME})")
    return p


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint safely (weights_only) and check that it is one of ours."""
    p = resolve_checkpoint(path)
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged files
        raise AssetganError(f"{p}: not a readable assetgan checkpoint ({type(exc).__name__}); "
                            "use the run's checkpoint.pt") from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise AssetganError(f"{p}: not an assetgan checkpoint; use the checkpoint.pt of an assetgan run")
    if state.get("version", 0) > CHECKPOINT_VERSION:
        raise AssetganError(f"{p}: checkpoint version {state['version']} is newer than this assetgan; upgrade")
    return state
