"""A thumbnail grid of collection items with curation by mouse (context menu) and keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QMenu, QWidget

from assetgan.export.collection import Item
from assetgan.runtime.classes import short_name

from .pixmaps import ThumbStore

NAME_ROLE = Qt.ItemDataRole.UserRole
# action name -> shortcuts; the main window turns actions into session commands
SHORTCUTS: dict[str, tuple[str, ...]] = {
    "favourite": ("F",), "reject": ("X", "Delete"), "tag": ("T",), "rename": ("F2",), "explore": ("E",),
}
LABELS = {"favourite": "Favourite", "reject": "Reject", "tag": "Tag…", "rename": "Rename…",
          "explore": "Explore"}
MARK = {"favourite": "★ ", "rejected": "✕ ", "none": ""}


class ItemGrid(QListWidget):
    """Shows items (name, state mark, thumbnail); emits `action(name, item names)` for curation commands."""

    action = Signal(str, list)

    def __init__(self, store: ThumbStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSpacing(4)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # names share the model prefix; keep the seed
        self.setWordWrap(True)
        self.set_thumb_size(store.target)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemDoubleClicked.connect(lambda _i: self.action.emit("explore", self.selected_names()))
        self._rows: dict[str, QListWidgetItem] = {}
        self._shown: dict[str, tuple] = {}  # what each row displays, to skip no-op updates
        self._actions: dict[str, QAction] = {}
        for name, keys in SHORTCUTS.items():
            act = QAction(LABELS[name], self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _c=False, n=name: self.fire(n))
            self.addAction(act)
            self._actions[name] = act

    def set_thumb_size(self, px: int) -> None:
        self.setIconSize(QSize(px, px))
        self.setGridSize(QSize(px + 32, px + 58))  # room for the name and a line of tags

    def fire(self, name: str) -> None:
        """Emit curation action `name` (favourite, reject, ...) for the selected items, if any."""
        names = self.selected_names()
        if names:
            self.action.emit(name, names)

    def _menu(self, pos) -> None:
        if not self.selected_names():
            return
        menu = QMenu(self)
        for act in self._actions.values():
            menu.addAction(act)
        menu.exec(self.viewport().mapToGlobal(pos))

    def selected_names(self) -> list[str]:
        return [i.data(NAME_ROLE) for i in self.selectedItems()]

    def names(self) -> list[str]:
        return [self.item(r).data(NAME_ROLE) for r in range(self.count())]

    def set_items(self, items: Sequence[Item]) -> None:
        """Show exactly `items`, keeping the selection where names survive."""
        keep = set(self.selected_names())
        self.setUpdatesEnabled(False)
        self.clear()
        self._rows.clear()
        self._shown.clear()
        for it in items:
            self.add_item(it)
            if it.name in keep:
                self._rows[it.name].setSelected(True)
        self.setUpdatesEnabled(True)

    def add_item(self, it: Item) -> None:
        if it.name in self._rows:
            self.update_item(it)
            return
        row = QListWidgetItem()
        row.setData(NAME_ROLE, it.name)
        self._rows[it.name] = row
        self.addItem(row)
        self.update_item(it)

    def update_item(self, it: Item) -> None:
        row = self._rows.get(it.name)
        if row is None:
            return
        icon = self.store.icon(it.name)
        key = (it.state, tuple(it.tags), it.seed, it.class_name, icon is not None)
        if self._shown.get(it.name) == key:  # nothing visible changed: skip the Qt calls
            return
        self._shown[it.name] = key
        cls = short_name(it.class_name) if it.class_name else ""  # a conditional model's class, by its last part
        second = " ".join(([cls] if cls else []) + ["#" + t for t in it.tags])
        row.setText(MARK.get(it.state, "") + it.name + ("\n" + second if second else ""))
        tip = it.name + (f"\nclass {it.class_name}" if it.class_name else "")
        tip += f"\nseed {it.seed}" if it.seed is not None else "\nexplicit latent"
        row.setToolTip(tip + (f"\ntags: {', '.join(it.tags)}" if it.tags else ""))
        row.setData(Qt.ItemDataRole.ForegroundRole, QBrush(QColor("#888888")) if it.state == "rejected" else None)
        if icon is not None:
            row.setIcon(icon)

    def refresh(self, items: Sequence[Item]) -> None:
        """Update labels and icons of the rows whose items are given (state, tags, new images)."""
        for it in items:
            self.update_item(it)

    def select_names(self, names: Sequence[str]) -> None:
        self.clearSelection()
        for n in names:
            if n in self._rows:
                self._rows[n].setSelected(True)
                self.setCurrentItem(self._rows[n])
