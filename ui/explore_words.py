"""The Explore tab's words: plain labels for artists, the technical term in each tooltip. No Qt."""

from __future__ import annotations

ORDINALS = ("biggest change", "second biggest", "third biggest", "fourth biggest", "fifth biggest", "sixth biggest",
            "seventh biggest", "eighth biggest")

WALK = ("Walk one input number", "Latent walk: z[k], one coordinate of the item's latent vector z, stepped from −3σ "
        "to +3σ with every other coordinate fixed.")
WALK_NUMBER = ("Number", "k: which coordinate z[k] of the latent vector to walk (0 … nz − 1).")
BLEND = ("Blend two favourites", "Latent interpolation: spherical (slerp) from favourite A's z to favourite B's z.")
VARIATIONS = ("Small variations", "Gaussian noise of standard deviation σ added to the item's latent z; the first "
              "frame is the item itself.")
AMOUNT = ("Amount", "σ: standard deviation of the noise added to z.")
DIRECTIONS = ("Main directions of change", "GANSpace: principal components (PCA) of 512 renders, regressed back to "
              "directions in latent space z, sorted by the share of output variance each explains.")
FIND = ("Find main directions", "Renders 512 samples and runs a PCA of them (GANSpace); cached per model.")
SHOW_FRAMES = ("Show as frames", "A strip along the chosen principal direction, −3σ … +3σ.")
KEEP_PREVIEW = ("Keep this one", "Adds the previewed latent z (the item moved along the principal directions) to the "
                "collection.")
CLASS = ("Class", "For models trained on several classes (conditional models): the class Explore draws in. "
         "\"Each item's own\" keeps the class of the item a strip starts from.")
OWN_CLASS = "Each item's own"
MORPH = ("Morph between classes", "Class morph: the item's latent z rendered through a blend of two classes' "
         "conditional-BatchNorm embeddings, (1 − t)·A + t·B for t from 0 to 1 (graph input class_mix).")
FRAMES = ("Frames", "Images per strip.")


def direction_name(i: int) -> str:
    """`Direction 1: biggest change` for principal direction i (0-based)."""
    return f"Direction {i + 1}: {ORDINALS[i]}" if i < len(ORDINALS) else f"Direction {i + 1}"


def direction_tip(i: int, explained: float) -> str:
    """The technical reading of principal direction i, for its tooltip."""
    return (f"Principal component PC{i + 1} (GANSpace): {explained * 100:.0f}% of the output variance. The slider "
            "moves the item's z along it in σ of sampled z; the thumbnails show −3σ … +3σ.")


def directions_found(explained: list[float], cached: bool, within: str | None = None) -> str:
    """The line under "Find main directions" once they are known (`within`: the class they were found in)."""
    share = ", ".join(f"{i + 1}: {e * 100:.0f}%" for i, e in enumerate(explained))
    where = f" within {within}" if within else ""
    return (f"{'Loaded' if cached else 'Found'} {len(explained)} directions{where}. Share of all the change each "
            f"one makes: {share} (PC1‑PC{len(explained)}).")


def directions_stale(found: str, now: str) -> str:
    """The line once the class changed: directions are found within one class."""
    return f"These directions were found within {found}; press Find main directions for {now}."
