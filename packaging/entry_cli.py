"""Frozen entry point of the bundled `assetgan` CLI (what the `assetgan` console script runs)."""

from assetgan.cli.main import main

if __name__ == "__main__":
    main()
