"""Peak RSS of `assetgan generate --count N` and of `assetgan export` of an N-item collection, small vs large N.

    python benchmarks/generate_memory.py [SMALL LARGE] [--export]
"""

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


EXPORT = r"""
import resource, sys
from assetgan.cli.main import app
try:
    app(["export", sys.argv[1], "--out", sys.argv[2], "--force"], standalone_mode=False)
finally:
    print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def export_peak_mb(count: int) -> tuple[float, float]:
    """Peak RSS of exporting a saved collection of `count` seed items (favourites and tags mixed in)."""
    from pathlib import Path

    from assetgan.export.collection import Collection, Item, ModelRef
    from assetgan.runtime.model import file_sha256
    from assetgan.runtime.registry import resolve_model

    model = resolve_model(None)
    items = [Item(name=f"item_{s:06d}", seed=s, tags=["bench"] if s % 7 == 0 else [],
                  state="favourite" if s % 5 == 0 else "none") for s in range(count)]
    col_path = Path(tempfile.mkdtemp()) / "col.json"
    Collection(ModelRef(model.stem, file_sha256(model), str(model.resolve())), items).save(col_path)
    out = tempfile.mkdtemp()
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", EXPORT, str(col_path), out], capture_output=True, text=True,
                         check=True)
    secs = time.perf_counter() - t
    return int(res.stdout.split("MAXRSS_KB")[-1].split()[0]) / 1024, secs


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small, large = (int(v) for v in (args[:2] if len(args) > 1 else ("1000", "10000")))
    what, measure = ("export of a collection of", export_peak_mb) if "--export" in sys.argv else (
        "generate --count", peak_mb)
    a, ta = measure(small)
    b, tb = measure(large)
    print(f"{what} {small:>6}: peak RSS {a:6.1f} MB, {ta:5.1f} s")
    print(f"{what} {large:>6}: peak RSS {b:6.1f} MB, {tb:5.1f} s")
    print(f"ratio of peak RSS {large}/{small}: {b / a:.2f}  (flat = 1.0; count ratio {large / small:.0f}x)")


if __name__ == "__main__":
    main()
