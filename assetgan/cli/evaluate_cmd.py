"""`assetgan evaluate MODEL --real DIR`: print a table of offline quality figures and write them as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import handle_errors, info


@handle_errors
def evaluate(
    model: Annotated[str, typer.Argument(help="Model name or .onnx path.")],
    real: Annotated[Path, typer.Option(help="Folder of real images the model should match (ideally held out); "
                                            "for a CycleGAN, images of the target domain.")],
    inputs: Annotated[Path | None, typer.Option(help="CycleGAN: held-out images of the source domain.")] = None,
    direction: Annotated[str, typer.Option(help="CycleGAN: a2b or b2a.")] = "a2b",
    train: Annotated[Path | None, typer.Option(help="Training images, for the memorisation check.")] = None,
    n: Annotated[int, typer.Option(help="Generated images to measure.")] = 1000,
    seed: Annotated[int, typer.Option(help="First seed; also seeds the metrics.")] = 0,
    c2st: Annotated[bool, typer.Option(help="Run the classifier two-sample test (needs torch).")] = True,
    truncation: Annotated[float | None, typer.Option(help="Truncation psi (default: the model card's).")] = None,
    keep_best: Annotated[float | None, typer.Option(help="Critic keep-best fraction, as in `generate` "
                                                          "(default: the model card's).")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Measure the network's output, without the model's "
                                                    "clean-output defaults (as `generate --raw`).")] = False,
    label_map: Annotated[Path | None, typer.Option(help="Conditional models: the label map the run used, where it "
                                                         "is not at the path the model records.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures as JSON here (a new file; "
                                                                "--force replaces one).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --json file.")] = False,
    record: Annotated[bool, typer.Option(help="Store the figures and this command in the model file's card "
                                              "(`metrics`; the .onnx is rewritten atomically).")] = False,
) -> None:
    """Measure a model offline: SWD with a real-vs-real floor, C2ST, memorisation, wrap seams; per class for a
    conditional model (class recognition with --train, SWD and C2ST against each class's held-out images)."""
    import json

    from ..core.atomic import atomic_write_text
    from ..core.errors import AssetganError
    from ..metrics.evaluate import evaluate as run_evaluate
    from ..runtime.model import open_model
    from ..runtime.registry import resolve_model

    if n < 16:
        raise AssetganError(f"--n {n}: measure at least 16 generated images")
    from ..runtime.model import read_card

    path = resolve_model(model)
    if json_out is not None:  # checked before minutes of measuring, not after
        if json_out.is_dir() or not json_out.parent.is_dir():
            raise AssetganError(f"--json {json_out}: give a file name in an existing folder")
        if json_out.resolve() == path.resolve():
            raise AssetganError(f"--json {json_out}: is the model file; choose another name")
        if json_out.exists() and not force:
            raise AssetganError(f"--json {json_out}: already exists; pass --force to replace it or choose another name")
    is_translator = read_card(path).kind == "cyclegan"
    if c2st and not is_translator:
        try:
            import torch  # noqa: F401
        except ImportError:
            raise AssetganError("C2ST needs PyTorch: pip install 'assetgan[train]', or pass --no-c2st") from None
    if is_translator:
        from ..metrics.evaluate import evaluate_translation
        from ..runtime.stylize import open_style_model

        if inputs is None:
            raise AssetganError("a CycleGAN model needs --inputs DIR (held-out source images) besides --real")
        sm = open_style_model(path)
        ev = evaluate_translation(sm, inputs, real, sm.check_direction(direction), n=n, seed=seed)
    else:
        ev = run_evaluate(open_model(path), real, train, n=n, seed=seed, c2st=c2st, truncation=truncation,
                          keep=keep_best, raw=raw, label_map=str(label_map) if label_map is not None else None)
    typer.echo(ev.table())
    if record:
        argv = [model, "--real", str(real)] + (["--inputs", str(inputs), "--direction", direction] if inputs else [])
        argv += (["--train", str(train)] if train else []) + ["--n", str(n), "--seed", str(seed)]
        argv += (["--truncation", f"{truncation:g}"] if truncation is not None else [])
        argv += (["--keep-best", f"{keep_best:g}"] if keep_best is not None else [])
        argv += ([] if c2st else ["--no-c2st"])
        argv += (["--raw"] if raw else []) + (["--label-map", str(label_map)] if label_map is not None else [])
        _record(path, ev, argv)
    if json_out is not None:
        atomic_write_text(json_out, json.dumps({"model": ev.model, "n_generated": ev.n_generated,
                                                "n_real": ev.n_real, **ev.figures}, indent=2) + "\n")
        info(f"figures written to {json_out}")


def _record(path: Path, ev, argv: list[str]) -> None:
    """Put the figures, the settings they were measured with and the command into the card's `metrics`."""
    import dataclasses
    import shlex
    import time

    from ..runtime.card_io import rewrite_card
    from ..runtime.model import read_card

    card = read_card(path)
    entry = {"figures": ev.figures, "n_generated": ev.n_generated, "n_real": ev.n_real,
             "measured": time.strftime("%Y-%m-%d"),
             "command": "assetgan evaluate " + " ".join(shlex.quote(a) for a in argv)}
    rewrite_card(path, dataclasses.replace(card, metrics={**card.metrics, "evaluate": entry}))
    info(f"figures recorded in the card of {path}")
