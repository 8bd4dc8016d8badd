"""Peak RSS of `assetgan generate --count N` (streamed to disk in chunks) for a small and a large N."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

CODE = r"""
import resource, sys
from assetgan.cli.main import app
try:
    app(["generate", "--count", sys.argv[1], "--out", sys.argv[2], "--force"], standalone_mode=False)
finally:
    print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_mb(count: int) -> tuple[float, float]:
    out = tempfile.mkdtemp()
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", CODE, str(count), out], capture_output=True, text=True, check=True)
    secs = time.perf_counter() - t
    kb = int(res.stdout.split("MAXRSS_KB")[-1].split()[0])
    return kb / 1024, secs


def main() -> None:
    small, large = (int(v) for v in (sys.argv[1:3] if len(sys.argv) > 2 else ("1000", "10000")))
    a, ta = peak_mb(small)
    b, tb = peak_mb(large)
    print(f"generate --count {small:>6}: peak RSS {a:6.1f} MB, {ta:5.1f} s")
    print(f"generate --count {large:>6}: peak RSS {b:6.1f} MB, {tb:5.1f} s")
    print(f"ratio of peak RSS {large}/{small}: {b / a:.2f}  (flat = 1.0; count ratio {large / small:.0f}x)")


if __name__ == "__main__":
    main()
