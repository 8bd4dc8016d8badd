"""Clean pixel output by default: the finishing a model's card asks for, from what its training data looks like.

A model trained on sprites whose alpha is mostly binary gets its alpha thresholded; on palette-like data its colours
are snapped to the learned palette; otherwise each image keeps at most the training images' typical number of
colours. `generate`, `evaluate` and new app sessions start from these; `--raw` (or explicit options) overrides them.
Measured on held-out crawl sprites before adoption: lab/2026-12-06-clean-output.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from .card import ModelCard

BINARY_ALPHA = 0.5  # most training images have binary alpha
PALETTE_LIKE_DB = 30.0  # the learned palette reproduces the training images this well
MAX_DEFAULT_COLOURS = 64  # above this, a colour limit does not read as pixel art: leave colours alone
THRESHOLD = 128


@dataclass(frozen=True)
class CleanOutput:
    """Finishing defaults: alpha threshold, palette ("auto" = the card's) and per-image colour limit."""

    alpha_threshold: int | None = None
    palette: str | None = None
    colours: int | None = None

    def describe(self) -> str:
        """One line for logs: what is applied."""
        parts = [f"alpha threshold {self.alpha_threshold}" if self.alpha_threshold is not None else "",
                 "the learned palette" if self.palette else "",
                 f"at most {self.colours} colours per image" if self.colours else ""]
        return ", ".join(p for p in parts if p) or "raw output"


def clean_output(card: ModelCard) -> CleanOutput:
    """The card's finishing defaults (none for CycleGAN models or cards without a data look)."""
    if card.kind != "dcgan":
        return CleanOutput()
    threshold = THRESHOLD if card.channels == 4 and card.data_binary_alpha >= BINARY_ALPHA else None
    if card.palette and card.data_palette_psnr >= PALETTE_LIKE_DB:
        return CleanOutput(threshold, "auto", None)
    colours = card.data_colours if 2 <= card.data_colours <= MAX_DEFAULT_COLOURS else None
    return CleanOutput(threshold, None, colours)
