"""The Generate tab's class picker: a button whose menu lists a conditional model's classes with check boxes and
"All classes"; it emits the checked classes (full names, card order) whenever the user changes them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QToolButton, QWidget, QWidgetAction

from .class_choice import labels, summary

CLASS_ROLE = Qt.ItemDataRole.UserRole  # a row's full class name; None on the "All classes" row
MAX_ROWS = 14  # rows shown before the list scrolls


class ClassPicker(QToolButton):
    """Shows the choice ("All classes", "potion, orc", "No class"); the menu stays open while boxes are ticked."""

    changed = Signal(list)  # the checked classes, full names in card order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.known: list[str] = []
        self._syncing = False
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.itemChanged.connect(self._item_changed)
        menu = QMenu(self)
        act = QWidgetAction(menu)
        act.setDefaultWidget(self.list)
        menu.addAction(act)
        self.setMenu(menu)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

    def set_classes(self, known: Sequence[str], chosen: Sequence[str]) -> None:
        """List the model's classes with `chosen` checked; emits nothing."""
        self.known = list(known)
        names = labels(self.known)
        self._syncing = True
        self.list.clear()
        self.list.addItem(self._row("All classes", None, f"every class of the model ({len(self.known)})"))
        for c in self.known:
            self.list.addItem(self._row(names[c], c, c))
        self._syncing = False
        self._check(set(chosen))
        rows = min(len(self.known) + 1, MAX_ROWS)
        self.list.setFixedHeight(rows * max(self.list.sizeHintForRow(0), 18) + 2 * self.list.frameWidth() + 2)
        self.list.setMinimumWidth(self.list.sizeHintForColumn(0) + 40)

    @staticmethod
    def _row(text: str, cls: str | None, tip: str) -> QListWidgetItem:
        row = QListWidgetItem(text)
        row.setData(CLASS_ROLE, cls)
        row.setToolTip(tip)
        row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        row.setCheckState(Qt.CheckState.Unchecked)
        return row

    def chosen(self) -> list[str]:
        """The checked classes, full names in card order."""
        rows = (self.list.item(r) for r in range(1, self.list.count()))
        return [r.data(CLASS_ROLE) for r in rows if r.checkState() == Qt.CheckState.Checked]

    def set_chosen(self, names: Sequence[str]) -> None:
        """Check exactly `names` (as the user would) and emit `changed`."""
        self._check(set(names))
        self._emit()

    def _check(self, names: set[str]) -> None:
        self._syncing = True
        for r in range(1, self.list.count()):
            row = self.list.item(r)
            row.setCheckState(Qt.CheckState.Checked if row.data(CLASS_ROLE) in names else Qt.CheckState.Unchecked)
        self._sync_all_row()
        self._syncing = False

    def _sync_all_row(self) -> None:
        """The "All classes" row: checked when every class is, partly when some are."""
        if not self.list.count():
            return
        n = len(self.chosen())
        state = (Qt.CheckState.Checked if n == len(self.known) else
                 Qt.CheckState.Unchecked if n == 0 else Qt.CheckState.PartiallyChecked)
        self.list.item(0).setCheckState(state)
        self.setText(summary(self.chosen(), self.known) + " ")
        self.setToolTip("Classes each batch deals round robin, like `assetgan generate --class …`:\n"
                        + ("\n".join(self.chosen()) or "none chosen"))

    def _item_changed(self, row: QListWidgetItem) -> None:
        if self._syncing:
            return
        if row.data(CLASS_ROLE) is None:  # "All classes": every class, or none
            on = row.checkState() != Qt.CheckState.Unchecked
            self._check(set(self.known) if on else set())
        else:
            self._syncing = True
            self._sync_all_row()
            self._syncing = False
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.chosen())
