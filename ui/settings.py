"""Where the app keeps its own files (settings, sessions, caches) and the remembered last session; no Qt."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assetgan.core.atomic import atomic_write_text


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/assetgan (~/.config/assetgan)."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "assetgan"


def sessions_dir() -> Path:
    """$XDG_DATA_HOME/assetgan/sessions: where new sessions are created until saved elsewhere."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "assetgan" / "sessions"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/assetgan (~/.cache/assetgan): recomputable data such as principal directions."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "assetgan"


def new_session_path(now: float | None = None) -> Path:
    """A fresh, unused session file name under sessions_dir()."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    folder = sessions_dir()
    path = folder / f"session-{stamp}.json"
    k = 2
    while path.exists():
        path = folder / f"session-{stamp}-{k}.json"
        k += 1
    return path


@dataclass
class AppSettings:
    """What the app remembers between launches."""

    last_session: str | None = None  # path of the session file open when the app last changed session

    @classmethod
    def load(cls) -> AppSettings:
        """Read settings; a missing or unreadable file gives defaults (settings are never worth a crash)."""
        try:
            d = json.loads((config_dir() / "app.json").read_text(encoding="utf-8"))
            last = d.get("last_session") if isinstance(d, dict) else None
            return cls(last_session=last if isinstance(last, str) else None)
        except Exception:  # unreadable, hand-edited, too deeply nested: start from defaults
            return cls()

    def save(self) -> None:
        """Write atomically; failures are ignored (read-only home), the session itself is saved elsewhere."""
        try:
            config_dir().mkdir(parents=True, exist_ok=True)
            atomic_write_text(config_dir() / "app.json", json.dumps(asdict(self), indent=2) + "\n")
        except OSError:
            pass
