"""Rewrite the model card inside an existing ONNX file (e.g. to record measured figures); needs the onnx package."""

from __future__ import annotations

from pathlib import Path

from .atomic import atomic_write_bytes
from .errors import AssetganError
from .runtime.card import CARD_KEY, ModelCard


def rewrite_card(path: Path, card: ModelCard) -> None:
    """Replace `path`'s card with `card`, keeping the graph byte for byte; written atomically."""
    try:
        import onnx
    except ImportError:
        raise AssetganError("recording figures in a model needs the onnx package: pip install 'assetgan[train]'") \
            from None
    proto = onnx.load(str(path))
    props = {p.key: p.value for p in proto.metadata_props}
    if CARD_KEY not in props:
        raise AssetganError(f"{path}: has no assetgan model card to update")
    props[CARD_KEY] = card.to_json()
    del proto.metadata_props[:]
    for key, value in props.items():
        proto.metadata_props.add(key=key, value=value)
    atomic_write_bytes(path, proto.SerializeToString())
