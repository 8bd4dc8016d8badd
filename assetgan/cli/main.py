"""Entry point composing the command groups; heavy imports happen inside commands, never here."""

from __future__ import annotations

import typer

from .. import __version__
from . import data_cmd, evaluate_cmd, export_cmd, generate_cmd, models_cmd, stylize_cmd, train_cmd

app = typer.Typer(
    name="assetgan",
    help="Generate game sprites and textures with GANs: train, export to ONNX, generate, curate, export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"assetgan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                       callback=_print_version)) -> None:
    """Generate game sprites and textures with GANs: train, export to ONNX, generate, curate, export."""
app.add_typer(data_cmd.app, name="data")
app.add_typer(train_cmd.app, name="train")
app.command("to-onnx")(train_cmd.to_onnx)
app.command("models")(models_cmd.models)
app.command("generate")(generate_cmd.generate)
app.command("stylize")(stylize_cmd.stylize)
app.command("export")(export_cmd.export)
app.command("evaluate")(evaluate_cmd.evaluate)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="assetgan")


if __name__ == "__main__":
    main()
