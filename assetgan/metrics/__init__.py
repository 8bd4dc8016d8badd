"""Offline, weight-free quality measures of generated images (numpy only; no downloads, no torch)."""
