"""A model card in an artist's words: what it makes, what it learned from (by name and licence) and how good it is.

No Qt, and no file paths: a data folder is named by its last parts, never shown as a path.
"""

from __future__ import annotations

import re

from assetgan.runtime.card import ModelCard

GENERIC = {"data", "images", "imgs", "img", "train", "training", "png", "photo", "photos", "split", "all"}
_PART = re.compile(r"^(A|B)(?: \(([^)]*)\))?: ")  # a cyclegan card's "A (photo): ..." prefix
_NAMED = re.compile(r"^(.{1,24}?) \((.+)\)$")  # a short licence with the data's name: "CC0 1.0 (Crawl tiles)"


def folder_name(path: str) -> str:
    """A data folder named by its last part (and its parent's when the last is generic): `../x/crawl-sprites` ->
    `Crawl sprites`, `/d/monet2photo/photo` -> `Monet2photo photo`."""
    parts = [p for p in re.split(r"[\\/]+", path.strip()) if p and p not in (".", "..") and not p.endswith(":")]
    if not parts:
        return "unnamed data"
    generic = parts[-1].lower() in GENERIC and len(parts) > 1 and not parts[-2].startswith("tmp")  # not a temp folder
    name = f"{parts[-2]} {parts[-1]}" if generic else parts[-1]
    name = re.sub(r"[-_]+", " ", name).strip()
    return name[:1].upper() + name[1:]


def _split(text: str) -> dict[str, tuple[str, str]]:
    """`A (photo): x; B (monet): y` -> {"A": ("photo", "x"), "B": ("monet", "y")}; a single part is {"": ("", text)}."""
    out: dict[str, tuple[str, str]] = {}
    for piece in text.split("; ") if _PART.match(text) else [text]:
        m = _PART.match(piece)
        out[m.group(1) if m else ""] = ((m.group(2) or "") if m else "", piece[m.end():] if m else piece)
    return out


def source_label(source: str, licence: str) -> str:
    """One data source as `name — licence`: the name from a licence like `CC0 1.0 (Name)`, else from the folder."""
    licence = licence.strip()
    named = _NAMED.match(licence)
    if named:
        return f"{named.group(2)} — {named.group(1)}"
    name = folder_name(source) if source.strip() else "unnamed data"
    return f"{name} — {licence if licence and licence != 'unknown' else 'licence unknown'}"


def data_label(card: ModelCard) -> str:
    """What the model learned from, by name and licence; a style model's two sides joined by `; `."""
    sources, licences = _split(card.data_source), _split(card.data_licence)
    if set(sources) == {""}:
        return source_label(sources[""][1], next(iter(licences.values()))[1] if len(licences) == 1 else "")
    parts = []
    for key, (domain, path) in sources.items():
        label = source_label(path, licences.get(key, ("", ""))[1])
        parts.append(f"{domain}: {label}" if domain else label)
    return "; ".join(parts)


def noun(card: ModelCard) -> str:
    """What its images are to an artist: textures (tileable), sprites (with transparency) or images."""
    return "textures" if card.tileable else "sprites" if card.channels == 4 else "images"


def makes(card: ModelCard) -> str:
    """What the model makes, in a phrase."""
    if card.kind == "cyclegan":
        a, b = (list(card.domains) + ["a", "b"])[:2]
        way = {2: f"{a} ↔ {b}", 1: f"{a} → {b}" if card.translations == ["a2b"] else f"{b} → {a}"}
        return f"restyles pictures: {way[len(card.translations)]}, any size"
    extras = ["tile seamlessly"] if card.tileable else []
    extras += ["with transparency"] if card.channels == 4 else []
    extras += [f"{len(card.classes)} kinds: {', '.join(card.classes)}"] if card.classes else []
    return f"{card.size} x {card.size} px {noun(card)}" + (f" ({'; '.join(extras)})" if extras else "")


def _figures(card: ModelCard) -> dict[str, float]:
    rec = card.metrics.get("evaluate") if isinstance(card.metrics, dict) else None
    figs = rec.get("figures") if isinstance(rec, dict) else None
    return {k: float(v) for k, v in (figs or {}).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def quality_sentence(card: ModelCard) -> str:
    """How good the model is, in a sentence with the figure it rests on in brackets."""
    f = _figures(card)
    if card.kind == "cyclegan" and "content_ssim_luma" in f:
        ssim = f["content_ssim_luma"]
        keeps = "Keeps most of" if ssim >= 0.6 else "Keeps some of" if ssim >= 0.4 else "Loses much of"
        return f"{keeps} the picture's layout while restyling it (content similarity {ssim:.2f} of 1)."
    if "c2st_accuracy" in f:
        acc, what = f["c2st_accuracy"], f"its training {noun(card)}"
        grade = ("Excellent: almost impossible to tell from" if acc <= 0.6 else "Good: hard to tell from"
                 if acc <= 0.8 else "Fair: often told apart from" if acc <= 0.9 else "Rough: easy to tell from")
        text = f"{grade} {what} (C2ST {acc:.2f})"
    elif "swd_x1e3" in f and f.get("swd_floor_real_vs_real", 0) > 0:
        r = f["swd_x1e3"] / f["swd_floor_real_vs_real"]
        grade = "Good: close to" if r <= 1.5 else "Fair: somewhat like" if r <= 3 else "Rough: far from"
        text = f"{grade} its training {noun(card)} in colour and shape (SWD {r:.1f}x real-vs-real)"
    else:
        return "Quality not measured yet."
    if "nn_ratio_generated_heldout" in f:
        copies = f["nn_ratio_generated_heldout"] < 0.9
        text += "; some results are close copies of training images" if copies else "; makes new designs, not copies"
    return text + "."


EXPLAIN = {
    "c2st_accuracy": "C2ST: how often a small classifier tells generated from real images (0.5 = never, 1 = always)",
    "swd_x1e3": "SWD: distance between colour/shape statistics of generated and real images (lower is closer)",
    "nn_ratio_generated_heldout": "memorisation ratio: distance to the nearest training image, generated vs unseen "
                                  "real (0.9 or more: no sign of copying)",
    "wrap_seam_generated": "wrap seam: how visible the edge is when a texture is tiled (real textures for scale)",
    "content_ssim_luma": "content SSIM: how much of the input picture's layout survives (1 = all)",
    "style_distance": "style distance: how far the result's style is from the target style (lower is closer)",
}


def quality_details(card: ModelCard) -> str:
    """What each recorded figure means, one per line (for a tooltip)."""
    f = _figures(card)
    lines = [text for key, text in EXPLAIN.items() if key in f]
    return "\n".join(lines) or "Run `assetgan evaluate MODEL --record` to measure and store quality figures."
