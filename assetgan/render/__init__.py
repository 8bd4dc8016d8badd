"""Torch-free rendering of generated images into game-ready files: palettes, post-processing, sheets."""
