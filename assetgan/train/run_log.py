"""Run-folder bookkeeping shared by the training loops: the step/time budget and the `log.jsonl` loss log."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.atomic import atomic_write_text

LOG_NAME = "log.jsonl"


def budget_spent(steps: int | None, minutes: float | None, step: int, train_seconds: float) -> bool:
    """True once `step` reaches `steps` or the training time reaches `minutes` (whichever is set and first)."""
    if steps is not None and step >= steps:
        return True
    return minutes is not None and train_seconds >= minutes * 60.0


def append_log(run_dir: Path, row: dict[str, float]) -> None:
    with open(run_dir / LOG_NAME, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


def trim_log(run_dir: Path, step: int) -> None:
    """After a resume, drop log rows written after the checkpoint the run continues from."""
    log = run_dir / LOG_NAME
    if not log.exists():
        return
    keep = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line)["step"] <= step:
                keep.append(line)
        except (ValueError, KeyError):
            continue
    atomic_write_text(log, "".join(k + "\n" for k in keep))
