"""`assetgan-app`: the launcher names what is missing in one line; the installed app package cannot collide."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assetgan.cli import app_launcher

ROOT = Path(__file__).resolve().parents[1]


def test_without_pyside6_the_launcher_says_how_to_install_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "PySide6" else real(name, *a))
    assert app_launcher.main() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'assetgan[app]'" in err and "Traceback" not in err


def test_a_checkout_runs_its_own_ui_folder_never_a_stale_installed_copy():
    assert app_launcher.app_package() == "ui"  # the tests run from a checkout


def test_without_the_app_package_the_launcher_says_so(monkeypatch, capsys):
    monkeypatch.setattr(app_launcher, "app_package", lambda: None)
    assert app_launcher.main() == 2
    assert "reinstall assetgan" in capsys.readouterr().err


def test_the_wheel_installs_the_app_as_assetgan_app_not_ui():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = meta["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "ui" not in wheel["packages"] and wheel["force-include"]["ui"] == "assetgan_app"
    assert meta["project"]["scripts"]["assetgan-app"] == "assetgan.cli.app_launcher:main"
    assert "assetgan_app" in (ROOT / "packaging" / "entry_app.py").read_text()
