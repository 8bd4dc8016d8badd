"""The scripts beside the package (benchmarks, lab tools, asset makers) import names the package still has.

Checked statically (no import, so torch is not needed): a script that rots after a refactor fails here, not the day
someone reruns it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

SCRIPTS = sorted(p for d in ("benchmarks", "lab/tools", "assets", "packaging") for p in (ROOT / d).rglob("*.py"))


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def test_the_scripts_are_found():
    assert len(SCRIPTS) > 10 and any(p.name == "stylize_speed.py" for p in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_imports_exist(script):
    missing = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assetgan":
            path = _module_file(node.module)
            if path is None:
                missing.append(node.module)
                continue
            have = _top_level_names(path)
            missing += [f"{node.module}.{a.name}" for a in node.names
                        if a.name not in have and _module_file(f"{node.module}.{a.name}") is None]
        elif isinstance(node, ast.Import):
            missing += [a.name for a in node.names if a.name.split(".")[0] == "assetgan" and not _module_file(a.name)]
    assert not missing, f"{script.relative_to(ROOT)} imports what the package no longer has: {missing}"
