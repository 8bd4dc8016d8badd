"""Undo and redo of a session's items as before/after snapshots: a bounded command stack with groups. No Qt."""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields

from assetgan.export.collection import Item

Record = tuple  # an item's field values, in dataclass order (lists copied)
UNDO_LIMIT = 100  # steps kept; the oldest are dropped first


@dataclass(frozen=True)
class Snapshot:
    """The items of a session in order: the item objects (kept across undo, so views keep their images) and a copy
    of each one's fields."""

    items: tuple[Item, ...]
    records: tuple[Record, ...]

    def names(self) -> list[str]:
        return [r[0] for r in self.records]


@dataclass(frozen=True)
class Step:
    """One undoable command: its menu label and the items before and after it."""

    label: str
    before: Snapshot
    after: Snapshot


_FIELDS = tuple(f.name for f in fields(Item))
assert _FIELDS[0] == "name", "Snapshot.names reads the name first"


def _record(it: Item) -> Record:
    return tuple(copy.copy(getattr(it, f)) for f in _FIELDS)


class History:
    """A session's undo and redo stacks. Commands between `begin` and `end` (a generated batch) are one step."""

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self.limit = limit
        self.undo_steps: list[Step] = []
        self.redo_steps: list[Step] = []
        self._group: tuple[str, Snapshot] | None = None
        self._known: dict[int, Record] = {}  # id(item) -> its last record, shared by snapshots while it is unchanged

    # ---- recording
    def snapshot(self, items: list[Item]) -> Snapshot:
        """The items as they are now (records equal to the previous snapshot's are shared, to save memory)."""
        known: dict[int, Record] = {}
        records = []
        for it in items:
            r = _record(it)
            old = self._known.get(id(it))
            if old == r:
                r = old
            known[id(it)] = r
            records.append(r)
        self._known = known
        return Snapshot(tuple(items), tuple(records))

    @property
    def grouping(self) -> bool:
        return self._group is not None

    def record(self, label: str, before: Snapshot, after: Snapshot) -> None:
        """Push a step (unless nothing changed); a new step drops what could be redone."""
        if before.records == after.records:
            return
        self.undo_steps.append(Step(label, before, after))
        del self.undo_steps[:-self.limit]
        self.redo_steps.clear()

    def begin(self, label: str, items: list[Item]) -> None:
        """Start a group: commands until `end` are recorded as one step."""
        if self._group is None:
            self._group = (label, self.snapshot(items))

    def end(self, items: list[Item], label: str | None = None) -> None:
        """Close the group and record it under `label` (default: the label given to `begin`)."""
        if self._group is not None:
            first, before = self._group
            self._group = None
            self.record(label or first, before, self.snapshot(items))

    def clear(self) -> None:
        self.undo_steps.clear()
        self.redo_steps.clear()
        self._group = None

    # ---- menus
    def undo_label(self) -> str | None:
        return self.undo_steps[-1].label if self.undo_steps and not self.grouping else None

    def redo_label(self) -> str | None:
        return self.redo_steps[-1].label if self.redo_steps and not self.grouping else None

    # ---- moving
    def pop_undo(self) -> Step | None:
        """The step to undo (moved to the redo stack); None when there is none or a group is open."""
        if self.grouping or not self.undo_steps:
            return None
        step = self.undo_steps.pop()
        self.redo_steps.append(step)
        return step

    def pop_redo(self) -> Step | None:
        if self.grouping or not self.redo_steps:
            return None
        step = self.redo_steps.pop()
        self.undo_steps.append(step)
        return step

    def unpop(self, step: Step, undone: bool) -> None:
        """Put back a step whose undo (`undone`) or redo could not be saved."""
        src, dst = (self.redo_steps, self.undo_steps) if undone else (self.undo_steps, self.redo_steps)
        if src and src[-1] is step:
            dst.append(src.pop())


def apply(items: list[Item], snap: Snapshot) -> dict[str, str]:
    """Make `items` (in place) what `snap` recorded; returns {old name: new name} of the items renamed by it."""
    now = {id(it): it.name for it in items}
    for it, rec in zip(snap.items, snap.records):
        for f, v in zip(_FIELDS, rec):
            setattr(it, f, copy.copy(v))
    items[:] = list(snap.items)
    return {now[id(it)]: it.name for it in snap.items if id(it) in now and now[id(it)] != it.name}
