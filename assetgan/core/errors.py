"""User-facing errors: one line naming the file or value and the fix; the CLI maps them to exit code 2."""

from __future__ import annotations

from pathlib import Path


class AssetganError(Exception):
    """An error caused by the user's input; its message is one line meant for a person."""

    exit_code = 2


class ImageError(AssetganError):
    """An image file that cannot be used (unreadable, corrupt, too large, too small)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ModelError(AssetganError):
    """A model file that is missing, not ONNX, or not an assetgan model."""


class CollectionError(AssetganError):
    """A collection file that is invalid or refers to something that cannot be found."""


class DriftError(AssetganError):
    """`export --check` found files that differ from a fresh render (exit code 1, not bad input)."""

    exit_code = 1
