"""The model card: what an exported assetgan model is, stored as ONNX metadata_props (JSON under one key)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import ModelError

CARD_KEY = "assetgan.card"
CARD_VERSION = 1
KINDS = ("dcgan", "cyclegan")


@dataclass(frozen=True)
class ModelCard:
    """Self-description of an exported model; enough to use it without the training code."""

    kind: str  # "dcgan" (z -> image) or "cyclegan" (image -> image)
    name: str  # short model name, e.g. "crawl-sprites-32"
    size: int  # output side in pixels (dcgan); training crop (cyclegan)
    channels: int  # 4 = RGBA, 3 = RGB
    nz: int = 0  # latent size (dcgan)
    tileable: bool = False  # outputs wrap seamlessly
    data_source: str = ""  # what it was trained on
    data_licence: str = ""  # licence of that data
    steps: int = 0  # training steps
    assetgan_version: str = ""
    training_config: dict[str, Any] = field(default_factory=dict)
    palette: list[str] = field(default_factory=list)  # "#rrggbb" colours learned from the training data
    default_truncation: float = 1.0  # truncation psi used when the user gives none
    default_keep: float = 1.0  # fraction of critic-ranked candidates `generate` keeps when the user gives none
    metrics: dict[str, Any] = field(default_factory=dict)  # measured quality figures, if any
    notes: str = ""
    domains: list[str] = field(default_factory=list)  # cyclegan: names of domains A and B, e.g. photo, monet
    pad_multiple: int = 1  # cyclegan: input sides must be multiples of this (the runtime pads)
    critic: bool = False  # dcgan: the file also holds the discriminator (input critic.image -> critic.score)
    card_version: int = CARD_VERSION

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "model") -> ModelCard:
        try:
            d = json.loads(text)
        except json.JSONDecodeError:
            raise ModelError(f"{source}: its assetgan model card is not valid JSON; re-export the model") from None
        if not isinstance(d, dict) or d.get("kind") not in KINDS:
            raise ModelError(f"{source}: model card has unknown kind {d.get('kind') if isinstance(d, dict) else d!r};"
                             " re-export it with assetgan to-onnx")
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{k: v for k, v in d.items() if k in names})
        except TypeError as exc:
            raise ModelError(f"{source}: incomplete model card ({exc}); re-export the model") from None

    def summary(self) -> str:
        """One line for listings: kind, size, channels, tileable, data and licence."""
        chan = "RGBA" if self.channels == 4 else "RGB"
        if self.kind == "cyclegan":
            a, b = (self.domains + ["a", "b"])[:2] if len(self.domains) < 2 else self.domains[:2]
            return (f"cyclegan {a} <-> {b}, any size (trained on {self.size}px crops), {self.steps} steps; "
                    f"data: {self.data_source or '?'} ({self.data_licence or 'licence unknown'})")
        tile = ", tileable" if self.tileable else ""
        return (f"{self.kind} {self.size}x{self.size} {chan}{tile}, nz={self.nz}, {self.steps} steps; "
                f"data: {self.data_source or '?'} ({self.data_licence or 'licence unknown'})")
