"""Packaging helpers: the bundle check finds training-only payload, the committed icons are what make_icon renders."""

from __future__ import annotations

import configparser
import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_bundle = _load("check_bundle")
make_icon = _load("make_icon")


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A minimal clean bundle folder: both executables, a shipped model, ONNX Runtime."""
    exe = ".exe" if sys.platform == "win32" else ""
    (tmp_path / f"assetgan{exe}").write_bytes(b"")
    (tmp_path / f"assetgan-app{exe}").write_bytes(b"")
    trained = tmp_path / "_internal" / "assetgan" / "trained"
    trained.mkdir(parents=True)
    (trained / "crawl-sprites-32.onnx").write_bytes(b"onnx")
    capi = tmp_path / "_internal" / "onnxruntime" / "capi"
    capi.mkdir(parents=True)
    (capi / "libonnxruntime_providers_cuda.so").write_bytes(b"")
    return tmp_path


def test_clean_bundle_passes(bundle: Path) -> None:
    assert check_bundle.problems(bundle) == []  # the empty executables are not PyInstaller archives: no modules read


@pytest.mark.parametrize("rel", ["_internal/torch/__init__.py", "_internal/onnx/__init__.py",
                                 "_internal/onnxscript/__init__.py", "_internal/torch/lib/libtorch_cpu.so",
                                 "_internal/libc10.so", "_internal/torch-2.13.0.dist-info/METADATA"])
def test_training_only_payload_fails(bundle: Path, rel: str) -> None:
    path = bundle / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    found = check_bundle.problems(bundle)
    assert found and all("training-only file" in f for f in found)
    assert check_bundle.main([str(bundle)]) == 1


def test_missing_models_and_executables_fail(bundle: Path) -> None:
    (bundle / "_internal" / "assetgan" / "trained" / "crawl-sprites-32.onnx").unlink()
    for exe in check_bundle.executables(bundle):
        exe.unlink()
    found = check_bundle.problems(bundle)
    assert sum("executable missing" in f for f in found) == 2
    assert any("no shipped models" in f for f in found)


def test_forbidden_module_names() -> None:
    assert all(check_bundle.FORBIDDEN_MODULE.match(m) for m in ("torch", "torch.nn", "onnx", "onnx.helper",
                                                                 "onnxscript", "onnx_ir.serde"))
    assert not any(check_bundle.FORBIDDEN_MODULE.match(m) for m in ("onnxruntime", "onnxruntime.capi",
                                                                     "torchlike", "assetgan.runtime"))


def test_committed_icons_are_what_make_icon_renders() -> None:
    for size in make_icon.PNG_SIZES:
        committed = Image.open(ROOT / "assets" / "icons" / f"assetgan-{size}.png").convert("RGBA")
        assert committed.size == (size, size)
        # Exact where sprites are zoomed nearest-neighbour; a level of slack for Pillow's smooth resize at 48 px.
        diff = ImageChops.difference(committed, make_icon.render(size))
        assert max(hi for _lo, hi in diff.getextrema()) <= 2, size


def test_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "assetgan.desktop")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"] == "assetgan-app" and d["Icon"] == "assetgan"
    assert d["Categories"].endswith(";")
