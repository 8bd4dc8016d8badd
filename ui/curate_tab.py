"""Curate tab: every item of the session, filtered by state, tag and (conditional models) class, with
favourite/reject/tag/rename."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from assetgan.export.collection import Item

from .class_choice import labels
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
        self.tag.setMinimumWidth(120)
        self.tag.setMaximumWidth(320)
        self.tag.textChanged.connect(lambda _t: self.rebuild())
        self.class_filter = QComboBox()  # "All classes" plus each class present; shown only when items have one
        self.class_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.class_filter.setMinimumContentsLength(9)  # "All classes"; longer names elide, the tooltip is full
        self.class_filter.currentIndexChanged.connect(lambda _i: self._class_picked())
        self.class_filter.setVisible(False)
        self._filling = False
        self.counts = QLabel()
        self.grid = ItemGrid(ctl.store)
        self.grid.action.connect(ctl.curate)
        top = QHBoxLayout()  # filters and counts; the actions get a second row, so a narrow window fits both
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter)
        top.addWidget(self.tag, 1)
        top.addWidget(self.class_filter)
        top.addStretch(1)
        top.addWidget(self.counts)
        actions = QHBoxLayout()
        for action in ("favourite", "reject", "tag", "rename", "explore"):
            b = QPushButton(LABELS[action])
            b.clicked.connect(lambda _c=False, a=action: self.grid.fire(a))
            actions.addWidget(b)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
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

    def class_name(self) -> str | None:
        """The class shown (full name), or None for every class."""
        return self.class_filter.currentData() if self.class_filter.isVisibleTo(self) else None

    def set_class(self, cls: str | None) -> None:
        """Show only items of class `cls` (None: every class)."""
        self.class_filter.setCurrentIndex(self._index_of(cls))
        self.rebuild()

    def _index_of(self, cls: str | None) -> int:
        return 0 if cls is None else max(0, self.class_filter.findData(cls))

    def _class_picked(self) -> None:
        if not self._filling:
            self.rebuild()

    def _fill_classes(self, items: list[Item]) -> None:
        """List "All classes" and each class the items have (card order first), keeping the current choice."""
        known = self.ctl.model.card.classes if self.ctl.model is not None else []
        present = {it.class_name for it in items if it.class_name}
        classes = [c for c in known if c in present] + sorted(present - set(known))
        names = labels(classes)
        current = self.class_filter.currentData()
        self._filling = True
        self.class_filter.clear()
        self.class_filter.addItem("All classes", None)
        for c in classes:
            self.class_filter.addItem(names[c], c)
            self.class_filter.setItemData(self.class_filter.count() - 1, c, Qt.ItemDataRole.ToolTipRole)
        self.class_filter.setCurrentIndex(self._index_of(current))
        self._filling = False
        self.grid.class_labels = labels(known) if known else names
        self.class_filter.setVisible(bool(known or classes))

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
        self._fill_classes(s.items)
        cls = self.class_name()
        shown = [it for it in s.filtered(self.state_filter(), self.tag.text()) if cls is None or it.class_name == cls]
        self.grid.set_items(shown)
        fav = sum(it.state == "favourite" for it in s.items)
        rej = sum(it.state == "rejected" for it in s.items)
        self.counts.setText(f"{len(shown)} shown · {len(s.items)} items · {fav} ★ · {rej} ✕")
