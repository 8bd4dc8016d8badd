"""Command-line papercuts: -h and --version, errors that name the option, mistyped models, domain-named directions."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan import __version__
from assetgan.cli.main import app

from .conftest import one_line_error

ROOT = Path(__file__).resolve().parents[1]

runner = CliRunner()


def test_short_help_and_version():
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"assetgan {__version__}"
    for args in (["-h"], ["generate", "-h"], ["train", "dcgan", "-h"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0 and "Usage" in r.stdout, args


def test_generate_errors_name_the_option_not_the_collection(tmp_path):
    out = tmp_path / "o"
    for args, flag in ((["--truncation", "5"], "--truncation 5"), (["--scale", "0"], "--scale 0"),
                       (["--alpha-threshold", "300"], "--alpha-threshold 300"), (["--prefix", "../x"], "--prefix")):
        err = one_line_error(runner.invoke(app, ["generate", "--count", "1", "--out", str(out), *args]))
        assert err.startswith(f"error: {flag}"), err
    assert not out.exists()


def test_a_mistyped_style_model_is_named_with_the_known_ones(tmp_path):
    src = tmp_path / "x.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    err = one_line_error(runner.invoke(app, ["stylize", "monnet", str(src)]))
    assert "model 'monnet' not found" in err and "monet" in err.split("known:")[1]


def test_direction_accepts_the_models_domain_names(tiny_style_model, tmp_path):
    src = tmp_path / "a.png"
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(src)
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--direction", "sprite2texture",
                            "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "a.texture.png").is_file() and "sprite -> texture" in r.stderr
    err = one_line_error(runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--direction", "up"]))
    assert "texture2sprite" in err and "sprite2texture" in err


def test_a_named_device_that_cannot_run_is_an_error_and_auto_falls_back(tmp_path):
    import onnxruntime as ort

    out = tmp_path / "o"
    missing = "coreml" if "CoreMLExecutionProvider" not in ort.get_available_providers() else "directml"
    err = one_line_error(runner.invoke(app, ["generate", "--count", "1", "--device", missing, "--out", str(out)]))
    assert f"--device {missing}" in err and "--device auto" in err and not out.exists()
    r = runner.invoke(app, ["generate", "--count", "1", "--device", "auto", "--out", str(out)])
    assert r.exit_code == 0 and "provider:" in r.stderr


def test_export_reports_progress_and_a_cancel_stops_before_the_sheet_and_manifest(tiny_model, tmp_path):
    import pytest

    from assetgan.cli.progress_ui import QuietProgress, terminal_progress
    from assetgan.export.collection import Collection, ModelRef, OutputSettings, SeedRange
    from assetgan.export.render import MANIFEST, Cancelled, export
    from assetgan.runtime.model import open_model

    assert isinstance(terminal_progress("x"), QuietProgress)  # stderr is not a terminal under pytest

    class Recorder:
        def __init__(self, stop_after: int | None = None) -> None:
            self.calls, self.stop_after = [], stop_after

        def update(self, done, total, metrics=None):
            self.calls.append((done, total))

        def aborted(self):
            return self.stop_after is not None and len(self.calls) > self.stop_after

    m = open_model(tiny_model)
    col = Collection(ModelRef("m", m.sha256(), str(tiny_model)), SeedRange("p", 0, 150), OutputSettings(sheet=True))
    seen = Recorder()
    export(col, tmp_path / "all", tmp_path, model=m, progress=seen)
    assert seen.calls[-1] == (150, 150) and (tmp_path / "all" / MANIFEST).is_file()
    with pytest.raises(Cancelled, match="cancelled"):
        export(col, tmp_path / "cut", tmp_path, model=m, progress=Recorder(stop_after=1))
    names = sorted(p.name for p in (tmp_path / "cut").iterdir())
    assert names and MANIFEST not in names and "sheet.png" not in names and len(names) < 150


@pytest.mark.parametrize(("args", "code"), [(["--help"], 0), (["-h"], 0), (["--out"], 2), (["a", "b", "c"], 2)])
def test_screenshots_help_prints_help_and_creates_nothing(tmp_path, args, code):
    """`python -m ui.screenshots --help` used to start the app and create a folder named `--help`."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "ui.screenshots", *args], cwd=tmp_path, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert r.returncode == code, r.stderr
    assert "python -m ui.screenshots" in (r.stdout if code == 0 else r.stderr)
    assert list(tmp_path.iterdir()) == []
