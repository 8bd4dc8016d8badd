"""Where the app keeps its own files (settings, sessions, caches) and the remembered last session; no Qt."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
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


RECENT_LIMIT = 8  # sessions listed under File > Recent sessions
ZOOM_RANGE = (1, 16)  # whole-number zoom of the item grids


@dataclass
class StylizeState:
    """The Stylize tab's inputs, restored at launch."""

    files: list[str] = field(default_factory=list)  # input images, in list order
    strength: int = 100  # percent
    out_dir: str = ""  # the "Into folder" text
    into: bool = False  # save into out_dir (else beside the originals)
    pixel_art: str = "auto"  # auto, on or off, as `assetgan stylize --pixel-art`

    @classmethod
    def from_dict(cls, d: object, notes: list[str]) -> StylizeState:
        """Defaults for a value of the wrong type, with a note naming it."""
        out = cls()
        if d is None:
            return out
        if not isinstance(d, dict):
            notes.append("settings: the stored Stylize inputs are unreadable; the Stylize tab starts empty")
            return out
        checks = {"files": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                  "strength": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100,
                  "out_dir": lambda v: isinstance(v, str), "into": lambda v: isinstance(v, bool),
                  "pixel_art": lambda v: v in ("auto", "on", "off")}
        for key, ok in checks.items():
            if key not in d:
                continue
            if ok(d[key]):
                setattr(out, key, d[key])
            else:
                notes.append(f"settings: the stored Stylize {key.replace('_', ' ')} {str(d[key])[:40]!r} is not "
                             "usable; it was reset")
        return out


@dataclass
class AppSettings:
    """What the app remembers between launches."""

    last_session: str | None = None  # path of the session file open when the app last changed session
    recent: list[str] = field(default_factory=list)  # session files, most recent first (at most RECENT_LIMIT)
    zoom: int = 0  # the item grids' zoom (0: fit the model's images to the default thumbnail size)
    stylize: StylizeState = field(default_factory=StylizeState)
    notes: list[str] = field(default_factory=list, compare=False)  # what could not be read back (not saved)

    @classmethod
    def load(cls) -> AppSettings:
        """Read settings; a missing or unreadable file gives defaults (settings are never worth a crash), a bad value
        its default and a note."""
        try:
            d = json.loads((config_dir() / "app.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except Exception:  # unreadable, hand-edited, too deeply nested: start from defaults
            return cls(notes=[f"{config_dir() / 'app.json'}: unreadable; the app's settings start afresh"])
        if not isinstance(d, dict):
            return cls(notes=[f"{config_dir() / 'app.json'}: not a settings object; the app's settings start afresh"])
        out = cls()
        last = d.get("last_session")
        out.last_session = last if isinstance(last, str) else None
        recent = d.get("recent", [])
        if isinstance(recent, list):
            out.recent = [p for p in recent if isinstance(p, str)][:RECENT_LIMIT]
        zoom = d.get("zoom", 0)
        if isinstance(zoom, int) and not isinstance(zoom, bool) and ZOOM_RANGE[0] <= zoom <= ZOOM_RANGE[1]:
            out.zoom = zoom
        out.stylize = StylizeState.from_dict(d.get("stylize"), out.notes)
        return out

    def remember(self, session: Path) -> None:
        """`session` becomes the last session and heads the recent list (saved)."""
        path = str(Path(session).resolve())
        self.last_session = path
        self.recent = [path] + [p for p in self.recent if p != path][:RECENT_LIMIT - 1]
        self.save()

    def save(self) -> None:
        """Write atomically; failures are ignored (read-only home), the session itself is saved elsewhere."""
        d = asdict(self)
        del d["notes"]
        try:
            config_dir().mkdir(parents=True, exist_ok=True)
            atomic_write_text(config_dir() / "app.json", json.dumps(d, indent=2) + "\n")
        except OSError:
            pass
