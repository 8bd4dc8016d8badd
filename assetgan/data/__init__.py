"""Dataset ingest without torch: find, check, slice and fit training images into uint8 arrays."""
