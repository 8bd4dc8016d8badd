"""Progress and cancellation as callbacks, so one loop serves the CLI's progress bar and the app's worker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Progress(Protocol):
    """What long-running work reports to; implementations must be cheap to call every step."""

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        """Report `done` units of `total` (None when unknown) with optional named figures."""

    def aborted(self) -> bool:
        """True when the user asked to stop; the work then finishes cleanly at the next safe point."""


class NullProgress:
    """A Progress that reports nothing and never aborts."""

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        return None

    def aborted(self) -> bool:
        return False
