"""Deterministic train/held-out split by file name, so metrics are measured on images training never saw."""

from __future__ import annotations

import hashlib

import numpy as np


def holdout_mask(files: list[str], fraction: float, salt: str = "assetgan-holdout") -> np.ndarray:
    """Boolean mask, True for held-out items: the `fraction` of names with the smallest salted hash."""
    if fraction <= 0 or not files:
        return np.zeros(len(files), bool)
    keys = [hashlib.sha256(f"{salt}:{name}".encode()).hexdigest() for name in files]
    order = np.argsort(np.array(keys))
    n_hold = min(len(files) - 1, max(1, round(len(files) * fraction)))
    mask = np.zeros(len(files), bool)
    mask[order[:n_hold]] = True
    return mask
