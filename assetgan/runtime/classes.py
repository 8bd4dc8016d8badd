"""Class names of a conditional model: `--class` names (full, a unique last part, or `all`) -> the class list of a
run, the round robin that gives image i of a run class i mod k, and the class weights of a blend between two."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import AssetganError
from ..core.safe_json import short

ALL = "all"  # --class all: every class of the model, in card order


def short_name(cls: str) -> str:
    """The last part of a class name: `item/potion` -> `potion`."""
    return cls.rsplit("/", 1)[-1]


def resolve_class(name: str, known: Sequence[str], model: str) -> str:
    """The class of `known` that `name` means: the full name, or its last part when only one class has it; else a
    one-line AssetganError listing the known classes (or the matches of an ambiguous short name)."""
    if name in known:
        return name
    matches = [c for c in known if short_name(c) == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AssetganError(f"--class {short(name)}: ambiguous in {model}, it matches {', '.join(matches)}; pass the "
                            "full name")
    raise AssetganError(f"--class {short(name)}: not a class of {model}; known: {', '.join(known)} (or {ALL})")


def run_classes(names: Sequence[str] | None, known: Sequence[str], model: str) -> list[str]:
    """The classes a run cycles through, image i taking class i mod k: `names` resolved (`all` expands to every
    class), every class for a conditional model given none, and [] for an unconditional one (which refuses names)."""
    if not known:
        if names:
            raise AssetganError(f"--class {short(names[0])}: {model} is not conditional (its card lists no classes); "
                                "drop --class")
        return []
    out: list[str] = []
    for name in names or [ALL]:
        out += list(known) if name == ALL else [resolve_class(name, known, model)]
    return out


def class_ids(names: Sequence[str], known: Sequence[str]) -> list[int]:
    """The ids (indices in the model card) of class names already resolved against `known`."""
    index = {c: i for i, c in enumerate(known)}
    return [index[c] for c in names]


def item_class_problem(name: str, cls: str | None, known: Sequence[str], model: str) -> str:
    """Why collection item `name` with class `cls` cannot be rendered by a model with classes `known` ("" when it
    can): a conditional model needs a class of its card (the full name), an unconditional one none."""
    if not known:
        return "" if cls is None else (f"item {name!r}: has class {short(cls)} but model {model} is not conditional; "
                                       "remove its \"class\"")
    if cls is None:
        return f"item {name!r}: model {model} is conditional; give the item a \"class\", one of {', '.join(known)}"
    if cls not in known:
        return f"item {name!r}: class {short(cls)} is not a class of model {model}; known: {', '.join(known)}"
    return ""


def blend_weights(a: int, b: int, k: int, steps: int) -> np.ndarray:
    """Class weights [steps, k] float32 from class id `a` to `b`: row i is (1 - t) one_hot(a) + t one_hot(b), t
    stepping evenly from 0 to 1, so the first row is exactly class a and the last exactly class b."""
    if not (0 <= a < k and 0 <= b < k):
        raise AssetganError(f"class ids {a} and {b}: must be between 0 and {k - 1}")
    if not 2 <= steps <= 64:
        raise AssetganError(f"steps {steps}: must be between 2 and 64")
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)  # [steps]
    out = np.zeros((steps, k), np.float32)
    out[:, a] += 1.0 - t
    out[:, b] += t
    return out
