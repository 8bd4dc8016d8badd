"""`python -m assetgan` runs the CLI."""

from assetgan.cli.main import main

main()
