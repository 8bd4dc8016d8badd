"""A run's output folder and model file: checked before any training starts, with one-line errors.

A new run (`train dcgan|cyclegan --out`) refuses a folder that already holds a run (continue it with --resume) and
a model.onnx it did not make (replaced only with --force). A resumed run replaces its own model.onnx: it is that
run's output. `to-onnx` refuses to replace an existing .onnx file unless given --force.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import AssetganError
from ..core.paths import check_out_folder, is_symlink_loop, shown, write_error
from .checkpoint import CHECKPOINT_NAME

MODEL_NAME = "model.onnx"


def check_new_run_folder(run_dir: Path, force: bool) -> None:
    """Refuse `--out` for a new run when it is not a usable folder, already holds a run, or holds a model.onnx
    (from another run, or copied there) and `force` is off."""
    check_out_folder(run_dir, "--out", "the run")
    if (run_dir / CHECKPOINT_NAME).exists():
        raise AssetganError(f"{shown(run_dir)}: already holds a run; continue it with --resume {shown(run_dir)} "
                            "or choose another --out")
    check_model_target(run_dir / MODEL_NAME, force, "--out", " (no run in this folder made it); pass --force to "
                       "replace it")


def check_model_target(target: Path, force: bool, what: str, how_to_replace: str = "; pass --force to replace it"
                       ) -> None:
    """Refuse a model path that is a symlink loop, a folder, inside a file, or an existing file without `force`."""
    if is_symlink_loop(target):
        raise AssetganError(f"{shown(target)}: is a symlink loop (the link leads back to itself); remove the link "
                            f"or choose another {what}")
    if target.is_dir():
        raise AssetganError(f"{shown(target)}: is a folder, not a model file; choose another {what}")
    check_out_folder(target.parent, what, "the model")
    if (target.exists() or target.is_symlink()) and not force:
        raise AssetganError(f"{shown(target)}: already exists{how_to_replace}, or choose another {what}")


def run_write_error(run_dir: Path, exc: OSError, resume_hint: str | None) -> AssetganError:
    """The one-line error for a run that could not write its files (disk full mid-run, say)."""
    where = Path(exc.filename) if isinstance(exc.filename, str) and not Path(exc.filename).name.startswith(".") \
        else run_dir
    note = f" (then continue with: {resume_hint})" if resume_hint and (run_dir / CHECKPOINT_NAME).exists() else ""
    return AssetganError(str(write_error(where, exc, "write the run's files")) + note)

