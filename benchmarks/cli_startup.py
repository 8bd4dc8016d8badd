"""`assetgan --help` wall time against a bare interpreter start, and the 0.3 s target."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

TARGET_S = 0.3


def timed(cmd: list[str], n: int = 10) -> float:
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        xs.append(time.perf_counter() - t)
    return statistics.median(xs)


def main() -> None:
    exe = shutil.which("assetgan")
    cli = [exe, "--help"] if exe else [sys.executable, "-m", "assetgan", "--help"]
    base = timed([sys.executable, "-c", "pass"])
    helps = timed(cli)
    print(f"python -c pass     {base * 1000:6.0f} ms")
    print(f"assetgan --help    {helps * 1000:6.0f} ms  (x{helps / base:.1f} of bare python; "
          f"ratio to {TARGET_S}s target {helps / TARGET_S:.2f})")


if __name__ == "__main__":
    main()
