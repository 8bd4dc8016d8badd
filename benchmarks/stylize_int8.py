"""An int8 copy of a CycleGAN model (static QDQ, per-channel) and how it compares with the fp32 file: SSIM of the
outputs on images the calibration never saw, and the time of a 1080p pass, in one run.

    python benchmarks/stylize_int8.py [--model trained/monet.onnx] [--data DATASET] [--out /tmp/monet-int8.onnx]
                                      [--exclude RUN/holdout.txt]

DATASET holds `photo/` and `monet/` (domain A and B, e.g. the monet2photo set the shipped model was trained on).
Only the convolutions are quantised, except in each generator the first two, the last two upsampling ones and the
full-resolution `refine` ones, whose int8 error shows (lab/2026-12-06-stylize-speed.md). Calibration (percentile
ranges) sees every 7th of the first 112 photos (after leaving out the names listed in --exclude: the run's held-out
photos, kept for measuring the model) and every 5th of the first 80 paintings; the comparison with fp32 uses the
last 24 photos, the last 12 paintings and the 1080p sample screenshot. The file goes where --out says; an existing
one is not replaced.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"
def kept_fp32(model_proto, way: str) -> list[str]:
    """The convolutions of one direction left in fp32: those of the first two and the last two layers of the trunk
    (the input layers and the last upsampling and output ones) and of the full-resolution `refine` layers, by
    graph order, so any number of residual blocks, either padding of the stride-2 convolutions and a layer
    rewritten as two convolutions (assetgan.train.onnx_thin_convs) are covered."""
    convs = [n.name for n in model_proto.graph.node if n.op_type == "Conv"]
    layers = list(dict.fromkeys(n.rsplit("/", 1)[0] for n in convs if n.startswith(f"/{way}/g/g/net/")))
    kept = set(layers[:2] + layers[-2:])
    return [n for n in convs if n.rsplit("/", 1)[0] in kept or n.startswith(f"/{way}/g/g/refine/")]


def _load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def directions(model: Path) -> tuple[str, ...]:
    """The directions the file holds (a2b and b2a: a CycleGAN model)."""
    import onnx

    names = {i.name for i in onnx.load(str(model), load_external_data=False).graph.input}
    return tuple(d for d in ("a2b", "b2a") if f"{d}.image" in names)


def quantize(model: Path, data: Path, out: Path, exclude: frozenset[str] = frozenset()) -> None:
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    ways = directions(model)  # the directions the file holds
    photos = sorted(p for p in (data / "photo").glob("*.jpg") if p.name not in exclude)
    paintings = sorted((data / "monet").glob("*.jpg"))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            both = [{"a2b.image": _load(photos[7 * i])[None], "b2a.image": _load(paintings[5 * i])[None]}
                    for i in range(16)]
            self.items = iter([{k: v for k, v in f.items() if k.split(".")[0] in ways} for f in both])

        def get_next(self) -> dict | None:
            return next(self.items, None)

    from assetgan.train.onnx_branches import add_fixed_entry, drop_fixed_entries

    proto = onnx.load(str(model))
    drop_fixed_entries(proto)  # calibrate the main graph only; the lean entry is copied from it afterwards
    keep = [name for d in ways for name in kept_fp32(proto, d)]
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        onnx.save(proto, str(plain))
        quantize_static(str(plain), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["Conv"],
                        nodes_to_exclude=keep, calibrate_method=CalibrationMethod.Percentile)
    m = onnx.load(str(out))  # say what the file is, beside the assetgan card it keeps
    add_fixed_entry(m)
    note = {"method": "static QDQ, per-channel int8 weights, uint8 activations, percentile ranges",
            "source": model.name, "fp32_convolutions": keep,
            "calibration": "16 photos" + (" + 16 paintings" if "b2a" in ways else "") + " of monet2photo"}
    onnx.helper.set_model_props(m, {**{p.key: p.value for p in m.metadata_props},
                                    "assetgan.quantization": json.dumps(note)})
    onnx.save(m, str(out))
    from assetgan.runtime.card_io import rewrite_card
    from assetgan.runtime.model import read_card

    card = read_card(out)  # the card itself says what the file is
    rewrite_card(out, dataclasses.replace(card, notes=f"{card.notes}; int8 copy of {model.name} (static QDQ, "
                                                      f"convolutions in int8, {len(keep)} kept in fp32)"))


def ssim(a: np.ndarray, b: np.ndarray, win: int = 7) -> float:
    """Mean SSIM over the RGB channels with a uniform win x win window (scikit-image's default)."""
    def box(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(np.cumsum(np.pad(x, ((1, 0), (1, 0))), 0), 1)
        return (c[win:, win:] - c[:-win, win:] - c[win:, :-win] + c[:-win, :-win]) / win**2

    c1, c2, n = (0.01 * 255) ** 2, (0.03 * 255) ** 2, win * win
    vals = []
    for ch in range(3):
        x, y = a[..., ch].astype(np.float64), b[..., ch].astype(np.float64)
        mx, my = box(x), box(y)
        cov = n / (n - 1)
        sxx, syy, sxy = cov * (box(x * x) - mx * mx), cov * (box(y * y) - my * my), cov * (box(x * y) - mx * my)
        vals.append(np.mean((2 * mx * my + c1) * (2 * sxy + c2) / ((mx**2 + my**2 + c1) * (sxx + syy + c2))))
    return float(np.mean(vals))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "trained" / "monet.onnx")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/datasets/monet2photo"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/monet-int8.onnx"))
    ap.add_argument("--repeats", type=int, default=3, help="1080p passes of each model, alternating")
    ap.add_argument("--exclude", type=Path, help="a list of photo file names calibration must not see")
    args = ap.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out}: exists; choose another --out or remove it first")
    exclude = frozenset(args.exclude.read_text(encoding="utf-8").split()) if args.exclude else frozenset()

    from assetgan.runtime.stylize import open_style_model

    t = time.perf_counter()
    quantize(args.model, args.data, args.out, exclude)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB (fp32 {args.model.stat().st_size / 1e6:.1f} MB), "
          f"quantised in {time.perf_counter() - t:.0f} s")
    fp32, int8 = (open_style_model(p, ["CPUExecutionProvider"]) for p in (args.model, args.out))
    sets = [("photos a2b", sorted((args.data / "photo").glob("*.jpg"))[-24:], "a2b"),
            ("paintings b2a", sorted((args.data / "monet").glob("*.jpg"))[-12:], "b2a"),
            ("1080p screenshot a2b", [SHOT], "a2b")]
    sets = [x for x in sets if x[2] in directions(args.model)]
    print("SSIM of the int8 output against the fp32 output (target >= 0.98):")
    for name, files, way in sets:
        s = [ssim(fp32.stylize(img, way), int8.stylize(img, way)) for img in map(_load, files)]
        print(f"  {name:22s} min {min(s):.4f}  mean {statistics.mean(s):.4f}  ({len(s)} images)")
    import onnxruntime as ort

    from assetgan.runtime.providers import DISABLED_OPTIMIZERS, session_options

    def session(path: Path, disabled: tuple[str, ...]):
        opts = session_options(ort)
        opts.log_severity_level = 3
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"],
                                    disabled_optimizers=list(disabled))

    runs = {"fp32": session(args.model, DISABLED_OPTIMIZERS), "int8": session(args.out, DISABLED_OPTIMIZERS),
            "int8, NHWC rewrite on": session(args.out, ())}
    feeds = {"a2b.image": _load(SHOT)[None]}
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for name, sess in runs.items():
            t = time.perf_counter()
            sess.run(["a2b.output"], feeds)
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["fp32"])
    print(f"1080p pass (the runtime's session options), median of {args.repeats}:")
    for name, ts in times.items():
        print(f"  {name:22s} {statistics.median(ts):.2f} s  x{statistics.median(ts) / base:.2f} of fp32")


if __name__ == "__main__":
    main()
