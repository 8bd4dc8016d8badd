"""The app's session: an assetgan collection file, edited through curation commands and saved after each one."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from assetgan.core.errors import AssetganError, CollectionError
from assetgan.export.collection import NAME_RE, Collection, Item, ModelRef, OutputSettings, load_collection, validate

from .saver import write_now
from .undo import History, Step, apply

Writer = Callable[[Path, str], None]  # writes a whole collection file atomically (see ui.saver)

APP_KEY = "app"  # the app's own settings live in collection.extra["app"]; `assetgan export` ignores them
FILTERS = ("all", "favourites", "rejected", "unmarked", "kept")
SETTING_LIMIT = 2**31 - 1  # larger (or non-finite) numbers in a hand-edited file are ignored, as Qt cannot show them
BATCH_KEY = "batch"  # extra["app"]["batch"]: names of the items of the last generated batch (the Generate grid)
CLASSES_KEY = "classes"  # extra["app"]["classes"]: the classes a conditional model's batches deal (absent: every one)
STATE_LABELS = {"favourite": "Favourite", "rejected": "Reject", "none": "Unmark"}


@dataclass
class GenerateSettings:
    """The Generate tab's inputs, kept in the session so reopening restores them."""

    count: int = 64  # images per batch
    seed: int = 0  # first seed of the next batch
    truncation: float = 1.0  # psi in (0, 2]
    explore_frames: int = 9  # frames per explore strip
    explore_dim: int = 0  # latent dimension stepped by "walk"
    variation_strength: float = 0.3  # std of the perturbation added for variations

    @classmethod
    def from_dict(cls, d: object) -> GenerateSettings:
        """Defaults for anything missing or of the wrong type (hand-edited files)."""
        out = cls()
        if isinstance(d, dict):
            for key, default in asdict(out).items():
                v = d.get(key)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not abs(v) <= SETTING_LIMIT:
                    continue
                if isinstance(default, float):
                    setattr(out, key, float(v))
                elif isinstance(v, int):
                    setattr(out, key, v)
        return out


@dataclass(frozen=True)
class Moved:
    """What an undo or redo did: the step's label and the items it renamed ({old name: new name})."""

    label: str
    renamed: dict[str, str]


class Session:
    """A collection plus the path it is saved to; every change is validated and saved atomically at once."""

    def __init__(self, collection: Collection, path: Path, writer: Writer = write_now) -> None:
        self.collection = collection
        self.path = Path(path)
        self.writer = writer
        self.settings = GenerateSettings.from_dict(collection.extra.get(APP_KEY))
        self.notes: list[str] = []  # one line per stored value that could not be restored (shown in the status bar)
        self.batch = self._stored_batch(collection.extra.get(APP_KEY))
        self.classes = self._stored_classes(collection.extra.get(APP_KEY))  # None: every class of the model
        self.history = History()  # undo/redo of item changes (not saved: it ends with the session)
        self._listeners: list[Callable[[Session], None]] = []

    def _stored_batch(self, app: object) -> list[str]:
        """The saved Generate grid: names of items still present; anything else gives an empty grid and a note."""
        raw = app.get(BATCH_KEY) if isinstance(app, dict) else None
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            self.notes.append(f"{self.path.name}: the stored Generate batch is not a list of item names; "
                              "the Generate grid starts empty")
            return []
        present = self.names()
        return [n for n in raw if n in present]

    def _stored_classes(self, app: object) -> list[str] | None:
        """The saved Generate class choice (full class names); anything but a list of names gives None and a note."""
        raw = app.get(CLASSES_KEY) if isinstance(app, dict) else None
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            self.notes.append(f"{self.path.name}: the stored Generate classes are not a list of class names; "
                              "every class is chosen")
            return None
        return list(dict.fromkeys(raw))

    def set_classes(self, names: Sequence[str] | None) -> None:
        """Remember the Generate tab's class choice (None: every class); saved, not an undo step."""
        self.classes = None if names is None else list(names)
        self.save()

    # ---- files
    @classmethod
    def new(cls, path: Path, model: ModelRef, name: str = "session", output: OutputSettings | None = None
            ) -> Session:
        """Create and save an empty session for `model` (folders are created as needed, written at once) with
        `output` settings (default: fresh ones)."""
        s = cls(Collection(model, [], output or OutputSettings(), name=_safe_name(name)), path)
        try:
            s.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CollectionError(f"{s.path.parent}: cannot create the folder ({exc.strerror}); "
                                  "choose another place for the session") from None
        s.save()
        return s

    @classmethod
    def open(cls, path: Path) -> Session:
        """Read a collection file; raises CollectionError (one line for people) and never writes to it."""
        return cls(load_collection(path), Path(path))

    def save(self, sync: bool = False) -> None:
        """Validate now (errors are raised here), then hand the whole file to the writer (atomic write);
        `sync` writes in this thread, so a write error is raised here too."""
        app = {**asdict(self.settings), BATCH_KEY: list(self.batch)}
        if self.classes is not None:
            app[CLASSES_KEY] = list(self.classes)
        self.collection.extra[APP_KEY] = app
        validate(self.collection, str(self.path))
        try:
            (write_now if sync else self.writer)(self.path, json.dumps(self.collection.to_dict(), indent=2) + "\n")
        except OSError as exc:
            raise CollectionError(f"{self.path}: cannot save the session ({exc.strerror}); choose a writable "
                                  "path with File > Save As") from None

    def flush(self) -> None:
        """Wait until a background writer has put every change on disk."""
        flush = getattr(self.writer, "flush", None)
        if flush is not None:
            flush()

    def save_as(self, path: Path) -> None:
        """Save to `path` and keep editing there; relative model paths would break, so they are made absolute."""
        old_base = self.path.parent
        ref = self.collection.model
        if ref.path and not Path(ref.path).is_absolute():
            ref.path = str((old_base / ref.path).resolve())
        previous, self.path = self.path, Path(path)
        try:
            self.save(sync=True)
        except AssetganError:
            self.path = previous
            raise
        self._notify()

    def subscribe(self, fn: Callable[[Session], None]) -> None:
        self._listeners.append(fn)

    def _changed(self) -> None:
        self.save()
        self._notify()

    def _notify(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    @contextmanager
    def _edit(self, label: str) -> Iterator[None]:
        """Run an item command as one undo step, then save and notify; if the save refuses the result (validation),
        the items are put back as they were and the error is raised."""
        before = None if self.history.grouping else self.history.snapshot(self.items)
        yield
        try:
            self.save()
        except AssetganError:
            if before is not None:
                apply(self.items, before)
            raise
        if before is not None:
            self.history.record(label, before, self.history.snapshot(self.items))
        self._notify()

    # ---- undo
    def undo(self) -> Moved | None:
        """Undo the last item command (saved like any change); None if there is nothing to undo."""
        return self._move(self.history.pop_undo(), undone=True)

    def redo(self) -> Moved | None:
        return self._move(self.history.pop_redo(), undone=False)

    def _move(self, step: Step | None, undone: bool) -> Moved | None:
        if step is None:
            return None
        old, old_batch = self.history.snapshot(self.items), self.batch
        renamed = apply(self.items, step.before if undone else step.after)
        self.batch = [renamed.get(n, n) for n in self.batch]
        try:
            self.save()
        except AssetganError:
            apply(self.items, old)
            self.batch = old_batch
            self.history.unpop(step, undone)
            raise
        self._notify()
        return Moved(step.label, renamed)

    def begin_batch(self, label: str = "Generate") -> None:
        """A new generated batch: the Generate grid empties and what the batch adds is undone as one step."""
        self.batch = []
        self.history.begin(label, self.items)

    def end_batch(self, label: str | None = None) -> None:
        self.history.end(self.items, label)
        self._notify()  # the Edit menu can undo the batch now

    def clear_batch(self) -> list[str]:
        """Remove the batch's items nobody curated (no mark, no tag, the generated name); returns their names."""
        prefix = re.escape(self.collection.model.name)
        drop = []
        for n in self.batch:
            if n not in self.names():
                continue
            it = self.item(n)
            auto = it.seed is not None and re.fullmatch(rf"{prefix}_{it.seed:06d}(-\d+)?", it.name)
            if it.state == "none" and not it.tags and auto:
                drop.append(n)
        if drop:
            self.remove(drop, label=f"Clear batch ({_count(len(drop))})")
        return drop

    # ---- items
    @property
    def items(self) -> list[Item]:
        return self.collection.items

    def item(self, name: str) -> Item:
        for it in self.collection.items:
            if it.name == name:
                return it
        raise KeyError(name)

    def names(self) -> set[str]:
        return {it.name for it in self.collection.items}

    def unique_name(self, base: str) -> str:
        """`base` made file-safe, with -2, -3 … appended if it is taken."""
        base = _safe_name(base)
        taken = self.names()
        name, k = base, 2
        while name in taken:
            name = f"{base[:120]}-{k}"
            k += 1
        return name

    def add_seeds(self, seeds: Sequence[int], truncation: float, prefix: str | None = None,
                  classes: Sequence[str | None] | None = None, batch: bool = False) -> list[Item]:
        """Add one item per seed (with its truncation and, for a conditional model, its class `classes[i]`); a seed
        already present at the same psi and class is reused. `batch`: the items join the Generate grid's batch."""
        prefix = prefix or self.collection.model.name
        classes = classes if classes is not None else [None] * len(seeds)
        known = {(it.seed, it.truncation, it.class_name): it for it in self.items if it.seed is not None}
        out = []
        with self._edit(f"Add {_count(len(seeds))}"):
            out = self._add_seeds(seeds, truncation, prefix, classes, known)
            if batch:
                self.batch += [it.name for it in out if it.name not in self.batch]
        return out

    def _add_seeds(self, seeds: Sequence[int], truncation: float, prefix: str, classes: Sequence[str | None],
                   known: dict) -> list[Item]:
        out = []
        for s, cls in zip(seeds, classes):
            it = known.get((int(s), float(truncation), cls))
            if it is None:
                it = Item(name=self.unique_name(f"{prefix}_{int(s):06d}"), seed=int(s), truncation=float(truncation),
                          class_name=cls)
                self.collection.items.append(it)
            out.append(it)
        return out

    def add_latent(self, z: Iterable[float], base_name: str, tags: Sequence[str] = (),
                   class_name: str | None = None) -> Item:
        """Add an item with an explicit latent (an explore frame), of class `class_name` for a conditional model."""
        values = [float(v) for v in z]
        if not values or not all(math.isfinite(v) for v in values):
            raise AssetganError(f"{base_name}: latent holds non-finite numbers; pick another frame")
        it = Item(name=self.unique_name(base_name), z=values, tags=list(tags), class_name=class_name)
        with self._edit(f"Add {it.name}"):
            self.collection.items.append(it)
        return it

    def set_state(self, names: Iterable[str], state: str) -> None:
        its = [self.item(n) for n in names]
        with self._edit(f"{STATE_LABELS.get(state, state)} {_count(len(its))}"):
            for it in its:
                it.state = state

    def toggle(self, names: Sequence[str], state: str) -> None:
        """Favourite/reject shortcut: set `state` on all, or clear it if every one already has it."""
        its = [self.item(n) for n in names]
        if not its:
            return
        new = "none" if all(it.state == state for it in its) else state
        self.set_state(names, new)

    def add_tag(self, names: Iterable[str], tag: str) -> None:
        tag = tag.strip()
        if not tag:
            raise AssetganError("tag: empty; type a word such as 'potion'")
        its = [self.item(n) for n in names]
        with self._edit(f"Tag #{tag}"):
            for it in its:
                if tag not in it.tags:
                    it.tags.append(tag)

    def remove_tag(self, names: Iterable[str], tag: str) -> None:
        its = [self.item(n) for n in names]
        with self._edit(f"Remove tag #{tag}"):
            for it in its:
                if tag in it.tags:
                    it.tags.remove(tag)

    def rename(self, old: str, new: str) -> None:
        new = new.strip()
        if new == old:
            return
        if not NAME_RE.match(new):
            raise AssetganError(f"name {new!r}: use 1-128 letters, digits, '.', '_' or '-' (it becomes a file name)")
        if new in self.names():
            raise AssetganError(f"name {new!r}: another item already has it; pick another name")
        it = self.item(old)
        with self._edit(f"Rename {old}"):
            it.name = new
            self.batch = [new if n == old else n for n in self.batch]

    def remove(self, names: Iterable[str], label: str | None = None) -> None:
        """Take items out of the session (Undo puts them back)."""
        drop = set(names) & self.names()
        if not drop:
            return
        with self._edit(label or f"Remove {_count(len(drop))}"):
            self.collection.items[:] = [it for it in self.items if it.name not in drop]

    def filtered(self, state: str = "all", tag: str = "") -> list[Item]:
        """Items shown by a filter: by curation state and, when given, containing `tag` (case-insensitive)."""
        if state not in FILTERS:
            raise ValueError(f"filter {state!r}: one of {FILTERS}")
        keep = {"all": lambda it: True, "favourites": lambda it: it.state == "favourite",
                "rejected": lambda it: it.state == "rejected", "unmarked": lambda it: it.state == "none",
                "kept": lambda it: it.state != "rejected"}[state]
        t = tag.strip().lower()
        return [it for it in self.items if keep(it) and (not t or any(t in x.lower() for x in it.tags))]

    # ---- settings
    def update_settings(self, **values: object) -> None:
        for k, v in values.items():
            if not hasattr(self.settings, k):
                raise AttributeError(k)
            setattr(self.settings, k, v)
        self._changed()

    def set_output(self, output: OutputSettings) -> None:
        """Replace the export settings (validated by the save; on error the old ones stay)."""
        old, self.collection.output = self.collection.output, output
        try:
            self._changed()
        except AssetganError:
            self.collection.output = old
            raise

    def set_model(self, ref: ModelRef, output: OutputSettings | None = None) -> None:
        """Point an empty session at another model (and its `output` settings, if given); a session with items keeps
        its model (start a new one)."""
        if self.items:
            raise AssetganError(f"{self.path.name}: holds items made with {self.collection.model.name}; "
                                "start a new session (File > New) to use another model")
        self.collection.model = ref
        if output is not None:
            self.collection.output = output
        self.history.clear()  # no step may bring back items of the previous model
        self._changed()


def _count(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _safe_name(text: str) -> str:
    """A string made to match the collection's file-safe name rule."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-") or "item"
    return s[:128]
