"""numpy uint8 images -> QImage/QPixmap/QIcon for the views; item thumbnails finished the way export finishes them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
from PySide6.QtGui import QIcon, QImage, QPixmap

from assetgan.export.collection import OutputSettings
from assetgan.render.postprocess import Finisher
from assetgan.runtime.model import GeneratorModel

from .thumbs import finisher_for, thumbnail

FORMATS = {3: QImage.Format.Format_RGB888, 4: QImage.Format.Format_RGBA8888}


def to_qimage(img: np.ndarray) -> QImage:
    """uint8 [H, W, 3|4] -> QImage (RGB888 or straight-alpha RGBA8888; copied, so the array may be freed)."""
    img = np.ascontiguousarray(img)
    h, w, c = img.shape
    return QImage(img.data, w, h, c * w, FORMATS[c]).copy()


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    """uint8 [H, W, 3|4] -> QPixmap (copied, so the array may be freed)."""
    return QPixmap.fromImage(to_qimage(rgb))


def thumb_icon(img: np.ndarray, target: int, tiled: bool) -> QIcon:
    return QIcon(to_pixmap(thumbnail(img, target, tiled)))


class ThumbStore:
    """Generated images by item name and their thumbnail icons, shared by every grid.

    `images` holds the model's raw output; what the views show is `finished`: the same pixels `assetgan export`
    writes for the session's output settings (see `finish_like`)."""

    def __init__(self, target: int = 96) -> None:
        self.target = target
        self.tiled = False  # 3x3 tiled thumbnails for tileable texture models
        self.images: dict[str, np.ndarray] = {}
        self.finisher = Finisher()
        self._finish_key: tuple | None = None
        self._finished: dict[str, np.ndarray] = {}
        self._icons: dict[str, QIcon] = {}

    def finish_like(self, output: OutputSettings, model: GeneratorModel, base_dir: Path) -> str:
        """Finish thumbnails as an export of `output` does; when that changes every icon is remade.
        Returns a one-line problem when export's palette cannot be applied ("" otherwise, or when unchanged)."""
        key = (json.dumps(dataclasses.asdict(output), sort_keys=True), str(model.path), str(base_dir))
        if key == self._finish_key:
            return ""
        self._finish_key = key
        self.finisher, problem = finisher_for(output, model, base_dir)
        self._finished.clear()
        self._icons.clear()
        return problem

    def put(self, name: str, img: np.ndarray) -> None:
        self.images[name] = img
        self._finished.pop(name, None)
        self._icons.pop(name, None)

    def finished(self, name: str) -> np.ndarray | None:
        """The image of item `name` as export writes it (uint8 [H*scale, W*scale, C]); None before it arrives."""
        if name not in self.images:
            return None
        if name not in self._finished:
            self._finished[name] = self.finisher(self.images[name])
        return self._finished[name]

    def image(self, name: str) -> QImage | None:
        """`finished(name)` as a QImage: pixel for pixel the exported PNG."""
        img = self.finished(name)
        return None if img is None else to_qimage(img)

    def thumb(self, img: np.ndarray, target: int) -> np.ndarray:
        """A thumbnail of any generated image (an explore frame, say) finished like the items."""
        return thumbnail(self.finisher(img), target, self.tiled)

    def icon(self, name: str) -> QIcon | None:
        img = self.finished(name)
        if img is None:
            return None
        if name not in self._icons:
            self._icons[name] = QIcon(to_pixmap(thumbnail(img, self.target, self.tiled)))
        return self._icons[name]

    def rename(self, old: str, new: str) -> None:
        for d in (self.images, self._finished, self._icons):
            if old in d:
                d[new] = d.pop(old)

    def clear(self) -> None:
        self.images.clear()
        self._finished.clear()
        self._icons.clear()
