"""A large pixel-crisp preview of the selected item (the largest whole scale that fits) with its name, seed, class
and tags."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from assetgan.export.collection import Item

from .item_grid import ItemGrid, crisp_pixmap

PREVIEW_MAX_SCALE = 32


def fit_scale(w: int, h: int, box_w: int, box_h: int, limit: int = PREVIEW_MAX_SCALE) -> int:
    """The largest whole factor that shows a w x h image inside box_w x box_h (at least 1, at most `limit`)."""
    if w <= 0 or h <= 0:
        return 1
    return max(1, min(limit, box_w // w, box_h // h))


def describe_item(it: Item) -> str:
    """Name, seed (or explicit latent), truncation, class, state and tags, one per line."""
    lines = [it.name, f"seed {it.seed}" if it.seed is not None else "explicit latent"]
    if it.truncation is not None:
        lines[-1] += f" · ψ {it.truncation:g}"
    if it.class_name:
        lines.append(f"class {it.class_name}")
    if it.state != "none":
        lines.append({"favourite": "★ favourite", "rejected": "✕ rejected"}.get(it.state, it.state))
    if it.tags:
        lines.append("tags: " + ", ".join(f"#{t}" for t in it.tags))
    return "\n".join(lines)


class PreviewPanel(QWidget):
    """Shows one item of a grid; the main window tells it which grid's selection to follow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setMinimumSize(128, 128)
        self.info = QLabel("Select an item to see it large.")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.info)
        self.scale = 0
        self._pixmap: QPixmap | None = None

    def show_item(self, grid: ItemGrid | None, it: Item | None) -> None:
        """Show `it` as `grid` draws it, or a hint when nothing is selected."""
        self._pixmap = grid.base_pixmap(it.name) if grid is not None and it is not None else None
        self.info.setText(describe_item(it) if it is not None else "Select an item to see it large.")
        self._draw()

    def _draw(self) -> None:
        pm = self._pixmap
        if pm is None or pm.isNull():
            self.scale = 0
            self.image.setPixmap(QPixmap())
            return
        self.scale = fit_scale(pm.width(), pm.height(), self.image.width(), self.image.height())
        self.image.setPixmap(crisp_pixmap(pm, self.scale))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._draw()
