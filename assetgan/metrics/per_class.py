"""Per-class figures for a class-conditional model: samples per class, the real images' classes, class recognition
(GAN-test), and SWD and C2ST per class against held-out images of that class."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import AssetganError
from ..data.labels import folder_classes
from ..runtime.card import ModelCard
from ..runtime.curate import rank_seeds
from ..runtime.latent import seed_latent
from ..runtime.model import GeneratorModel
from .swd import sliced_wasserstein

MIN_C2ST = 8  # held-out images a class needs for its own C2ST


def proportional(counts: Sequence[int], n: int) -> list[int]:
    """Split n over classes in proportion to `counts` (largest remainder; every class with images gets one)."""
    total = sum(counts)
    if total == 0:
        return [n // max(1, len(counts))] * len(counts)
    raw = [n * c / total for c in counts]
    out = [max(1 if c else 0, math.floor(r)) for c, r in zip(counts, raw)]
    for i in sorted(range(len(counts)), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True):
        if sum(out) >= n:
            break
        out[i] += 1
    return out


def class_samples(model: GeneratorModel, start: int, per_class: int, psi: float, keep: float,
                  finish: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
    """For each class id: `per_class` images from seeds start.. (the critic's best with keep < 1), finished
    like `generate` writes them -> uint8 [per_class, H, W, C] per class."""
    out = []
    for c in range(len(model.card.classes)):
        seeds = rank_seeds(model, start, per_class, keep, psi, classes=[c]) if keep < 1.0 else \
            range(start, start + per_class)
        z = np.stack([seed_latent(int(s), model.nz, psi) for s in seeds])
        images = np.concatenate([model.run(z[i:i + 256], np.full(len(z[i:i + 256]), c, np.int64))
                                 for i in range(0, len(z), 256)])
        out.append(np.stack([finish(im) for im in images]))
    return out


def real_class_ids(card: ModelCard, files: Sequence[str], label_map: str | None) -> np.ndarray | None:
    """Class ids (int64 [N], -1 = none of the model's classes) of real images laid out in folders like the model's
    training data, labelled the way its run was (`label_depth`, `label_map`; `label_map` here overrides); None
    when the run's labels came from a CSV file (no folders to read them from)."""
    cfg = card.training_config
    if cfg.get("labels", "folders") not in ("folders", "auto"):
        return None
    mapping = label_map if label_map is not None else str(cfg.get("label_map") or "")
    if mapping and not Path(mapping).is_file():
        raise AssetganError(f"label map {mapping}: the model's run used it and it is not here; pass --label-map "
                            "FILE.json (the same map)")
    names = folder_classes(files, int(cfg.get("label_depth", 1)), mapping)
    ids = {c: i for i, c in enumerate(card.classes)}
    return np.array([ids.get(n, -1) if n is not None else -1 for n in names], np.int64)


def per_class_figures(by_class: list[np.ndarray], real: np.ndarray, real_ids: np.ndarray, train: np.ndarray | None,
                      train_ids: np.ndarray | None, names: Sequence[str], seed: int = 0, c2st: bool = True
                      ) -> dict[str, Any]:
    """Recognition (with `train`), SWD and C2ST per class. Recognition figures are class-balanced means over the
    classes that have held-out images."""
    f: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    predict = None
    if train is not None and train_ids is not None and (train_ids >= 0).any():
        from .recognition import train_recogniser

        keep = train_ids >= 0
        predict = train_recogniser(train[keep], train_ids[keep], len(names), seed=seed)
    for c, name in enumerate(names):
        real_c = real[real_ids == c]
        row: dict[str, Any] = {"n_heldout": int(len(real_c))}
        if len(real_c) >= 2:
            row["swd_x1e3"] = sliced_wasserstein(by_class[c], real_c, seed=seed).mean
        if c2st and len(real_c) >= MIN_C2ST:
            from .c2st import c2st as run_c2st

            row["c2st_accuracy"] = run_c2st(real_c, by_class[c], seed=seed).accuracy
        if predict is not None:
            row["recognition_generated"] = float((predict(by_class[c]) == c).mean())
            if len(real_c):
                row["recognition_real"] = float((predict(real_c) == c).mean())
        rows[name] = row
    if predict is not None:
        present = [r for r in rows.values() if "recognition_real" in r]
        if present:
            real_acc = float(np.mean([r["recognition_real"] for r in present]))
            gen_acc = float(np.mean([r["recognition_generated"] for r in present]))
            f["recognition_real_heldout"] = real_acc
            f["recognition_generated"] = gen_acc
            f["recognition_ratio"] = gen_acc / real_acc if real_acc > 0 else 0.0
            f["recognition_chance"] = 1.0 / len(names)
    f["per_class"] = rows
    return f


def class_table(rows: dict[str, dict[str, Any]]) -> list[str]:
    """The per-class figures as aligned lines."""
    width = max((len(n) for n in rows), default=5)
    cols = (("n_heldout", "held", "{:>4d}"), ("recognition_real", "real rec", "{:>8.2f}"),
            ("recognition_generated", "gen rec", "{:>7.2f}"), ("swd_x1e3", "swd", "{:>6.1f}"),
            ("c2st_accuracy", "c2st", "{:>5.2f}"))
    lines = [f"  {'class':<{width}}  " + "  ".join(h for _, h, _ in cols)]
    for name, r in rows.items():
        cells = [fmt.format(r[k]) if k in r else " " * len(h) for k, h, fmt in cols]
        lines.append(f"  {name:<{width}}  " + "  ".join(c.rjust(len(h)) for c, (_, h, _) in zip(cells, cols)))
    return lines
