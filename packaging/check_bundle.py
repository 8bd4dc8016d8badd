"""Post-build check of the bundle folder: no torch/onnx/onnxscript inside, shipped models and both executables there.

    python packaging/check_bundle.py packaging/dist/assetgan      # exit 1 listing what is wrong

Looks at every file and folder name, and (when PyInstaller is importable, as in the build venv) at the Python
modules frozen into each executable's archive.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Training-only packages and their native libraries. `onnxruntime` is wanted; `onnx` itself is not.
FORBIDDEN_MODULE = re.compile(r"^(torch|torchvision|torchaudio|triton|onnx|onnxscript|onnx_ir|functorch)(\.|$)")
FORBIDDEN_FILE = re.compile(
    r"^(torch|torchvision|functorch|triton|onnx|onnxscript|onnx_ir)$"  # package folders
    r"|^(torch|onnx|onnxscript|onnx_ir)-[^/]*\.dist-info$"
    r"|^(lib)?(torch|torch_cpu|torch_cuda|torch_python|c10|c10_cuda|shm)\.(so|dll|dylib)(\.|$)"
    r"|^onnx_cpp2py_export\."
)


def executables(bundle: Path) -> list[Path]:
    suffix = ".exe" if sys.platform == "win32" else ""
    return [bundle / f"assetgan{suffix}", bundle / f"assetgan-app{suffix}"]


def frozen_modules(exe: Path) -> list[str]:
    """Module names in the PYZ archive embedded in a PyInstaller executable ([] if PyInstaller is not importable)."""
    try:
        from PyInstaller.archive.readers import CArchiveReader
    except ImportError:
        return []
    pkg = CArchiveReader(str(exe))
    names: list[str] = []
    for entry in pkg.toc:
        if entry.endswith(".pyz") or entry == "PYZ-00.pyz" or entry.startswith("PYZ"):
            names += list(pkg.open_embedded_archive(entry).toc)
    return names


def problems(bundle: Path) -> list[str]:
    if not bundle.is_dir():
        return [f"{bundle}: no such folder; build it with packaging/build.sh"]
    found = [f"executable missing: {exe}" for exe in executables(bundle) if not exe.is_file()]
    found += [f"training-only file in the bundle: {p.relative_to(bundle)}"
              for p in bundle.rglob("*") if FORBIDDEN_FILE.search(p.name)]
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    if not list((internal / "assetgan" / "trained").glob("*.onnx")):
        found.append(f"no shipped models in {internal / 'assetgan' / 'trained'}")
    for exe in executables(bundle):
        if exe.is_file():
            found += [f"training-only module frozen into {exe.name}: {m}"
                      for m in frozen_modules(exe) if FORBIDDEN_MODULE.match(m)]
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: check_bundle.py BUNDLE_FOLDER", file=sys.stderr)
        return 2
    bundle = Path(argv[0])
    found = problems(bundle)
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    if found:
        return 1
    models = sorted(p.name for p in bundle.rglob("trained/*.onnx"))
    print(f"bundle ok: no torch/onnx/onnxscript; models {', '.join(models)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
