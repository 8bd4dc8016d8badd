"""Session writes off the UI thread: the latest text per file is written atomically by one background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from assetgan.core.atomic import atomic_write_text


def write_now(path: Path, text: str) -> None:
    """The synchronous writer (scripts, tests): atomic write, OSError propagates."""
    atomic_write_text(path, text)


class BackgroundWriter:
    """Queue `text` for `path`; a newer text for the same file replaces an unwritten older one (each write is
    atomic, so the file always holds a complete, recent session). Errors go to `on_error` as one line."""

    def __init__(self, on_error: Callable[[str], None]) -> None:
        self._on_error = on_error
        self._cond = threading.Condition()
        self._pending: dict[Path, str] = {}
        self._busy = False
        threading.Thread(target=self._run, name="session-writer", daemon=True).start()

    def __call__(self, path: Path, text: str) -> None:
        with self._cond:
            self._pending[Path(path)] = text
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued is on disk; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending))
                path, text = self._pending.popitem()
                self._busy = True
            try:
                atomic_write_text(path, text)
            except OSError as exc:
                self._on_error(f"{path}: cannot save the session ({exc.strerror}); use File > Save As to save it "
                               "somewhere writable")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
