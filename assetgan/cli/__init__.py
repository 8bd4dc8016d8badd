"""The `assetgan` command line: one module per command group, composed in `main.py`. No torch at import."""
