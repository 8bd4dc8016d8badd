"""numpy uint8 images -> QPixmap/QIcon for the views."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QIcon, QImage, QPixmap

from .thumbs import thumbnail


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    """uint8 [H, W, 3] -> QPixmap (copied, so the array may be freed)."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    img = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(img.copy())


def thumb_icon(img: np.ndarray, target: int, tiled: bool) -> QIcon:
    return QIcon(to_pixmap(thumbnail(img, target, tiled)))


class ThumbStore:
    """Generated images by item name and their thumbnail icons, shared by every grid."""

    def __init__(self, target: int = 96) -> None:
        self.target = target
        self.tiled = False  # 3x3 tiled thumbnails for tileable texture models
        self.images: dict[str, np.ndarray] = {}
        self._icons: dict[str, QIcon] = {}

    def put(self, name: str, img: np.ndarray) -> None:
        self.images[name] = img
        self._icons.pop(name, None)

    def icon(self, name: str) -> QIcon | None:
        if name not in self.images:
            return None
        if name not in self._icons:
            self._icons[name] = thumb_icon(self.images[name], self.target, self.tiled)
        return self._icons[name]

    def rename(self, old: str, new: str) -> None:
        if old in self.images:
            self.images[new] = self.images.pop(old)
        if old in self._icons:
            self._icons[new] = self._icons.pop(old)

    def clear(self) -> None:
        self.images.clear()
        self._icons.clear()
