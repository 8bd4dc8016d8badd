"""Run work on a QThreadPool thread; it reports started/progress/partial/result/error/finished as Qt signals."""

from __future__ import annotations

import threading
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from assetgan.core.errors import AssetganError


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


class _Pacer(QObject):
    """Hands a job's partial results to `handler` one per event-loop turn, so a worker that produces faster
    than the UI consumes cannot stall the event loop; `done` runs once the job finished and all were handled."""

    def __init__(self, job: Job, handler: Callable[[Any], object] | None, done: Callable[[bool], None],
                 parent: QObject) -> None:
        super().__init__(parent)
        self._queue: deque[Any] = deque()
        self._handler = handler
        self._done = done
        self._finished: bool | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._drain)
        job.signals.partial.connect(self._push)
        job.signals.finished.connect(self._finish)

    def _push(self, value: object) -> None:
        self._queue.append(value)
        if not self._timer.isActive():
            self._timer.start()

    def _drain(self) -> None:
        if self._queue:
            value = self._queue.popleft()
            if self._handler is not None:
                self._handler(value)
        if self._queue:
            self._timer.start()
        elif self._finished is not None:
            self._close()

    def _finish(self, cancelled: bool) -> None:
        self._finished = cancelled
        if not self._queue:
            self._close()

    def _close(self) -> None:
        self._done(bool(self._finished))
        self.deleteLater()


class JobRunner(QObject):
    """Starts jobs on the global thread pool and keeps them (and their paced partial results) alive until done."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool.globalInstance()
        self.active: set[Job] = set()

    def start(self, job: Job, on_partial: Callable[[Any], object] | None = None,
              on_done: Callable[[bool], None] | None = None) -> Job:
        """Run `job`; `on_partial` gets each partial result on the UI thread, one per event-loop turn, and
        `on_done(cancelled)` runs after the last one. The job counts as active until then."""
        self.active.add(job)

        def done(cancelled: bool, j: Job = job) -> None:
            self.active.discard(j)
            if on_done is not None:
                on_done(cancelled)

        _Pacer(job, on_partial, done, self)
        self.pool.start(job)
        return job

    def cancel_all(self) -> None:
        for job in list(self.active):
            job.cancel()

    def wait(self, ms: int = 5000) -> bool:
        return self.pool.waitForDone(ms)
