"""assetgan's desktop app (PySide6): model library, generate, curate, explore and export; never imports torch."""
