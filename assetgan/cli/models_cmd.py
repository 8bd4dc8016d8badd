"""`assetgan models`: list shipped and user models with their cards."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import handle_errors


@handle_errors
def models(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print the whole card as JSON (and a "
                                                                  "conditional model's classes).")] = False,
) -> None:
    """List shipped and user models (user folder: $ASSETGAN_MODELS or ~/.local/share/assetgan/models)."""
    from ..core.errors import AssetganError
    from ..core.paths import shown
    from ..runtime.model import read_card
    from ..runtime.registry import DEFAULT_MODEL, list_models, user_dir

    entries = list_models()
    if not entries:
        typer.echo(f"no models found; add .onnx files to {user_dir()}")
        return
    shipped = {e.name for e in entries if e.origin == "shipped"}
    bad = 0
    for e in entries:
        star = " (default)" if e.name == DEFAULT_MODEL and e.origin == "shipped" else ""
        shadow = (f"  (hidden: the shipped model '{shown(e.name)}' has this name; rename the file to use it)"
                  if e.origin == "user" and e.name in shipped else "")
        try:
            card = read_card(e.path)
        except AssetganError as exc:  # one bad file never hides the models listed after it
            bad += 1
            reason = str(exc).removeprefix(f"{e.path}: ")
            typer.echo(f"{shown(e.name)}  [{e.origin}]  BAD: {reason}{shadow}")
            typer.echo(f"    {shown(e.path)}")
            continue
        typer.echo(f"{shown(e.name)}{star}  [{e.origin}]  {card.summary()}{shadow}")
        typer.echo(f"    {shown(e.path)}")
        if verbose:
            if card.classes:  # a conditional model: the names `generate --class` takes, with training images each
                typer.echo("    classes: " + ", ".join(f"{shown(c)} ({n})" for c, n in
                                                       zip(card.classes, card.class_counts)))
            typer.echo("    " + card.to_json())
    if bad:
        typer.echo(f"{bad} model file(s) cannot be used (marked BAD above); re-export or remove them", err=True)

