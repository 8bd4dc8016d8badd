"""Foundations every tier shares: errors, atomic writes, bounded JSON, progress, user paths and output folders."""
