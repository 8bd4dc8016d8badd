"""The exported CycleGAN translator in the form ONNX Runtime runs fastest, with the same results.

Two rewrites, both exact up to the order of float additions and checked by the export's parity check:
thin-output convolutions as two convolutions (`onnx_thin_convs`) and a lean entry for tiles of the default
direction (`onnx_branches`). Export applies them; a file exported before them can be rewritten:

    python -m assetgan.train.onnx_lean IN.onnx OUT.onnx      # OUT must not exist; the card is kept

Needs `onnx` and numpy, not torch.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write_bytes
from ..core.errors import AssetganError
from .onnx_branches import add_fixed_entry
from .onnx_thin_convs import split_thin_convs


def make_lean(proto: Any) -> tuple[int, bool]:
    """Rewrite `proto` (an onnx ModelProto of a CycleGAN translator) in place: (thin convolutions rewritten,
    whether the fixed-statistics entry was added)."""
    return split_thin_convs(proto), add_fixed_entry(proto)


def describe(convs: int, entry: bool) -> str:
    return f"{convs} thin convolution(s) rewritten" + (", a fixed-statistics entry for a2b added" if entry else "")


def rewrite_file(src: Path, dst: Path) -> str:
    """Rewrite `src` into the new file `dst` (never replaced); metadata, the assetgan card included, is kept."""
    import onnx

    if dst.exists():
        raise AssetganError(f"{dst}: already exists; choose another output file")
    try:
        proto = onnx.load(str(src))
    except Exception as e:  # noqa: BLE001 - any unreadable file: one line naming it
        raise AssetganError(f"{src}: not a readable ONNX model ({type(e).__name__}); pass an exported .onnx") from e
    convs, entry = make_lean(proto)
    done = describe(convs, entry)
    atomic_write_bytes(dst, proto.SerializeToString())
    if convs or entry:
        from ..runtime.card_io import rewrite_card
        from ..runtime.model import read_card

        try:
            card = read_card(dst)
        except AssetganError:
            return done  # a file without an assetgan card: the graph alone
        rewrite_card(dst, dataclasses.replace(card, notes=f"{card.notes}; lean form: {done}".lstrip("; ")))
    return done


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m assetgan.train.onnx_lean IN.onnx OUT.onnx", file=sys.stderr)
        return 2
    try:
        done = rewrite_file(Path(argv[0]), Path(argv[1]))
    except AssetganError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{argv[1]}: {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
