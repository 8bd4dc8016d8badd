"""Curate tab: every item of the session, filtered by state and tag, with favourite/reject/tag/rename."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from .controller import AppController
from .item_grid import LABELS, ItemGrid
from .session import FILTERS


class CurateTab(QWidget):
    """Rebuilt lazily: while hidden it only marks itself dirty, so big batches do not pay for it."""

    def __init__(self, ctl: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.dirty = True
        self.filter = QComboBox()
        self.filter.addItems([f.capitalize() for f in FILTERS])
        self.filter.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("tag contains…")
        self.tag.setClearButtonEnabled(True)
        self.tag.textChanged.connect(lambda _t: self.rebuild())
        self.counts = QLabel()
        self.grid = ItemGrid(ctl.store)
        self.grid.action.connect(ctl.curate)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter)
        top.addWidget(self.tag)
        for action in ("favourite", "reject", "tag", "rename", "explore"):
            b = QPushButton(LABELS[action])
            b.clicked.connect(lambda _c=False, a=action: self.grid.fire(a))
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        hint = QLabel("F favourite · X/Delete reject · T tag · F2 rename · E or double-click explore · "
                      "Shift+Delete remove · Ctrl+Z undo · Ctrl+wheel zoom · every change is saved at once")
        hint.setEnabled(False)
        hint.setWordWrap(True)  # never sets the window's minimum width
        layout.addWidget(hint)
        ctl.session_changed.connect(self._mark)
        ctl.items_changed.connect(self._mark)
        ctl.images_arrived.connect(self._images)

    def state_filter(self) -> str:
        return FILTERS[self.filter.currentIndex()]

    def set_filter(self, state: str, tag: str = "") -> None:
        self.filter.setCurrentIndex(FILTERS.index(state))
        self.tag.setText(tag)
        self.rebuild()

    def _mark(self) -> None:
        self.dirty = True
        if self.isVisible():
            self.rebuild()

    def _images(self, names: list) -> None:
        if self.isVisible() and not self.dirty and self.ctl.session is not None:
            s = self.ctl.session
            self.grid.refresh([s.item(n) for n in names if n in s.names()])

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.dirty:
            self.rebuild()
        super().showEvent(event)

    def rebuild(self) -> None:
        s = self.ctl.session
        self.dirty = False
        if s is None:
            self.grid.set_items([])
            return
        shown = s.filtered(self.state_filter(), self.tag.text())
        self.grid.set_items(shown)
        fav = sum(it.state == "favourite" for it in s.items)
        rej = sum(it.state == "rejected" for it in s.items)
        self.counts.setText(f"{len(shown)} shown · {len(s.items)} items · {fav} ★ · {rej} ✕")
