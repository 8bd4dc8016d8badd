"""The classes a conditional model's batch deals round robin (`assetgan generate --class A --class B`). No Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assetgan.export.collection import Item
from assetgan.runtime.classes import short_name


def restore_choice(stored: Sequence[str] | None, known: Sequence[str], model: str) -> tuple[list[str] | None, str]:
    """The stored class choice kept to the classes `known` to the model (card order) and a one-line note naming
    what was dropped ("" if nothing). None means every class; an unconditional model has no choice."""
    if not known:
        return None, ""
    if stored is None:
        return None, ""
    kept = [c for c in known if c in stored]
    gone = [c for c in stored if c not in known]
    if not gone:
        return kept, ""
    note = (f"{model} has no class {', '.join(short_name(c) for c in gone)}; dropped from the Generate class choice"
            + ("" if kept else ", which now takes every class"))
    return (kept or None), note


def chosen_or_all(chosen: Sequence[str] | None, known: Sequence[str]) -> list[str]:
    """The classes a batch cycles through, in card order: the choice, or every class when there is none."""
    return list(known) if chosen is None else [c for c in known if c in chosen]


def class_order(known: Sequence[str]) -> dict[str, int]:
    """Card position of each class, for grouping a grid by class."""
    return {c: i for i, c in enumerate(known)}


def by_class_key(order: dict[str, int]) -> Callable[[Item], tuple[int, int, str]]:
    """Sort key grouping items by class (card order), then by seed, explicit latents last."""

    def key(it: Item) -> tuple[int, int, str]:
        return (order.get(it.class_name or "", len(order)), it.seed if it.seed is not None else 2**62, it.name)

    return key


def labels(known: Sequence[str]) -> dict[str, str]:
    """A readable name per class: its last part (`potion`), or the full name where another class shares that part."""
    shorts = [short_name(c) for c in known]
    return {c: s if shorts.count(s) == 1 else c for c, s in zip(known, shorts)}


def summary(chosen: Sequence[str], known: Sequence[str]) -> str:
    """The picker's button text: "All classes", "No class", or the chosen classes' readable names."""
    if not chosen:
        return "No class"
    if len(chosen) == len(known):
        return "All classes"
    names = [labels(known)[c] for c in chosen]
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} +{len(names) - 2}"
