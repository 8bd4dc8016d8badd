"""JSON from files people and programs hand us: bounded nesting and integer size, one-line errors, never a crash."""

from __future__ import annotations

import json
from typing import Any

from .errors import AssetganError

MAX_DEPTH = 64  # assetgan's own files nest 4 levels; anything near this is not one of ours
MAX_INT_DIGITS = 20  # seeds and sizes fit in 64 bits; Python refuses to print ints over 4300 digits


class _Refused(ValueError):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"an integer with {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _depth(value: Any) -> int:
    """Nesting depth of lists and objects, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            if d > MAX_DEPTH:
                return d
            deepest = max(deepest, d)
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def loads(text: str, src: str, error: type[AssetganError] = AssetganError, fix: str = "fix or replace the file") \
        -> Any:
    """Parse `text`; any problem raises `error` with one line naming `src`, the problem and `fix`."""
    try:
        value = json.loads(text, parse_int=_parse_int)
    except _Refused as exc:
        raise error(f"{src}: refused {exc}; {fix}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{src}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); {fix}") from None
    except RecursionError:
        raise error(f"{src}: JSON nested too deeply (at most {MAX_DEPTH} levels); {fix}") from None
    except (ValueError, MemoryError) as exc:
        raise error(f"{src}: unreadable JSON ({str(exc)[:80]}); {fix}") from None
    if _depth(value) > MAX_DEPTH:
        raise error(f"{src}: JSON nested too deeply (at most {MAX_DEPTH} levels); {fix}")
    return value


def short(value: Any, limit: int = 60) -> str:
    """repr(value) cut to `limit` characters, for error messages about values from untrusted files."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
