"""Shared CLI plumbing: turning `AssetganError` into a one-line message and an exit code, console helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from typing import ParamSpec, TypeVar

import typer

from ..core.errors import AssetganError

P = ParamSpec("P")
R = TypeVar("R")


class Precision(str, Enum):
    """`assetgan train --precision`: fp32, or bf16 autocast for the forward passes."""

    fp32 = "fp32"
    bf16 = "bf16"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `error: message` on stderr and return the `typer.Exit` to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so that user errors print one line and exit with their code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AssetganError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(1) from None
        except OSError as exc:  # the environment, not the code: a full disk, a read-only or vanished folder
            where = f"{exc.filename}: " if exc.filename else ""
            raise fail(f"{where}{exc.strerror or exc}; check the path, its permissions and the free space") \
                from None
        except MemoryError:
            raise fail("out of memory; process fewer or smaller images at once") from None
        except RecursionError:
            raise fail("input nested too deeply to process; check the files given") from None

    return wrapper


def warn(message: str) -> None:
    """Print a one-line warning (a skipped file in a batch, say) on stderr."""
    typer.echo(f"warning: {message}", err=True)


def info(message: str) -> None:
    """Print a line of progress information on stderr, keeping stdout for results."""
    typer.echo(message, err=True)
