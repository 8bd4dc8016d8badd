"""Where models live: shipped models (installed with the package) and the user's model folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelError

DEFAULT_MODEL = "crawl-sprites-32"


def shipped_dir() -> Path:
    """`assetgan/trained` inside an installed wheel, else the checkout's top-level `trained/`."""
    here = Path(__file__).resolve().parents[1]  # the assetgan package
    inside = here / "trained"
    return inside if inside.is_dir() else here.parent / "trained"


def user_dir() -> Path:
    """$ASSETGAN_MODELS, else $XDG_DATA_HOME/assetgan/models (~/.local/share/assetgan/models)."""
    env = os.environ.get("ASSETGAN_MODELS")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "assetgan" / "models"


@dataclass(frozen=True)
class ModelEntry:
    name: str  # file stem, how users refer to it
    path: Path
    origin: str  # "shipped" or "user"


def list_models() -> list[ModelEntry]:
    """All known models, shipped first; a user model with a shipped name is listed but shadowed."""
    out: list[ModelEntry] = []
    for origin, folder in (("shipped", shipped_dir()), ("user", user_dir())):
        if folder.is_dir():
            out += [ModelEntry(p.stem, p, origin) for p in sorted(folder.glob("*.onnx"))]
    return out


def resolve_model(spec: str | Path | None) -> Path:
    """A path to an .onnx file, or a model name from `assetgan models`; None means the default model."""
    if spec is None or str(spec) == "":
        spec = DEFAULT_MODEL
    p = Path(spec)
    if p.suffix.lower() == ".onnx" or p.exists() or os.sep in str(spec) or "/" in str(spec):
        if not p.exists():
            raise ModelError(f"{p}: model file not found; check the path or run `assetgan models`")
        return p
    for entry in list_models():
        if entry.name == str(spec):
            return entry.path
    names = ", ".join(sorted({e.name for e in list_models()})) or "none installed"
    raise ModelError(f"model '{spec}' not found (known: {names}); pass a path to an .onnx file")
