"""Options removed after tag `pre-option-cull`: a config or checkpoint that enables one stops with one line.

Each entry maps a config field to its old flag and the value that meant "off"; a saved config holding that value
loads as before (the field is dropped), any other value names the tag to use instead. lab/2026-12-06-option-cull.md
says why each went.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import AssetganError

REMOVED_TAG = "pre-option-cull"

DCGAN_REMOVED: dict[str, tuple[str, Any]] = {
    "loss": ("--loss", "ns"),
    "upsample": ("--upsample", "transpose"),
    "linear_output": ("--linear-output", False),
    "output_gain": ("--output-gain", 1.0),
    "r1_gamma": ("--r1", 0.0),
    "mbstd": ("--mbstd", False),
    "real_label": ("--real-label", 1.0),
    "lecam": ("--lecam", 0.0),
    "cr": ("--cr", 0.0),
    "recon": ("--recon", 0.0),
}
CYCLEGAN_REMOVED: dict[str, tuple[str, Any]] = {"separable": ("--separable", False)}


def drop_removed(d: Mapping[str, Any], removed: Mapping[str, tuple[str, Any]], source: str) -> dict[str, Any]:
    """`d` without the removed fields that hold their "off" value; raise a one-line error naming the tag for one
    that is on. `source` names what `d` came from, e.g. "checkpoint runs/x/checkpoint.pt". A config saved before
    `extra` became typed fields (holdout, margin, spacing, dry_run, recipe) has its keys moved up first."""
    extra = d.get("extra") if isinstance(d.get("extra"), Mapping) else {}
    d = {k: v for k, v in {**extra, **d}.items() if k != "extra"}
    for key, value in d.items():
        if key in removed and value != removed[key][1]:
            flag, off = removed[key]
            shown = "" if isinstance(off, bool) else f" {value}"
            raise AssetganError(f"{source}: trained with {flag}{shown}, removed after tag {REMOVED_TAG}; resume it "
                                "with that version or start a new run")
    return {k: v for k, v in d.items() if k not in removed}
