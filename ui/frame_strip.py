"""Explore's frame strip: the frames of the last walk, blend, variation, direction or class morph, rendered in the
background; frames (not those of a morph) can be kept as collection items."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListView, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from .batch import render_latents
from .controller import AppController
from .morph import render_blend
from .pixmaps import thumb_icon
from .workers import Job

NO_KEEP = "Frames of a class morph cannot be kept: an item has exactly one class."
KEEP_TIP = "Adds the selected frames to the collection (double-click a frame to keep it)."


class FrameStrip(QWidget):
    """A title, the frames as large thumbnails, and a button that keeps the selected ones."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.z = np.zeros((0, 0), np.float32)  # [n, nz] latents of the frames
        self.images: dict[int, np.ndarray] = {}
        self.base = "frame"  # kept frames are named base_01, base_02, …
        self.cls: str | None = None  # class a conditional model's frames are drawn in
        self.mix: np.ndarray | None = None  # class weights [n, K] of a class morph
        self.job: Job | None = None
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setIconSize(QSize(96, 96))
        self.list.setGridSize(QSize(112, 122))
        blank = QPixmap(96, 96)
        blank.fill(QColor("#d0d0d0"))
        self._blank = QIcon(blank)  # sized placeholder until a frame's image arrives
        self.list.itemDoubleClicked.connect(lambda _i: self.add_selected())
        self.title = QLabel("No strip yet.")
        self.add_button = QPushButton("Keep selected frames")
        self.add_button.setToolTip(KEEP_TIP)
        self.add_button.clicked.connect(self.add_selected)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.title)
        col.addWidget(self.list, 1)
        col.addWidget(self.add_button)

    def show_frames(self, z: np.ndarray, base: str, title: str, cls: str | None = None,
                    mix: np.ndarray | None = None) -> Job | None:
        """Show blank frames for latents z [n, nz] (drawn in class `cls`, or through class weights `mix` [n, K])
        and start rendering them."""
        if self.job is not None:
            self.job.cancel()
        self.z, self.base, self.cls, self.mix = z, base, cls, mix
        self.images = {}
        self.list.clear()
        self.title.setText(title)
        self.add_button.setEnabled(mix is None)
        self.add_button.setToolTip(NO_KEEP if mix is not None else KEEP_TIP)
        for i in range(len(z)):
            self.list.addItem(QListWidgetItem(self._blank, str(i + 1)))
        return self.render()

    def render(self) -> Job | None:
        m = self.ctl.model
        if m is None or not len(self.z):
            return None
        z, mix, keys = self.z, self.mix, [str(i) for i in range(len(self.z))]
        if mix is not None:
            job = Job(lambda ctx: render_blend(m, keys, z, mix, ctx, ctx.emit), "class morph")
        else:
            k = len(m.card.classes)
            y = np.full(len(keys), m.card.classes.index(self.cls) if self.cls in m.card.classes else 0,
                        np.int64) if k else None
            job = Job(lambda ctx: render_latents(m, keys, z, ctx, ctx.emit, classes=y), "explore")
        job.signals.error.connect(lambda msg: self.ctl.alert("Explore", msg))
        self.job = job
        return self.ctl.runner.start(job, lambda chunk, z=z: z is self.z and self._chunk(chunk))

    def _chunk(self, chunk: list) -> None:
        for key, img in chunk:
            i = int(key)
            self.images[i] = img
            self.list.item(i).setIcon(thumb_icon(img, 96, self.ctl.store.tiled))
        if self.ctl.model is not None:
            self.ctl.status.emit(f"last inference {self.ctl.model.last_seconds * 1000:.0f} ms")

    def add_frames(self, indices: list[int]) -> list[str]:
        """Add frames to the session as items with explicit z; returns their names."""
        s = self.ctl.session
        added: list[str] = []
        if s is None or not indices:
            return added
        if self.mix is not None:
            self.ctl.alert("Keep frames", NO_KEEP)
            return added
        for i in sorted(indices):
            ok = self.ctl.attempt("Keep frame", lambda i=i: added.append(
                s.add_latent(self.z[i], f"{self.base}_{i + 1:02d}", ["explore"], self.cls).name))
            if ok and i in self.images:
                self.ctl.store.put(added[-1], self.images[i])
        self.ctl.images_arrived.emit(added)
        self.ctl.status.emit(f"added {len(added)} frame(s) to the collection")
        return added

    def add_selected(self) -> None:
        self.add_frames([self.list.row(i) for i in self.list.selectedItems()])
