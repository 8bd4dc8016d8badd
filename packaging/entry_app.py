"""Frozen entry point of the bundled desktop app (what the `assetgan-app` console script runs)."""

import sys

from assetgan_app.app import main  # the installed name of the ui/ folder

if __name__ == "__main__":
    sys.exit(main())
