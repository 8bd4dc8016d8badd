"""Setting a training config's fields by name: `--set FIELD=VALUE`, `--config FILE.json` and recipes, one parser.

Every field of a config dataclass can be set; the value is parsed by the field's type (int, float, bool, str,
`X | None`, `tuple[str, ...]` as a comma list, `tuple[int, int] | None` as WxH) and the result is validated by the
config's own `validate()`. Unknown names stop with one line listing the near matches. Torch-free.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.errors import AssetganError

NONE_WORDS = ("", "none", "null", "off")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _field_type(cls: type, name: str, source: str) -> Any:
    """Field `name`'s resolved type; an unknown name stops with one line listing the near matches."""
    names = [f.name for f in dataclasses.fields(cls)]
    if name in names:
        return typing.get_type_hints(cls)[name]
    near = difflib.get_close_matches(name, names, n=4, cutoff=0.5) or [n for n in names if name in n][:4]
    hint = f"did you mean {', '.join(near)}?" if near else "see --print-config for the fields"
    raise AssetganError(f"{source}: unknown field {name!r}; {hint}")


def _split_optional(tp: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); anything else -> (tp, False)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def parse_text(cls: type, name: str, text: str, source: str = "--set") -> Any:
    """The value of field `name` written as text (`--set name=text`)."""
    declared = _field_type(cls, name, source)
    tp, optional = _split_optional(declared)
    t = text.strip()
    if optional and t.lower() in NONE_WORDS:
        return None
    try:
        if tp is bool:
            if t.lower() in TRUE_WORDS:
                return True
            if t.lower() in FALSE_WORDS:
                return False
            raise ValueError
        if tp is int:
            return int(t)
        if tp is float:
            value = float(t)
            if not math.isfinite(value):
                raise ValueError
            return value
        if tp is str:
            return text
        if typing.get_origin(tp) is tuple:
            args = typing.get_args(tp)
            if args[-1] is Ellipsis:  # tuple[str, ...]: a comma list, "none" for empty
                return () if t.lower() in NONE_WORDS else tuple(p.strip() for p in t.split(",") if p.strip())
            parts = t.lower().replace(",", "x").split("x")  # tuple[int, int]: WxH
            if len(parts) != len(args):
                raise ValueError
            return tuple(a(p) for a, p in zip(args, parts))
    except ValueError:
        pass
    raise AssetganError(f"{source}: {name}={text!r}: must be {_describe(declared)}")


def _describe(tp: Any) -> str:
    inner, optional = _split_optional(tp)
    if inner is bool:
        want = "true or false"
    elif inner in (int, float, str):
        want = f"a{'n' if inner is int else ''} {inner.__name__}"
    elif typing.get_origin(inner) is tuple and typing.get_args(inner)[-1] is Ellipsis:
        want = "a comma-separated list (or none)"
    elif typing.get_origin(inner) is tuple:
        want = "WxH, e.g. 32x32"
    else:
        want = str(inner)
    return f"{want} or none" if optional and inner is not tuple else want


def coerce(cls: type, name: str, value: Any, source: str) -> Any:
    """A JSON value (from --config) as field `name`'s type; text is parsed as with --set."""
    declared = _field_type(cls, name, source)
    if isinstance(value, str) and declared is not str:
        return parse_text(cls, name, value, source)
    tp, optional = _split_optional(declared)
    if value is None and optional:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if (tp is bool and isinstance(value, bool)) or (tp is str and isinstance(value, str)) or (
            tp is int and number and isinstance(value, int)):
        return value
    if tp is float and number and math.isfinite(value):
        return float(value)
    if typing.get_origin(tp) is tuple and isinstance(value, (list, tuple)):
        args = typing.get_args(tp)
        want = str if args[-1] is Ellipsis else int  # a comma list of names, or WxH
        if (want is str or len(value) == len(args)) and all(
                isinstance(v, want) and not isinstance(v, bool) for v in value):
            return tuple(value)
    raise AssetganError(f"{source}: {name}={value!r}: must be {_describe(declared)}")


def parse_sets(cls: type, items: Iterable[str]) -> dict[str, Any]:
    """`--set FIELD=VALUE` items (repeatable; a later one wins) as typed field values."""
    out: dict[str, Any] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not eq or not name:
            raise AssetganError(f"--set {item!r}: write FIELD=VALUE, e.g. --set ndf=32")
        out[name] = parse_text(cls, name, text, f"--set {name}")
    return out


def read_config_file(cls: type, path: Path) -> dict[str, Any]:
    """A JSON object of field values (`--config FILE.json`; a run's config.json works too: its "config" object
    is used), typed."""
    from ..core.paths import shown
    from ..core.safe_json import loads

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssetganError(f"--config {shown(path)}: cannot read it ({type(exc).__name__}); pass a JSON file of "
                            "config fields") from None
    data = loads(text, f"--config {shown(path)}")
    if isinstance(data, dict) and isinstance(data.get("config"), dict) and "kind" in data:
        data = data["config"]
    if not isinstance(data, dict):
        raise AssetganError(f"--config {shown(path)}: must hold a JSON object of config fields, e.g. {{\"ndf\": 32}}")
    return {k: coerce(cls, k, v, f"--config {shown(path)}") for k, v in data.items()}

