"""Wrap-seam score of tileable textures: the jump across the wrap edge relative to jumps inside the image."""

from __future__ import annotations

import numpy as np

from .common import to_float_rgb


def wrap_seam_score(images: np.ndarray) -> float:
    """Mean |difference| across the left/right and top/bottom wrap edges over the mean inside; ~1 = seamless."""
    x = to_float_rgb(images)
    across = (np.abs(x[:, :, 0] - x[:, :, -1]).mean() + np.abs(x[:, 0] - x[:, -1]).mean()) / 2
    inside = (np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean()) / 2
    return float(across / max(inside, 1e-12))
