"""A thumbnail grid of collection items with curation by mouse (context menu) and keyboard shortcuts, zoomed by
whole factors (Ctrl+wheel) and drawn pixel-crisp."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QImage, QKeySequence, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from assetgan.export.collection import Item
from assetgan.runtime.classes import short_name

from .pixmaps import ThumbStore
from .thumbs import CELL, DARK, LIGHT, tile3

NAME_ROLE = Qt.ItemDataRole.UserRole
# action name -> shortcuts; the main window turns actions into session commands
SHORTCUTS: dict[str, tuple[str, ...]] = {
    "favourite": ("F",), "reject": ("X", "Delete"), "tag": ("T",), "rename": ("F2",), "explore": ("E",),
    "remove": ("Shift+Delete",),
}
LABELS = {"favourite": "Favourite", "reject": "Reject", "tag": "Tag…", "rename": "Rename…",
          "explore": "Explore", "remove": "Remove from session"}
MARK = {"favourite": "★ ", "rejected": "✕ ", "none": ""}
ZOOM_MIN, ZOOM_MAX = 1, 16


def clamp_zoom(k: int) -> int:
    return max(ZOOM_MIN, min(ZOOM_MAX, int(k)))


def display_pixmap(img: np.ndarray, tiled: bool) -> QPixmap:
    """An item's uint8 [H, W, 3|4] image at 1x as the grids show it (3x3 tiled for textures), alpha kept."""
    x = np.ascontiguousarray(tile3(img) if tiled else img)
    h, w, c = x.shape
    fmt = QImage.Format.Format_RGBA8888 if c == 4 else QImage.Format.Format_RGB888
    return QPixmap.fromImage(QImage(x.data, w, h, c * w, fmt).copy())


def checker_brush() -> QBrush:
    """The grey checkerboard shown behind transparent pixels, in screen pixels."""
    tile = QPixmap(2 * CELL, 2 * CELL)
    tile.fill(QColor(LIGHT, LIGHT, LIGHT))
    p = QPainter(tile)
    for x, y in ((CELL, 0), (0, CELL)):
        p.fillRect(x, y, CELL, CELL, QColor(DARK, DARK, DARK))
    p.end()
    return QBrush(tile)


def draw_crisp(painter: QPainter, target: QRect, pm: QPixmap) -> None:
    """Draw `pm` into `target` (a whole multiple of its size) nearest-neighbour, over the checkerboard."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    if pm.hasAlphaChannel():
        painter.setBrushOrigin(target.topLeft())
        painter.fillRect(target, checker_brush())
    painter.drawPixmap(target, pm)
    painter.restore()


def crisp_pixmap(pm: QPixmap, k: int) -> QPixmap:
    """`pm` scaled by the whole factor `k`, nearest-neighbour, over the checkerboard."""
    out = QPixmap(pm.width() * k, pm.height() * k)
    painter = QPainter(out)
    draw_crisp(painter, out.rect(), pm)
    painter.end()
    return out


class CrispDelegate(QStyledItemDelegate):
    """Draws each row's image at the grid's whole zoom factor with nearest-neighbour scaling; text as usual."""

    def __init__(self, grid: ItemGrid) -> None:
        super().__init__(grid)
        self.grid = grid

    def initStyleOption(self, opt: QStyleOptionViewItem,  # noqa: N802 (Qt override)
                        index: QModelIndex | QPersistentModelIndex) -> None:
        """Lay the row out (size hint and paint) for the image at the zoomed size."""
        super().initStyleOption(opt, index)
        pm = self.grid.base_pixmap(index.data(NAME_ROLE))
        if pm is not None:
            opt.decorationSize = pm.size() * self.grid.zoom

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 (Qt override)
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Every row fills its grid cell, so a second line (class, tags) is never cut off."""
        cell = self.grid.gridSize()
        return cell - QSize(8, 4) if cell.isValid() else super().sizeHint(option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        pm = self.grid.base_pixmap(index.data(NAME_ROLE))
        if pm is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        w, h = opt.decorationSize.width(), opt.decorationSize.height()
        opt.icon = QIcon()  # the style lays out and draws the rest; the image is drawn below
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        box = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, widget)
        draw_crisp(painter, QRect(box.center().x() - w // 2 + 1, box.center().y() - h // 2 + 1, w, h), pm)


class ItemGrid(QListWidget):
    """Shows items (name, state mark, thumbnail); emits `action(name, item names)` for curation commands."""

    action = Signal(str, list)
    zoom_requested = Signal(int)  # the zoom factor asked for with Ctrl+wheel

    def __init__(self, store: ThumbStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.zoom_choice = 0  # whole factor asked for (View > Zoom); 0: fit the store's thumbnail size
        self.side = 0  # the largest image side shown at 1x (0 until the first image arrives)
        self._base: dict[str, tuple[np.ndarray, QPixmap]] = {}  # name -> (source image, its 1x pixmap)
        self.setItemDelegate(CrispDelegate(self))
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
        self.sort_key: Callable[[Item], tuple] | None = None  # when set, rows stay in this order (e.g. by class)
        self._keys: list[tuple] = []  # sort_key of each row, in row order
        self._groups: list = []  # the distinct first parts of the sort keys shown (e.g. classes), in order
        self.class_labels: dict[str, str] = {}  # readable class names (default: the last part of the name)
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
        self.setGridSize(QSize(max(px, 64) + 32, px + 58))  # room for the name and a line of tags

    # ---- zoom
    @property
    def zoom(self) -> int:
        """Screen pixels per image pixel, 1..16."""
        return clamp_zoom(self.zoom_choice or (self.store.target // self.side if self.side else 1))

    def set_zoom(self, k: int, side: int | None = None) -> None:
        """Show images at `k` screen pixels per image pixel (1..16; 0: fit the thumbnail size); `side`: the image
        side at 1x, if known."""
        self.zoom_choice = clamp_zoom(k) if k else 0
        if side:
            self.side = side
        if self.side:
            self.set_thumb_size(self.side * self.zoom)
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = 1 if event.angleDelta().y() > 0 else -1 if event.angleDelta().y() < 0 else 0
            if step:
                self.zoom_requested.emit(clamp_zoom(self.zoom + step))
            event.accept()
            return
        super().wheelEvent(event)

    def source_image(self, name: str) -> np.ndarray | None:
        """The item's image as the store finishes it for display (export's finishing where the store applies it)."""
        finished = getattr(self.store, "finished", None)
        return finished(name) if finished is not None else self.store.images.get(name)

    def base_pixmap(self, name: str | None) -> QPixmap | None:
        """The item's image at 1x for the delegate; remade when the store's image changes."""
        if name is None:
            return None
        src = self.source_image(name)
        if src is None:
            return None
        got = self._base.get(name)
        if got is None or got[0] is not src:
            got = (src, display_pixmap(src, self.store.tiled))
            self._base[name] = got
        return got[1]

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
        self._base.clear()
        self._keys.clear()
        self._groups.clear()
        for it in sorted(items, key=self.sort_key) if self.sort_key is not None else items:
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
        if self.sort_key is None:
            self.addItem(row)
        else:  # in place, so a batch arriving round robin shows grouped
            key = self.sort_key(it)
            at = bisect_right(self._keys, key)
            self._keys.insert(at, key)
            self.insertItem(at, row)
            self._tint(row, key[0])
        self.update_item(it)

    def _tint(self, row: QListWidgetItem, group: object) -> None:
        """Every other group (class) of a sorted grid gets a faint background, so groups read apart in the grid."""
        if group in self._groups:
            rows = [(row, group)]
        else:  # a new group shifts the ones after it: tint every row again
            self._groups.insert(bisect_right(self._groups, group), group)
            rows = [(self.item(r), self._keys[r][0]) for r in range(self.count())]
        tint = QColor(self.palette().text().color())  # neutral grey in light and dark themes, unlike selection
        tint.setAlpha(20)
        for r, g in rows:
            r.setData(Qt.ItemDataRole.BackgroundRole, QBrush(tint) if self._groups.index(g) % 2 else None)

    def update_item(self, it: Item) -> None:
        row = self._rows.get(it.name)
        if row is None:
            return
        icon = self.store.icon(it.name)
        key = (it.state, tuple(it.tags), it.seed, it.class_name, icon.cacheKey() if icon is not None else None)
        if self._shown.get(it.name) == key:  # nothing visible changed: skip the Qt calls
            return
        self._shown[it.name] = key
        cls = self.class_labels.get(it.class_name, short_name(it.class_name)) if it.class_name else ""
        second = " ".join(([cls] if cls else []) + ["#" + t for t in it.tags])
        row.setText(MARK.get(it.state, "") + it.name + ("\n" + second if second else ""))
        tip = it.name + (f"\nclass {it.class_name}" if it.class_name else "")
        tip += f"\nseed {it.seed}" if it.seed is not None else "\nexplicit latent"
        row.setToolTip(tip + (f"\ntags: {', '.join(it.tags)}" if it.tags else ""))
        row.setData(Qt.ItemDataRole.ForegroundRole, QBrush(QColor("#888888")) if it.state == "rejected" else None)
        if icon is not None:
            row.setIcon(icon)
            pm = self.base_pixmap(it.name)
            if pm is not None and max(pm.width(), pm.height()) != self.side:
                self.set_zoom(self.zoom_choice, max(pm.width(), pm.height()))  # keep "fit" when it is the choice

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
