"""Explore tab: strips around a selected item in plain words (walk one input number, blend two favourites,
variations, main directions of change, class morph), drawn in a picked class for conditional models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assetgan.core.errors import AssetganError
from assetgan.runtime.classes import item_class_problem, short_name
from assetgan.runtime.latent import item_latent, latent_size_problem

from . import explore
from .controller import AppController
from .explore_directions import DirectionsPanel
from .explore_words import AMOUNT, BLEND, CLASS, FRAMES, OWN_CLASS, VARIATIONS, WALK, WALK_NUMBER
from .frame_strip import FrameStrip
from .morph import morph_plan
from .morph_box import MorphBox
from .pixmaps import to_pixmap
from .thumbs import thumbnail
from .workers import Job

HINT = "Select an item in Generate or Curate and press E (or double-click it)."


def _tip(widget: QWidget, words: tuple[str, str]) -> QWidget:
    widget.setToolTip(words[1])
    return widget


class ExploreTab(QWidget):
    """Controls on the left; the frame strip on the right. Any frame (but a morph's) or the directions' preview can
    be kept."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.source: str | None = None
        self._build()
        ctl.session_changed.connect(self._session)
        ctl.items_changed.connect(self._favourites)
        ctl.explore_requested.connect(self.set_source)
        ctl.images_arrived.connect(lambda names: self.source in names and self._show_source())

    # ---- layout
    def _build(self) -> None:
        self.source_image = QLabel()
        self.source_image.setFixedSize(96, 96)
        self.source_label = QLabel(HINT)
        self.source_label.setWordWrap(True)
        self.frames = _tip(QSpinBox(), FRAMES)
        self.frames.setRange(2, 32)
        self.frames.setValue(9)
        self.class_pick = _tip(QComboBox(), CLASS)
        self.class_pick.currentIndexChanged.connect(lambda _i: self._class_changed())
        self.dim = _tip(QSpinBox(), WALK_NUMBER)
        self.walk_button = _tip(QPushButton("Walk from −3 to +3"), WALK)
        self.walk_button.clicked.connect(self.walk)
        self.fav_a, self.fav_b = QComboBox(), QComboBox()
        self.slerp_button = _tip(QPushButton("Blend"), BLEND)
        self.slerp_button.clicked.connect(self.interpolate)
        self.strength = _tip(QDoubleSpinBox(), AMOUNT)
        self.strength.setRange(0.05, 2.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(0.3)
        self.var_button = _tip(QPushButton("Make variations"), VARIATIONS)
        self.var_button.clicked.connect(self.variations)
        self.dirs = DirectionsPanel(self)
        self.morph_box = MorphBox()
        self.morph_box.button.clicked.connect(self.morph)

        controls = QVBoxLayout()
        src = QHBoxLayout()
        src.addWidget(self.source_image)
        src.addWidget(self.source_label, 1)
        controls.addLayout(src)
        row = QHBoxLayout()
        row.addWidget(QLabel(FRAMES[0]))
        row.addWidget(self.frames)
        self.class_label = _tip(QLabel(CLASS[0]), CLASS)
        row.addWidget(self.class_label)
        row.addWidget(self.class_pick, 1)
        controls.addLayout(row)
        controls.addWidget(self._group(WALK, [_tip(QLabel(WALK_NUMBER[0]), WALK_NUMBER), self.dim], self.walk_button))
        controls.addWidget(self._group(BLEND, [self.fav_a, self.fav_b], self.slerp_button))
        controls.addWidget(self._group(VARIATIONS, [_tip(QLabel(AMOUNT[0]), AMOUNT), self.strength], self.var_button))
        controls.addWidget(self.morph_box)
        controls.addWidget(self.dirs)
        controls.addStretch(1)
        panel = QWidget()
        panel.setLayout(controls)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(400)

        self.frame_strip = FrameStrip(self.ctl)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.frame_strip, 1)
        self._enable(False)

    def _group(self, words: tuple[str, str], widgets: list[QWidget], button: QPushButton) -> QGroupBox:
        box = _tip(QGroupBox(words[0]), words)
        col = QVBoxLayout(box)
        row = QHBoxLayout()
        for w in widgets:
            row.addWidget(w, 1)
        col.addLayout(row)
        col.addWidget(button)
        return box

    def _enable(self, on: bool) -> None:
        for w in (self.walk_button, self.var_button, self.morph_box.button):
            w.setEnabled(on)
        self.dirs.enable(on)
        self.slerp_button.setEnabled(self.fav_a.count() > 1)

    # ---- what the principal directions panel holds (the names tests and screenshots use)
    directions = property(lambda self: self.dirs.directions)
    sliders = property(lambda self: self.dirs.sliders)
    direction_strips = property(lambda self: self.dirs.strips)
    pc_choice = property(lambda self: self.dirs.choice)
    pca_label = property(lambda self: self.dirs.label)
    preview_z = property(lambda self: self.dirs.preview_z)
    preview_img = property(lambda self: self.dirs.preview_img)

    strip = property(lambda self: self.frame_strip.list)
    strip_z = property(lambda self: self.frame_strip.z)
    strip_images = property(lambda self: self.frame_strip.images)
    strip_class = property(lambda self: self.frame_strip.cls)
    add_button = property(lambda self: self.frame_strip.add_button)

    def add_frames(self, indices: list[int]) -> list[str]:
        return self.frame_strip.add_frames(indices)

    def compute_directions(self) -> Job | None:
        return self.dirs.compute()

    def add_preview(self) -> str | None:
        return self.dirs.add_preview()

    def along_pc(self, index: int) -> None:
        self.dirs.along(index)

    def slider_values(self) -> np.ndarray:
        return self.dirs.slider_values()

    # ---- state from the controller
    def _session(self) -> None:
        self.source = None
        self.dirs.clear()
        self.frame_strip.show_frames(np.zeros((0, 0), np.float32), "", "No strip yet.")
        s, m = self.ctl.session, self.ctl.model
        if s is not None:
            self.frames.setValue(s.settings.explore_frames)
            self.strength.setValue(s.settings.variation_strength)
        if m is not None:
            self.dim.setRange(0, m.nz - 1)
            if s is not None:
                self.dim.setValue(min(s.settings.explore_dim, m.nz - 1))
        classes = m.classes if m is not None else []
        self.class_pick.blockSignals(True)
        self.class_pick.clear()
        self.class_pick.addItems([OWN_CLASS, *classes])
        self.class_pick.blockSignals(False)
        for w in (self.class_label, self.class_pick):
            w.setVisible(bool(classes))
        self.morph_box.set_model(m)
        self.source_label.setText(HINT)
        self.source_image.clear()
        self._favourites()
        self._enable(False)

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
        try:
            self.morph_box.pick_a(self.source_class())
        except AssetganError:
            pass
        self.dirs.class_changed(self.source_class())

    def _class_changed(self) -> None:
        if self.source is not None:
            self.dirs.class_changed(self.source_class())

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
        """The class of session item `name` for a conditional model, else None; an item the model cannot render by
        class is refused."""
        s, m = self.ctl.session, self.ctl.model
        if s is None or m is None or name is None:
            raise AssetganError("explore: select an item first (E or double-click in Generate or Curate)")
        item = s.item(name)
        problem = item_class_problem(item.name, item.class_name, m.card.classes, m.path.name)
        if problem:
            raise AssetganError(problem)
        return item.class_name

    def picked_class(self) -> str | None:
        """The class picked in Explore for a conditional model; None for "each item's own" (or no classes)."""
        return self.class_pick.currentText() if self.class_pick.currentIndex() > 0 else None

    def render_class(self, name: str | None) -> str | None:
        """The class a strip starting from item `name` is drawn in: the picked class, else the item's own."""
        return self.picked_class() or self.item_class(name)

    def source_class(self) -> str | None:
        return self.render_class(self.source)

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
        k = self.dim.value()
        self._strip_from(lambda: explore.walk(self.source_z(), k, self.frames.value()), f"{self.source}_z{k}",
                         f"Input number {k} of {self.source}, from −3 to +3", self.source_class)

    def interpolate(self) -> None:
        s, m = self.ctl.session, self.ctl.model
        a, b = self.fav_a.currentText(), self.fav_b.currentText()
        if s is None or m is None or not a or not b or a == b:
            self.ctl.alert("Blend", "pick two different favourites (F marks an item as favourite)")
            return
        title = f"Blend of {a} → {b}"
        try:
            drawn, own_b = self.render_class(a), self.item_class(b)
        except AssetganError as exc:
            self.ctl.alert("Explore", str(exc))
            return
        if drawn != own_b:  # the whole strip takes one class, so its last frame is b's latent drawn as that class
            title += f", all drawn as {short_name(drawn)} (Class morph turns one class into another)"
        self._strip_from(lambda: explore.slerp(self.item_z(a), self.item_z(b), self.frames.value()),
                         f"{a}_to_{b}"[:100], title, lambda: drawn)

    def variations(self) -> None:
        strength = round(self.strength.value(), 2)
        seed = int(np.random.default_rng().integers(2**31))
        self._strip_from(lambda: explore.variations(self.source_z(), self.frames.value(), strength, seed),
                         f"{self.source}_var", f"Variations of {self.source} (amount {strength})", self.source_class)

    def morph(self) -> None:
        """The current item's z drawn from class A to class B (its frames can be looked at, not kept)."""
        m, box = self.ctl.model, self.morph_box
        a, b, steps = box.class_a.currentText(), box.class_b.currentText(), box.steps.value()
        try:
            if m is None:
                raise AssetganError("class morph: no model is open; pick one in the Library tab")
            z, mix = morph_plan(m, self.source_z(), a, b, steps)
        except AssetganError as exc:
            self.ctl.alert("Class morph", str(exc))
            return
        self.frame_strip.show_frames(z, f"{self.source}_morph", f"{self.source} from {a} to {b} in {steps} steps",
                                     None, mix)

    def _strip_from(self, make: Callable[[], np.ndarray], base: str, title: str,
                    cls: Callable[[], str | None] = lambda: None) -> None:
        try:
            z, c = make(), cls()
        except (AssetganError, ValueError) as exc:
            self.ctl.alert("Explore", str(exc))
            return
        self._remember()
        self.frame_strip.show_frames(z, base, title, c)
