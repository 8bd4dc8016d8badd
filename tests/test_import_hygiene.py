"""The runtime and the generate/export/data commands never import torch; the CLI imports fast."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys, shutil, tempfile, os
from pathlib import Path
from typer.testing import CliRunner
from assetgan.cli.main import app
r = CliRunner()
tmp = Path(tempfile.mkdtemp())
assert r.invoke(app, ["--help"]).exit_code == 0
assert r.invoke(app, ["data", "inspect", sys.argv[2]]).exit_code == 0
res = r.invoke(app, ["generate", sys.argv[1], "--count", "3", "--out", str(tmp / "g"), "--save-collection",
                     str(tmp / "c.json"), "--sheet"])
assert res.exit_code == 0, res.output
assert r.invoke(app, ["export", str(tmp / "c.json"), "--out", str(tmp / "e")]).exit_code == 0
assert r.invoke(app, ["models"]).exit_code == 0
import assetgan.runtime, assetgan.export.render, assetgan.export.collection
bad = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
print("TORCH" if bad else "CLEAN")
"""


def test_generate_export_data_never_import_torch(tiny_model):
    from .conftest import SPRITES

    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tiny_model), str(SPRITES)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("CLEAN")


def test_cli_module_import_is_light():
    code = "import sys, assetgan.cli.main; print(sorted(m for m in ('torch','numpy','onnxruntime','PIL') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout
