"""Rich progress bar implementing the Progress protocol, with Ctrl-C turned into a clean abort request."""

from __future__ import annotations

import signal
from collections.abc import Mapping
from types import FrameType


class RichProgress:
    """Shows step/total, named metrics, images/s and ETA; the first Ctrl-C asks the work to stop cleanly."""

    def __init__(self, description: str, metric_format: Mapping[str, str] | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._fmt = dict(metric_format or {})
        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[metrics]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            transient=False, console=Console(stderr=True),  # stdout stays for results (paths)
        )
        self._task = self._bar.add_task(description, total=None, metrics="")
        self._abort = False
        self._old_handler = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
        if self._old_handler is not None:
            signal.signal(signal.SIGINT, self._old_handler)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._abort = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C stops at once

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        text = ""
        if metrics:
            text = "  ".join(f"{k} {metrics[k]:{f}}" for k, f in self._fmt.items() if k in metrics)
        self._bar.update(self._task, completed=done, total=total, metrics=text)

    def aborted(self) -> bool:
        return self._abort


class QuietProgress:
    """For torchrun's non-zero ranks: no output, but Ctrl-C still asks for a clean stop."""

    def __init__(self) -> None:
        self._abort = False
        self._old_handler = None

    def __enter__(self) -> QuietProgress:
        self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old_handler is not None:
            signal.signal(signal.SIGINT, self._old_handler)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._abort = True

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        return None

    def aborted(self) -> bool:
        return self._abort


def terminal_progress(description: str) -> RichProgress | QuietProgress:
    """A progress bar on stderr when stderr is a terminal; otherwise no output (logs and pipes stay clean). Either
    way the first Ctrl-C asks the work to stop cleanly."""
    import sys

    return RichProgress(description) if sys.stderr.isatty() else QuietProgress()
