"""`assetgan-app`: start the desktop app, or say in one line how to install what it needs (never a traceback).

The app's code lives in the folder `ui/`, installed as the package `assetgan_app` (a checkout run in place imports
it as `ui`). This launcher never imports Qt itself, so the core package stays free of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

APP_PACKAGES = ("assetgan_app", "ui")  # installed wheel, checkout


def app_package() -> str | None:
    """`ui` when assetgan runs from a checkout (its ui/ folder beside it), else the installed `assetgan_app`."""
    import assetgan

    if (Path(assetgan.__file__).resolve().parent.parent / "ui" / "app.py").is_file():
        return "ui"
    return "assetgan_app" if importlib.util.find_spec("assetgan_app") is not None else None


def main() -> int:
    if importlib.util.find_spec("PySide6") is None:
        print("error: the desktop app needs PySide6, which is not installed: pip install 'assetgan[app]'",
              file=sys.stderr)
        return 2
    name = app_package()
    if name is not None:
        return importlib.import_module(f"{name}.app").main()
    print("error: the desktop app's package is missing from this installation; reinstall assetgan with "
          "pip install 'assetgan[app]'", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
