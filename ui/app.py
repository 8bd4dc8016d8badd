"""Entry point `assetgan-app` / `python -m ui`: show the window at once, load models and the session after."""

from __future__ import annotations

import os
import sys
import time

STARTUP_PROBE = "ASSETGAN_APP_STARTUP_PROBE"  # benchmarks: print timings to stdout and quit once ready


def main(argv: list[str] | None = None) -> int:
    t0 = time.time()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("assetgan")
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    probe = os.environ.get(STARTUP_PROBE)
    if probe:
        _probe(window, t0)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: load(window, quit_after=bool(probe)))
    return app.exec()


def load(window, quit_after: bool = False) -> None:
    """Scan the library and reopen the last session (or start one) off the UI thread, then show it."""
    from .settings import AppSettings
    from .startup import restore
    from .workers import Job

    settings = AppSettings.load()
    job = Job(lambda _ctx: restore(settings), "startup")
    job.signals.result.connect(window.adopt)
    job.signals.error.connect(lambda msg: window.ctl.alert("assetgan", msg))
    if quit_after:
        from PySide6.QtWidgets import QApplication

        job.signals.finished.connect(lambda _c: (print(f"READY {time.time():.6f}", flush=True),
                                                 QApplication.quit()))
    window.startup_job = window.ctl.runner.start(job)


def _probe(window, t0: float) -> None:
    """Print the wall-clock time at which the window is first exposed on screen."""
    from PySide6.QtCore import QTimer

    def check() -> None:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            print(f"VISIBLE {time.time():.6f} START {t0:.6f}", flush=True)
        else:
            QTimer.singleShot(1, check)

    QTimer.singleShot(0, check)


if __name__ == "__main__":
    raise SystemExit(main())
