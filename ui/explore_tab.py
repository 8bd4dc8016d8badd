"""Explore tab: strips around a selected item (walk one dimension, slerp, variations, principal directions)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assetgan.core.errors import AssetganError
from assetgan.runtime.classes import item_class_problem
from assetgan.runtime.latent import item_latent, latent_size_problem

from . import explore, pca
from .batch import render_latents
from .controller import AppController
from .pixmaps import thumb_icon, to_pixmap
from .settings import cache_dir
from .thumbs import thumbnail
from .workers import Job

SLIDERS = 6  # principal directions offered as sliders
STEPS = 100  # slider units per sigma


class ExploreTab(QWidget):
    """Controls on the left; the strip on the right. Any strip frame (or the PC preview) can be kept."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.source: str | None = None
        self.strip_z = np.zeros((0, 0), np.float32)
        self.strip_images: dict[int, np.ndarray] = {}
        self.strip_base = "frame"
        self.strip_class: str | None = None  # class of a conditional model's strip: its source item's
        self.directions: pca.Directions | None = None
        self.preview_z: np.ndarray | None = None
        self.preview_img: np.ndarray | None = None
        self.preview_class: str | None = None
        self.strip_job: Job | None = None
        self._build()
        ctl.session_changed.connect(self._session)
        ctl.items_changed.connect(self._favourites)
        ctl.explore_requested.connect(self.set_source)
        ctl.images_arrived.connect(lambda names: self.source in names and self._show_source())

    # ---- layout
    def _build(self) -> None:
        self.source_image = QLabel()
        self.source_image.setFixedSize(96, 96)
        self.source_label = QLabel("Select an item in Generate or Curate and press E (or double-click it).")
        self.source_label.setWordWrap(True)
        self.frames = QSpinBox()
        self.frames.setRange(2, 32)
        self.frames.setValue(9)
        self.dim = QSpinBox()
        self.walk_button = QPushButton("Walk z[k] from −3σ to +3σ")
        self.walk_button.clicked.connect(self.walk)
        self.fav_a, self.fav_b = QComboBox(), QComboBox()
        self.slerp_button = QPushButton("Interpolate (slerp)")
        self.slerp_button.clicked.connect(self.interpolate)
        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.05, 2.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(0.3)
        self.var_button = QPushButton("Variations")
        self.var_button.clicked.connect(self.variations)
        self.pca_button = QPushButton("Find principal directions")
        self.pca_button.clicked.connect(self.compute_directions)
        self.pca_label = QLabel("GANSpace PCA of 512 samples, cached per model.")
        self.pca_label.setWordWrap(True)
        self.sliders: list[QSlider] = []
        self.slider_grid = QGridLayout()
        self.pc_choice = QComboBox()
        self.pc_strip_button = QPushButton("Strip along")
        self.pc_strip_button.clicked.connect(lambda: self.along_pc(self.pc_choice.currentIndex()))
        self.preview = QLabel()
        self.preview.setFixedSize(96, 96)
        self.add_preview_button = QPushButton("Add preview to collection")
        self.add_preview_button.clicked.connect(self.add_preview)
        self._preview_timer = QTimer(self, singleShot=True, interval=60)
        self._preview_timer.timeout.connect(self._render_preview)

        controls = QVBoxLayout()
        src = QHBoxLayout()
        src.addWidget(self.source_image)
        src.addWidget(self.source_label, 1)
        controls.addLayout(src)
        row = QHBoxLayout()
        row.addWidget(QLabel("Frames"))
        row.addWidget(self.frames)
        row.addStretch(1)
        controls.addLayout(row)
        controls.addWidget(self._group("Walk one latent dimension", [QLabel("k"), self.dim], self.walk_button))
        controls.addWidget(self._group("Interpolate two favourites", [self.fav_a, self.fav_b], self.slerp_button))
        controls.addWidget(self._group("Variations", [QLabel("strength σ"), self.strength], self.var_button))
        pc_box = QGroupBox("Principal directions")
        pc = QVBoxLayout(pc_box)
        pc.addWidget(self.pca_button)
        pc.addWidget(self.pca_label)
        pc.addLayout(self.slider_grid)
        prow = QHBoxLayout()
        prow.addWidget(self.preview)
        pcol = QVBoxLayout()
        strip_row = QHBoxLayout()
        strip_row.addWidget(self.pc_strip_button)
        strip_row.addWidget(self.pc_choice)
        pcol.addLayout(strip_row)
        pcol.addWidget(self.add_preview_button)
        prow.addLayout(pcol)
        pc.addLayout(prow)
        controls.addWidget(pc_box)
        controls.addStretch(1)
        panel = QWidget()
        panel.setLayout(controls)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(380)

        self.strip = QListWidget()
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setResizeMode(QListView.ResizeMode.Adjust)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.strip.setIconSize(QSize(96, 96))
        self.strip.setGridSize(QSize(112, 122))
        blank = QPixmap(96, 96)
        blank.fill(QColor("#d0d0d0"))
        self._blank = QIcon(blank)  # sized placeholder until a frame's image arrives
        self.strip.itemDoubleClicked.connect(lambda _i: self.add_selected())
        self.strip_title = QLabel("No strip yet.")
        self.add_button = QPushButton("Add selected frames to collection")
        self.add_button.clicked.connect(self.add_selected)
        right = QVBoxLayout()
        right.addWidget(self.strip_title)
        right.addWidget(self.strip, 1)
        right.addWidget(self.add_button)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(right, 1)
        self._enable(False)

    def _group(self, title: str, widgets: list[QWidget], button: QPushButton) -> QGroupBox:
        box = QGroupBox(title)
        col = QVBoxLayout(box)
        row = QHBoxLayout()
        for w in widgets:
            row.addWidget(w, 1)
        col.addLayout(row)
        col.addWidget(button)
        return box

    def _enable(self, on: bool) -> None:
        for w in (self.walk_button, self.var_button, self.slerp_button, self.pc_strip_button,
                  self.add_preview_button):
            w.setEnabled(on)
        self.slerp_button.setEnabled(self.fav_a.count() > 1)

    # ---- state from the controller
    def _session(self) -> None:
        self.source = None
        self.directions = None
        self._clear_sliders()
        self._set_strip(np.zeros((0, 0), np.float32), "", "No strip yet.")
        s, m = self.ctl.session, self.ctl.model
        if s is not None:
            self.frames.setValue(s.settings.explore_frames)
            self.strength.setValue(s.settings.variation_strength)
        if m is not None:
            self.dim.setRange(0, m.nz - 1)
            if s is not None:
                self.dim.setValue(min(s.settings.explore_dim, m.nz - 1))
        self.source_label.setText("Select an item in Generate or Curate and press E (or double-click it).")
        self.source_image.clear()
        self._favourites()
        self._enable(False)
        self.slerp_button.setEnabled(self.fav_a.count() > 1)

    def _favourites(self) -> None:
        s = self.ctl.session
        favs = [it.name for it in s.items if it.state == "favourite"] if s else []
        for combo, pick in ((self.fav_a, 0), (self.fav_b, 1)):
            cur = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(favs)
            combo.setCurrentIndex(favs.index(cur) if cur in favs else min(pick, len(favs) - 1))
            combo.blockSignals(False)
        self.slerp_button.setEnabled(len(favs) > 1)
        if self.source is not None and s is not None and self.source not in s.names():
            self.source = None
            self._enable(False)

    def set_source(self, name: str) -> None:
        self.source = name
        self._show_source()
        self._enable(True)
        if self.directions is not None:
            self._reset_sliders()

    def _show_source(self) -> None:
        img = self.ctl.store.images.get(self.source or "")
        if img is not None:
            self.source_image.setPixmap(to_pixmap(thumbnail(img, 96, self.ctl.store.tiled)))
        self.source_label.setText(f"Exploring around {self.source}")

    def source_z(self) -> np.ndarray:
        s, m = self.ctl.session, self.ctl.model
        if s is None or m is None or self.source is None:
            raise AssetganError("explore: select an item first (E or double-click in Generate or Curate)")
        return self.item_z(self.source)

    def item_z(self, name: str) -> np.ndarray:
        """z [nz] of session item `name` (a session and model are open), as `assetgan export` makes it; a z of
        another model's size is refused."""
        s, m = self.ctl.session, self.ctl.model
        item = s.item(name)
        problem = latent_size_problem(item, m.nz)
        if problem:
            raise AssetganError(problem)
        return item_latent(item, m.nz, s.collection.output.truncation)

    def item_class(self, name: str | None) -> str | None:
        """The class of session item `name` for a conditional model (what its strips and frames keep), else None;
        an item the model cannot render by class is refused."""
        s, m = self.ctl.session, self.ctl.model
        if s is None or m is None or name is None:
            raise AssetganError("explore: select an item first (E or double-click in Generate or Curate)")
        item = s.item(name)
        problem = item_class_problem(item.name, item.class_name, m.card.classes, m.path.name)
        if problem:
            raise AssetganError(problem)
        return item.class_name

    def class_ids(self, n: int, cls: str | None) -> np.ndarray | None:
        """Class ids [n] of `cls` for the open conditional model, None for an unconditional one."""
        m = self.ctl.model
        if m is None or not m.card.classes:
            return None
        return np.full(n, m.card.classes.index(cls) if cls in m.card.classes else 0, np.int64)

    # ---- strips
    def _remember(self) -> None:
        s = self.ctl.session
        if s is not None:
            self.ctl.attempt("Explore", lambda: s.update_settings(
                explore_frames=self.frames.value(), explore_dim=self.dim.value(),
                variation_strength=round(self.strength.value(), 2)))

    def walk(self) -> None:
        self._strip_from(lambda: explore.walk(self.source_z(), self.dim.value(), self.frames.value()),
                         f"{self.source}_z{self.dim.value()}", f"z[{self.dim.value()}] of {self.source}, −3σ … +3σ",
                         lambda: self.item_class(self.source))

    def interpolate(self) -> None:
        s, m = self.ctl.session, self.ctl.model
        a, b = self.fav_a.currentText(), self.fav_b.currentText()
        if s is None or m is None or not a or not b or a == b:
            self.ctl.alert("Interpolate", "pick two different favourites (F marks an item as favourite)")
            return
        self._strip_from(lambda: explore.slerp(self.item_z(a), self.item_z(b), self.frames.value()),
                         f"{a}_to_{b}"[:100], f"slerp {a} → {b}", lambda: self.item_class(a))  # a's class

    def variations(self) -> None:
        strength = round(self.strength.value(), 2)
        seed = int(np.random.default_rng().integers(2**31))
        self._strip_from(lambda: explore.variations(self.source_z(), self.frames.value(), strength, seed),
                         f"{self.source}_var", f"variations of {self.source} (σ {strength})",
                         lambda: self.item_class(self.source))

    def along_pc(self, index: int) -> None:
        d = self.directions
        if d is None or not 0 <= index < len(d.directions):
            return
        base = self.preview_z if self.preview_z is not None else self.source_z()
        self._strip_from(lambda: explore.along(base, d.directions[index], float(d.sigmas[index]),
                                               self.frames.value()),
                         f"{self.source}_pc{index + 1}", f"PC{index + 1} around {self.source}, −3σ … +3σ",
                         lambda: self.item_class(self.source))

    def _strip_from(self, make, base: str, title: str, cls=lambda: None) -> None:
        try:
            z, c = make(), cls()
        except (AssetganError, ValueError) as exc:
            self.ctl.alert("Explore", str(exc))
            return
        self._remember()
        self._set_strip(z, base, title, c)
        self.run_strip()

    def _set_strip(self, z: np.ndarray, base: str, title: str, cls: str | None = None) -> None:
        if self.strip_job is not None:
            self.strip_job.cancel()
        self.strip_z, self.strip_base, self.strip_class = z, base, cls
        self.strip_images = {}
        self.strip.clear()
        self.strip_title.setText(title)
        for i in range(len(z)):
            self.strip.addItem(QListWidgetItem(self._blank, str(i + 1)))

    def run_strip(self) -> Job | None:
        m = self.ctl.model
        if m is None or not len(self.strip_z):
            return None
        z, keys = self.strip_z, [str(i) for i in range(len(self.strip_z))]
        y = self.class_ids(len(keys), self.strip_class)
        job = Job(lambda ctx: render_latents(m, keys, z, ctx, ctx.emit, classes=y), "explore")
        job.signals.error.connect(lambda msg: self.ctl.alert("Explore", msg))
        self.strip_job = job
        return self.ctl.runner.start(job, lambda chunk, z=z: z is self.strip_z and self._strip_chunk(chunk))

    def _strip_chunk(self, chunk: list) -> None:
        for key, img in chunk:
            i = int(key)
            self.strip_images[i] = img
            self.strip.item(i).setIcon(thumb_icon(img, 96, self.ctl.store.tiled))
        if self.ctl.model is not None:
            self.ctl.status.emit(f"last inference {self.ctl.model.last_seconds * 1000:.0f} ms")

    def add_frames(self, indices: list[int]) -> list[str]:
        """Add strip frames to the session as items with explicit z; returns their names."""
        s = self.ctl.session
        added: list[str] = []
        if s is None:
            return added
        for i in sorted(indices):
            ok = self.ctl.attempt("Add frame", lambda i=i: added.append(
                s.add_latent(self.strip_z[i], f"{self.strip_base}_{i + 1:02d}", ["explore"], self.strip_class).name))
            if ok and i in self.strip_images:
                self.ctl.store.put(added[-1], self.strip_images[i])
        self.ctl.images_arrived.emit(added)
        self.ctl.status.emit(f"added {len(added)} frame(s) to the collection")
        return added

    def add_selected(self) -> None:
        self.add_frames([self.strip.row(i) for i in self.strip.selectedItems()])

    # ---- principal directions
    def compute_directions(self) -> Job | None:
        m = self.ctl.model
        if m is None:
            return None
        folder = cache_dir() / "pca"
        self.pca_button.setEnabled(False)
        self.pca_label.setText("Sampling 512 latents…")
        k = len(m.card.classes)
        run = (lambda z: m.run(z, np.arange(len(z)) % k)) if k else m.run  # a conditional model: classes in turn
        job = Job(lambda ctx: pca.load_or_compute(run, m.nz, m.sha256(), folder, k=SLIDERS, progress=ctx), "PCA")
        job.signals.progress.connect(lambda d, t: self.pca_label.setText(f"Sampling latents… {d}/{t}"))
        job.signals.result.connect(self._directions)
        job.signals.error.connect(lambda msg: self.ctl.alert("Principal directions", msg))
        job.signals.finished.connect(lambda _c: self.pca_button.setEnabled(True))
        return self.ctl.runner.start(job)

    def _directions(self, result: tuple) -> None:
        d, cached = result
        self.directions = d
        share = ", ".join(f"{n} {e * 100:.0f}%" for n, e in zip(d.names, d.explained))
        self.pca_label.setText(("From cache. " if cached else "") + f"Output variance: {share}")
        self._clear_sliders()
        for i, name in enumerate(d.names):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(-3 * STEPS, 3 * STEPS)
            slider.valueChanged.connect(lambda _v: self._preview_timer.start())
            self.slider_grid.addWidget(QLabel(name), i, 0)
            self.slider_grid.addWidget(slider, i, 1)
            self.sliders.append(slider)
        self.pc_choice.addItems(d.names)
        if self.source is not None:
            self._reset_sliders()

    def _clear_sliders(self) -> None:
        while self.slider_grid.count():
            w = self.slider_grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.sliders = []
        self.pc_choice.clear()
        self.preview.clear()
        self.preview_z = None

    def _reset_sliders(self) -> None:
        for s in self.sliders:
            s.blockSignals(True)
            s.setValue(0)
            s.blockSignals(False)
        self._render_preview()

    def slider_values(self) -> np.ndarray:
        return np.array([s.value() / STEPS for s in self.sliders], np.float32)

    def _render_preview(self) -> None:
        d, m = self.directions, self.ctl.model
        if d is None or m is None or self.source is None:
            return
        try:
            z = explore.apply_sliders(self.source_z(), d.directions, d.sigmas, self.slider_values())
            cls = self.item_class(self.source)
        except AssetganError as exc:
            self.ctl.alert("Explore", str(exc))
            return
        self.preview_z, self.preview_class = z, cls
        y = self.class_ids(1, cls)
        job = Job(lambda ctx: m.run(z[None], y)[0], "preview")
        job.signals.result.connect(lambda img, z=z: z is self.preview_z and self._preview(img))
        self.ctl.runner.start(job)

    def _preview(self, img: np.ndarray) -> None:
        self.preview_img = img
        self.preview.setPixmap(to_pixmap(thumbnail(img, 96, self.ctl.store.tiled)))

    def add_preview(self) -> str | None:
        s = self.ctl.session
        if s is None or self.preview_z is None:
            return None
        out: list[str] = []
        tag = "+".join(f"pc{i + 1}" for i, v in enumerate(self.slider_values()) if v) or "pc0"
        if self.ctl.attempt("Add preview", lambda: out.append(
                s.add_latent(self.preview_z, f"{self.source}_{tag}", ["explore"], self.preview_class).name)):
            if self.preview_img is not None:
                self.ctl.store.put(out[0], self.preview_img)
            self.ctl.images_arrived.emit(out)
            return out[0]
        return None
