"""Desktop bundle (PyInstaller folder) against the venv: size, and cold/warm start of `assetgan --help` and the app.

    packaging/build.sh && .venv/bin/python benchmarks/bundle_startup.py [--bundle packaging/dist/assetgan] [--runs 5]

"Cold" is the first launch this benchmark makes of each program. Run right after a build, that is the bundle's
first launch ever (its files were just written, so they are likely in the page cache: dropping it needs root and a
quiet machine); the venv's programs have usually run before. "Warm" is the median of --runs launches after that.
The app is timed from spawn to the window being exposed (VISIBLE) and to models and session loaded (READY), as in
benchmarks/app_startup.py, with Qt's offscreen platform when there is no display.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_startup import launch  # noqa: E402  (same launch-and-parse as the app benchmark)


def du(path: Path) -> int:
    """Bytes in the files under path (links not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT, timeout=120)
    return time.perf_counter() - t


def measure(name: str, cli: list[str], app: list[str], env: dict[str, str], runs: int) -> dict[str, tuple]:
    """{metric: (cold, warm median)} for one install, each app launch with fresh-per-install user folders."""
    first_help = timed(cli + ["--help"], env)
    first_app = launch(app, env)
    helps = [timed(cli + ["--help"], env) for _ in range(runs)]
    apps = [launch(app, env) for _ in range(runs)]
    out = {
        "help": (first_help, statistics.median(helps)),
        "visible": (first_app["visible"], statistics.median(a["visible"] for a in apps)),
        "ready": (first_app["ready"], statistics.median(a["ready"] for a in apps)),
    }
    print(f"  {name}: done", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "packaging" / "dist" / "assetgan")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = ".exe" if sys.platform == "win32" else ""
    bundle_cli, bundle_app = args.bundle / f"assetgan{exe}", args.bundle / f"assetgan-app{exe}"
    if not bundle_cli.is_file():
        raise SystemExit(f"{bundle_cli}: no bundle; build it with packaging/build.sh")
    bindir = str(Path(sys.executable).parent)
    venv_cli = shutil.which("assetgan", path=bindir)
    if not venv_cli:
        raise SystemExit(f"no assetgan beside {sys.executable}; run with the venv's python")
    # The console script when the venv has it (pip install -e '.[app]'), else what it runs.
    app_script = shutil.which("assetgan-app", path=bindir)
    venv_app = [app_script] if app_script else [sys.executable, "-m", "ui"]

    base = dict(os.environ)
    if not base.get("DISPLAY") and not base.get("WAYLAND_DISPLAY"):
        base.setdefault("QT_QPA_PLATFORM", "offscreen")
    base["ASSETGAN_APP_STARTUP_PROBE"] = "1"
    envs = {}
    for name in ("bundle", "venv"):  # own user folders for each, so each first launch creates its session
        tmp = Path(tempfile.mkdtemp(prefix=f"assetgan-{name}-"))
        envs[name] = dict(base, **{v: str(tmp / v.lower()) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                                                      "XDG_CACHE_HOME", "ASSETGAN_MODELS")})
    b = measure("bundle", [str(bundle_cli)], [str(bundle_app)], envs["bundle"], args.runs)
    v = measure("venv", [venv_cli], venv_app, envs["venv"], args.runs)

    size = du(args.bundle)
    archives = sorted(args.bundle.parent.glob("assetgan-*.tar.gz"))
    print(f"bundle {args.bundle}: {size / 2**20:.0f} MiB"
          + (f"; archive {archives[-1].name}: {archives[-1].stat().st_size / 2**20:.0f} MiB" if archives else ""))
    print(f"platform: {base.get('QT_QPA_PLATFORM') or 'display ' + base.get('DISPLAY', '?')}; "
          f"warm = median of {args.runs}; venv app launched as {' '.join(venv_app)}")
    print(f"{'':28}{'bundle':>10}{'venv':>10}{'bundle/venv':>13}")
    for key, label in (("help", "assetgan --help"), ("visible", "app window visible"), ("ready", "app ready")):
        for i, kind in enumerate(("cold", "warm")):
            bs, vs = b[key][i], v[key][i]
            print(f"{label + ' ' + kind:28}{bs * 1000:8.0f}ms{vs * 1000:8.0f}ms{bs / vs:12.2f}x")


if __name__ == "__main__":
    main()
