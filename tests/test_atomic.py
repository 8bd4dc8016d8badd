"""Atomic writes: the target is replaced whole or not at all, with normal permissions."""

from __future__ import annotations

import os
import stat

import pytest

from assetgan.core.atomic import atomic_open, atomic_write_bytes


def test_replaces_whole_file_with_umask_mode(tmp_path):
    p = tmp_path / "a.bin"
    atomic_write_bytes(p, b"one")
    atomic_write_bytes(p, b"two")
    assert p.read_bytes() == b"two"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask
    assert [x.name for x in tmp_path.iterdir()] == ["a.bin"]


def test_failure_keeps_old_content_and_no_temporary(tmp_path):
    p = tmp_path / "a.bin"
    atomic_write_bytes(p, b"old")
    with pytest.raises(RuntimeError):
        with atomic_open(p) as fh:
            fh.write(b"half")
            raise RuntimeError("boom")
    assert p.read_bytes() == b"old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.bin"]
