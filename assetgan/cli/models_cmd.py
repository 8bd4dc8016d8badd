"""`assetgan models`: list shipped and user models with their cards."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import handle_errors, warn


@handle_errors
def models(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print the whole card as JSON.")] = False,
) -> None:
    """List shipped and user models (user folder: $ASSETGAN_MODELS or ~/.local/share/assetgan/models)."""
    from ..errors import AssetganError
    from ..registry import DEFAULT_MODEL, list_models, user_dir
    from ..runtime.model import read_card

    entries = list_models()
    if not entries:
        typer.echo(f"no models found; add .onnx files to {user_dir()}")
        return
    for e in entries:
        try:
            card = read_card(e.path)
        except AssetganError as exc:
            warn(str(exc))
            continue
        star = " (default)" if e.name == DEFAULT_MODEL and e.origin == "shipped" else ""
        typer.echo(f"{e.name}{star}  [{e.origin}]  {card.summary()}")
        typer.echo(f"    {e.path}")
        if verbose:
            typer.echo("    " + card.to_json())
