"""Event-loop stalls of the desktop app while a 256-sprite batch runs, against the idle app, same run.

A 5 ms QTimer probe records when it actually fires; a stall is the gap between two firings minus 5 ms.
The batch is the real "Generate batch" path (worker thread, thumbnails added to the grid, session saved after
every chunk). Offscreen platform unless a display is set.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
INTERVAL_MS = 5
TARGET_MS = 50.0


def main() -> None:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="assetgan-resp-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        os.environ[var] = str(tmp / var.lower())
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import AppSettings
    from ui.startup import restore

    app = QApplication(sys.argv)
    w = MainWindow()
    w.show()
    w.adopt(restore(AppSettings.load()))
    w.tabs.setCurrentWidget(w.generate_tab)
    stamps: list[float] = []
    probe = QTimer(interval=INTERVAL_MS)
    probe.timeout.connect(lambda: stamps.append(time.perf_counter()))

    def measure(run) -> np.ndarray:
        stamps.clear()
        loop = QEventLoop()
        probe.start()
        run(loop)
        loop.exec()
        probe.stop()
        return np.maximum(np.diff(np.array(stamps)) * 1000 - INTERVAL_MS, 0)

    w.ctl.generate(16, 10_000, 1.0)  # warm up ONNX Runtime and the grid
    while w.ctl.batch_job is not None:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    idle = measure(lambda loop: QTimer.singleShot(3000, loop.quit))
    t0 = time.perf_counter()

    def batch(loop: QEventLoop) -> None:
        w.ctl.batch_finished.connect(lambda *_a: loop.quit())
        w.ctl.generate(256, 0, 1.0)

    busy = measure(batch)
    secs = time.perf_counter() - t0
    n = len(w.ctl.batch_names)
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM', 'xcb')}; probe every {INTERVAL_MS} ms")
    print(f"idle app (3 s)          max stall {idle.max():6.1f} ms   p99 {np.percentile(idle, 99):6.1f} ms")
    print(f"256-sprite batch        max stall {busy.max():6.1f} ms   p99 {np.percentile(busy, 99):6.1f} ms   "
          f"({n} images in {secs:.2f} s, {len(w.ctl.session.items)} items saved)")
    print(f"ratio to idle           max x{busy.max() / max(idle.max(), 0.1):.1f}   "
          f"p99 x{np.percentile(busy, 99) / max(np.percentile(idle, 99), 0.1):.1f}   "
          f"(target: max stall under {TARGET_MS:.0f} ms -> {'met' if busy.max() < TARGET_MS else 'NOT met'})")
    w.close()


if __name__ == "__main__":
    main()
