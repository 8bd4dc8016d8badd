"""Run work on a QThreadPool thread; it reports started/progress/partial/result/error/finished as Qt signals."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from assetgan.errors import AssetganError


class JobSignals(QObject):
    """Delivered on the UI thread (queued connections)."""

    started = Signal()
    progress = Signal(int, int)  # done, total (0 = unknown)
    partial = Signal(object)  # a piece of the result (a chunk of thumbnails)
    result = Signal(object)
    error = Signal(str)  # one line for people
    finished = Signal(bool)  # True when cancelled


class JobContext:
    """What the work function gets: an assetgan Progress (update/aborted) and `emit` for partial results."""

    def __init__(self, signals: JobSignals) -> None:
        self._signals = signals
        self._stop = threading.Event()

    def update(self, done: int, total: int | None, metrics: Mapping[str, float] | None = None) -> None:
        self._signals.progress.emit(int(done), int(total or 0))

    def aborted(self) -> bool:
        return self._stop.is_set()

    def emit(self, value: object) -> None:
        self._signals.partial.emit(value)

    def cancel(self) -> None:
        self._stop.set()


class Job(QRunnable):
    """One piece of background work; errors never escape the thread, they arrive as the `error` signal."""

    def __init__(self, fn: Callable[[JobContext], Any], name: str = "job") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.name = name
        self.signals = JobSignals()
        self.context = JobContext(self.signals)
        self._fn = fn

    def cancel(self) -> None:
        self.context.cancel()

    @property
    def cancelled(self) -> bool:
        return self.context.aborted()

    def run(self) -> None:
        self.signals.started.emit()
        try:
            self.signals.result.emit(self._fn(self.context))
        except AssetganError as exc:
            self.signals.error.emit(str(exc))
        except InterruptedError:
            pass
        except MemoryError:
            self.signals.error.emit(f"{self.name}: out of memory; try a smaller batch")
        except Exception as exc:  # a bug: say so in one line, keep the app and the session alive
            traceback.print_exc()
            self.signals.error.emit(f"{self.name} failed: {type(exc).__name__}: {exc}")
        finally:
            self.signals.finished.emit(self.context.aborted())


class JobRunner(QObject):
    """Starts jobs on the global thread pool and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool.globalInstance()
        self.active: set[Job] = set()

    def start(self, job: Job) -> Job:
        self.active.add(job)
        job.signals.finished.connect(lambda _c, j=job: self.active.discard(j))
        self.pool.start(job)
        return job

    def cancel_all(self) -> None:
        for job in list(self.active):
            job.cancel()

    def wait(self, ms: int = 5000) -> bool:
        return self.pool.waitForDone(ms)
