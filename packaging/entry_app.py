"""Frozen entry point of the bundled desktop app (what the `assetgan-app` console script runs)."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
