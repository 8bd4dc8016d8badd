"""The model card inside an ONNX file: attach it at export, rewrite it later (e.g. to record measured figures).

Works on `onnx` ModelProto objects and never imports torch; rewriting an existing file needs the onnx package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.atomic import atomic_write_bytes
from ..core.errors import AssetganError
from .card import CARD_KEY, ModelCard


def display_path(path: str) -> str:
    """A data path as people read it (and as a card should show it): relative to the working folder when shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return rel if len(rel) < len(path) else path


def attach_card(proto: Any, card: ModelCard, title: str) -> bytes:
    """Put the model card (and kind, version, licence) into an ONNX model's metadata, keeping any other entries
    (e.g. how the file was quantised); return its bytes."""
    ours = {CARD_KEY: card.to_json(), "assetgan.kind": card.kind, "assetgan.version": __version__,
            "assetgan.licence": card.data_licence}
    kept = [(p.key, p.value) for p in proto.metadata_props if p.key not in ours]
    del proto.metadata_props[:]
    for key, value in (*ours.items(), *kept):
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = f"{title}: {card.summary()}"
    return proto.SerializeToString()


def rewrite_card(path: Path, card: ModelCard) -> None:
    """Replace `path`'s card with `card`, keeping the graph byte for byte; written atomically."""
    try:
        import onnx
    except ImportError:
        raise AssetganError("recording figures in a model needs the onnx package: pip install 'assetgan[train]'") \
            from None
    proto = onnx.load(str(path))
    if not any(p.key == CARD_KEY for p in proto.metadata_props):
        raise AssetganError(f"{path}: has no assetgan model card to update")
    title = proto.doc_string.split(": ", 1)[0] or f"assetgan {card.kind} model '{card.name}'"
    atomic_write_bytes(path, attach_card(proto, card, title))
