"""A row of small thumbnails showing what one principal direction changes, and the cache of those rows."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from .pixmaps import to_pixmap
from .thumbs import thumbnail

COUNT = 5  # thumbnails per direction: -3 sigma, -1.5, 0, +1.5, +3
SIDE = 32  # thumbnail side in pixels


class ThumbRow(QWidget):
    """`count` thumbnails side by side; `images` holds what each shows (None until it arrives)."""

    def __init__(self, count: int = COUNT, side: int = SIDE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.images: list[np.ndarray | None] = [None] * count
        self.labels = [QLabel() for _ in range(count)]
        blank = QPixmap(side, side)
        blank.fill(QColor("#d0d0d0"))
        self._blank = blank
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for label in self.labels:
            label.setFixedSize(side, side)
            label.setPixmap(blank)
            row.addWidget(label)

    def clear(self) -> None:
        self.images = [None] * len(self.labels)
        for label in self.labels:
            label.setPixmap(self._blank)

    def set_image(self, j: int, img: np.ndarray, tiled: bool = False) -> None:
        self.images[j] = img
        self.labels[j].setPixmap(to_pixmap(thumbnail(img, self.side, tiled)))


class StripCache:
    """Rendered direction strips by (latent, class, direction): moving back to an item shows them at once."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._rows: dict[tuple[bytes, str | None, int], list[np.ndarray]] = {}

    @staticmethod
    def key(z: np.ndarray, cls: str | None, index: int) -> tuple[bytes, str | None, int]:
        return np.asarray(z, np.float32).tobytes(), cls, index

    def get(self, z: np.ndarray, cls: str | None, index: int) -> list[np.ndarray] | None:
        return self._rows.get(self.key(z, cls, index))

    def put(self, z: np.ndarray, cls: str | None, index: int, images: list[np.ndarray]) -> None:
        if len(self._rows) >= self.limit:
            self._rows.pop(next(iter(self._rows)))  # the oldest row
        self._rows[self.key(z, cls, index)] = images

    def clear(self) -> None:
        self._rows.clear()
