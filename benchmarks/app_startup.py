"""Desktop app launch-to-visible time (`python -m ui`) against a bare QWidget launched the same way, same run.

Each launch is a fresh process; the time runs from just before the process is spawned to the moment the
window is exposed (the app prints it when ASSETGAN_APP_STARTUP_PROBE is set). "ready" is when the shipped models'
cards are read and the session and its model are open (done off the UI thread after the window shows).
Run under Xvfb for the xcb platform (`xvfb-run -a python benchmarks/app_startup.py`); without a display it
uses Qt's offscreen platform.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.5
RUNS = 5

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
w = QWidget(); w.resize(1100, 720); w.show()
def check():
    h = w.windowHandle()
    if h is not None and h.isExposed():
        print(f"VISIBLE {time.time():.6f}", flush=True); app.quit()
    else:
        QTimer.singleShot(1, check)
QTimer.singleShot(0, check)
app.exec()
"""


def launch(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    marks = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("VISIBLE", "READY"):
            marks[parts[0].lower()] = float(parts[1]) - t0
    if "visible" not in marks:
        raise SystemExit(f"{cmd}: no VISIBLE line\n{out.stdout}\n{out.stderr}")
    return marks


def main() -> None:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="assetgan-startup-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        env[var] = str(tmp / var.lower())
    env["ASSETGAN_APP_STARTUP_PROBE"] = "1"
    launch([sys.executable, "-m", "ui"], env)  # first launch creates the session; warms the file cache
    imp, bare, vis, ready = [], [], [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], check=True, env=env)
        imp.append(time.perf_counter() - t)
        bare.append(launch([sys.executable, "-c", BARE], env)["visible"])
        m = launch([sys.executable, "-m", "ui"], env)
        vis.append(m["visible"])
        ready.append(m["ready"])
    imp_s, bare_s, vis_s, ready_s = (statistics.median(x) for x in (imp, bare, vis, ready))
    platform = env.get("QT_QPA_PLATFORM") or "xcb (DISPLAY " + env.get("DISPLAY", "?") + ")"
    print(f"platform: {platform}; median of {RUNS} launches each")
    print(f"python -c 'import PySide6.QtWidgets'   {imp_s * 1000:6.0f} ms")
    print(f"bare QWidget visible                   {bare_s * 1000:6.0f} ms")
    print(f"assetgan app visible                   {vis_s * 1000:6.0f} ms  (x{vis_s / bare_s:.2f} of bare QWidget, "
          f"x{vis_s / imp_s:.2f} of the import; {vis_s / TARGET_S:.2f} of the {TARGET_S} s target)")
    print(f"assetgan app ready (models, session)   {ready_s * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
