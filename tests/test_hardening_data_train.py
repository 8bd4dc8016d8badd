"""Bad paths and a hostile file system through `data inspect`, `data slice`, `train dcgan|cyclegan` and `to-onnx`:
OS errors and symlink loops are one-line errors (exit 2) naming the path and the fix; sub-folders and links that
are not searched are reported; names with control characters stay on one line; an existing model.onnx is
replaced only with --force (or by the run that made it, on --resume)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core import paths
from assetgan.core.paths import shown
from assetgan.data import slicing
from assetgan.data.dataset import load_training_images
from assetgan.data.inspect import format_report, inspect_folder

from .conftest import one_line_error

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "assets" / "samples" / "sheet_4x2_32.png"
SPRITES = ROOT / "assets" / "samples" / "sprites"
TINY_DCGAN = ["--set", "nz=8", "--set", "ngf=8", "--set", "ndf=8", "--batch", "4", "--set", "sample_every=100",
              "--set", "checkpoint_every=100", "--threads", "1"]
TINY_CYCLEGAN = ["--set", "ngf=8", "--set", "blocks=1", "--set", "ndf=8", "--crop", "64", "--set", "load_size=72",
                 "--set", "sample_every=100", "--set", "checkpoint_every=100", "--threads", "1"]

runner = CliRunner()


def _cli_error(args: list[str], *fragments: str) -> str:
    """Run the CLI with `args` and assert one `error:` line holding every fragment (see conftest)."""
    return one_line_error(runner.invoke(app, args), *fragments)


def _loop(folder: Path, name: str = "loop") -> Path:
    link = folder / name
    link.symlink_to(name)  # a link to itself: every lookup through it ends in ELOOP
    return link


def _png(path: Path, size: int = 8, colour: tuple[int, int, int, int] = (200, 30, 30, 255)) -> Path:
    Image.new("RGBA", (size, size), colour).save(path)
    return path


# --- (a) OS errors and symlink loops are one-line errors --------------------------------------------------------


@pytest.mark.parametrize("code, reason, fix", [
    (errno.EACCES, "permission denied", "choose a folder you can write to"),
    (errno.EROFS, "read-only file system", "choose a folder on a writable disk"),
    (errno.ENOSPC, "disk full", "free some space"),
])
def test_slice_tile_write_errors_are_one_line(tmp_path, monkeypatch, code, reason, fix):
    """Running as root, chmod does not stop writes: the write itself is made to fail, on the third tile."""
    calls = []

    def failing_write(path, writer):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(slicing, "atomic_write_with", failing_write)
    out = tmp_path / "tiles"
    _cli_error(["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(out)],
                    f"{out / 'sheet_4x2_32_r00_c02.png'}: cannot write the tile ({reason}) after 2 of 6 tiles; {fix}")


@pytest.mark.parametrize("code, reason", [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "disk full")])
def test_slice_write_errors_from_the_atomic_rename_leave_no_temporary_files(tmp_path, monkeypatch, code, reason):
    import assetgan.core.atomic

    def failing_replace(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(assetgan.core.atomic.os, "replace", failing_replace)
    out = tmp_path / "tiles"
    _cli_error(["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(out)],
                    str(out / "sheet_4x2_32_r00_c00.png"), reason)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("code, reason", [(errno.EROFS, "read-only file system"),
                                          (errno.EACCES, "permission denied"), (errno.ENOSPC, "disk full")])
def test_slice_out_folder_that_cannot_be_created(tmp_path, monkeypatch, code, reason):
    def failing_mkdir(self, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "mkdir", failing_mkdir)
    out = tmp_path / "ro" / "tiles"
    _cli_error(["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(out)],
                    f"--out {out}: cannot create the folder for the tiles ({reason})")


def test_slice_symlink_loops(tmp_path):
    loop = _loop(tmp_path)
    _cli_error(["data", "slice", str(SHEET), "--tile", "32x32", "--out", str(loop)],
                    f"--out {loop}: is a symlink loop", "remove the link or choose another folder")
    _cli_error(["data", "slice", str(loop), "--tile", "32x32", "--out", str(tmp_path / "out")],
                    f"{loop}: is a symlink loop", "point at the sheet image itself")
    assert not (tmp_path / "out").exists()


def test_inspect_symlink_loop_as_data(tmp_path):
    loop = _loop(tmp_path)
    _cli_error(["data", "inspect", str(loop)], f"{loop}: is a symlink loop", "point at a real folder")


def test_inspect_unreadable_data_folder(tmp_path, monkeypatch):
    real = os.scandir

    def scandir(path="."):
        if Path(path) == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _cli_error(["data", "inspect", str(tmp_path)], f"{tmp_path}: cannot read the folder (permission denied)",
                    "check its permissions")


@pytest.mark.parametrize("cmd", ["dcgan", "cyclegan"])
def test_train_out_that_is_a_file_or_a_loop_and_data_that_is_a_loop(tmp_path, cmd):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    loop = _loop(tmp_path)

    def args(data: Path, out: Path) -> list[str]:
        if cmd == "dcgan":
            return ["train", "dcgan", str(data), "--out", str(out), "--steps", "1", *TINY_DCGAN]
        return ["train", "cyclegan", "--a", str(data), "--b", str(SPRITES), "--out", str(out), "--steps", "1",
                *TINY_CYCLEGAN]

    _cli_error(args(SPRITES, afile), f"--out {afile}: exists and is a file, not a folder", "choose a folder")
    _cli_error(args(SPRITES, loop), f"--out {loop}: is a symlink loop", "remove the link")
    what = "DATA" if cmd == "dcgan" else "--a"
    _cli_error(args(loop, tmp_path / "run"), f"{what} {loop}: is a symlink loop", "point it at a real folder")
    assert afile.read_text() == "keep me" and not (tmp_path / "run").exists()


@pytest.mark.parametrize("cmd", [["train", "dcgan", "--resume"], ["train", "cyclegan", "--resume"], ["to-onnx"]])
def test_a_run_folder_that_is_a_symlink_loop(tmp_path, cmd):
    loop = _loop(tmp_path)
    _cli_error([*cmd, str(loop)], f"{loop}: is a symlink loop", "pass the run folder itself")


def test_train_refuses_a_read_only_run_folder_before_training(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(paths.tempfile, "TemporaryFile", read_only)
    run = tmp_path / "run"
    _cli_error(["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "1", *TINY_DCGAN],
                    f"--out {run}: cannot write the run there (read-only file system)", "writable disk")
    assert sorted(p.name for p in run.iterdir()) == []  # refused before any training wrote anything


def test_a_disk_that_fills_up_during_training_is_one_line_with_the_resume_hint(tmp_path, monkeypatch):
    from assetgan.train import loop

    real_save = loop.save_checkpoint

    def save(path, state):
        if state["step"] > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_save(path, state)

    monkeypatch.setattr(loop, "save_checkpoint", save)
    run = tmp_path / "run"
    args = ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "2", "--set", "nz=8",
            "--set", "ngf=8", "--set",
            "ndf=8", "--batch", "4", "--set", "sample_every=100", "--set", "checkpoint_every=1", "--threads", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {run}: cannot write the run's files (disk full); free some space"), line
    assert f"continue with: assetgan train dcgan --resume {run}" in line


# --- (b) inspect reports what it did not search; names stay on one line -----------------------------------------


def test_inspect_reports_unreadable_sub_folders_and_symlink_loops(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "ok").mkdir(parents=True)
    _png(data / "ok" / "a.png")
    (data / "locked").mkdir()
    _png(data / "locked" / "hidden_from_us.png")
    _loop(data, "self.png")
    (data / "back").symlink_to(data)  # a folder link back up: following it would never end
    other = tmp_path / "elsewhere"
    other.mkdir()
    (data / "linked").symlink_to(other)
    (data / "gone.png").symlink_to(tmp_path / "missing.png")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = inspect_folder(data)
    assert report.total_files == 1
    reasons = {s.name: s.reason for s in report.not_searched}
    assert sorted(reasons) == ["back", "gone.png", "linked", "locked", "self.png"]
    assert reasons["locked"] == "folder not searched: cannot read it (permission denied); check its permissions"
    assert reasons["self.png"].startswith("symlink loop (the link leads back to itself)")
    assert reasons["back"].startswith("symlink loop (links back to the searched folder), not followed")
    assert reasons["linked"] == f"link to a folder, not followed; pass {other} itself to include its images"
    assert reasons["gone.png"].startswith("broken symbolic link")
    assert [s.name for s in report.unreadable_folders] == ["locked"]

    text = format_report(report)
    assert "folders and links not searched: 5" in text
    assert "  locked: folder not searched: cannot read it (permission denied); check its permissions" in text

    result = runner.invoke(app, ["data", "inspect", str(data)])
    assert result.exit_code == 2, result.output  # an unreadable folder leaves the report incomplete, like a bad file
    assert result.stderr.strip() == f"error: {data}: 1 unreadable folder (listed above); fix or remove them"
    assert "  self.png: symlink loop" in result.stdout


def test_inspect_loops_alone_are_reported_and_exit_0(tmp_path):
    _png(tmp_path / "a.png")
    _loop(tmp_path, "sub")
    result = runner.invoke(app, ["data", "inspect", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "folders and links not searched: 1" in result.stdout
    assert "  sub: symlink loop (the link leads back to itself); remove the link" in result.stdout


def test_a_folder_whose_only_sub_folder_is_unreadable_says_why_it_found_nothing(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _cli_error(["data", "inspect", str(tmp_path)], f"{tmp_path}: no image files found",
                    "skipped locked: folder not searched: cannot read it (permission denied)")


def test_training_data_warns_of_folders_and_links_it_skips(tmp_path):
    _png(tmp_path / "a.png")
    _loop(tmp_path, "loop.png")
    heard = []
    data = load_training_images(tmp_path, 8, 4, on_skip=lambda p, why: heard.append((p, why)))
    assert data.files == ["a.png"]
    assert heard == [(tmp_path / "loop.png", "symlink loop (the link leads back to itself); remove the link")]
    assert data.skipped == [("loop.png", heard[0][1])]


def test_shown_escapes_control_characters_only():
    assert shown("plain name/ok é.png") == "plain name/ok é.png"
    assert shown(Path("a\nb.png")) == "a\\nb.png"
    assert shown("tab\there\r\x1b[31m\u2028\\.png") == "tab\\there\\r\\x1b[31m\\u2028\\\\.png"
    assert shown(os.fsdecode(b"bad\xffbyte.png")) == "bad\\xffbyte.png"
    assert shown("\U000e0001") == "\\U000e0001"


def test_inspect_names_with_newlines_and_control_characters_stay_on_one_line(tmp_path):
    sprite = np.zeros((8, 8, 4), np.uint8)
    sprite[2:6, 2:6] = (10, 200, 10, 255)
    Image.fromarray(sprite).save(tmp_path / "one\nline.png")
    Image.fromarray(sprite).save(tmp_path / "esc\x1b[2Jape.png")  # a duplicate; the name clears a terminal
    (tmp_path / "empty\r\n.png").write_bytes(b"")
    Image.new("RGBA", (2, 2), (1, 1, 1, 255)).save(tmp_path / "tiny\t.png")
    (tmp_path / "sub\nfolder").mkdir()
    _loop(tmp_path / "sub\nfolder", "x\n.png")
    result = runner.invoke(app, ["data", "inspect", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert "  esc\\x1b[2Jape.png, one\\nline.png" in lines
    assert any(line.startswith("  empty\\r\\n.png: is an empty (0-byte) file") for line in lines)
    assert "  tiny\\t.png (2x2)" in lines
    assert any(line.startswith("  sub\\nfolder/x\\n.png: symlink loop") for line in lines)
    assert "\x1b" not in result.output and "\r" not in result.output and "\t" not in result.output
    assert len(lines) == 13, lines  # no entry split over two lines


def test_slice_names_with_control_characters_stay_on_one_line(tmp_path):
    sheet = tmp_path / "my\nsheet.png"
    shutil.copyfile(SHEET, sheet)
    out = tmp_path / "out\x1b"
    result = runner.invoke(app, ["data", "slice", str(sheet), "--tile", "32x32", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"{tmp_path}/my\\nsheet.png: wrote 6 tiles from 2 rows x 4 columns to "
                                     f"{tmp_path}/out\\x1b; dropped 1 empty cell and 1 duplicate cell")
    assert len(list(out.glob("my\nsheet_r*_c*.png"))) == 6  # the files keep their real names
    bad = tmp_path / "bad\nsheet.png"
    bad.write_bytes(b"not an image")
    _cli_error(["data", "slice", str(bad), "--tile", "32x32", "--out", str(tmp_path / "o")],
                    f"{tmp_path}/bad\\nsheet.png: is not a readable image")
    _cli_error(["data", "slice", str(sheet), "--tile", "30x32", "--out", str(tmp_path / "o")],
                    f"{tmp_path}/my\\nsheet.png: sheet is 128x64")


# --- (c) model.onnx is replaced only with --force, or by its own run on --resume ---------------------------------


def test_train_dcgan_refuses_a_model_it_did_not_make_then_force_replaces_it(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.onnx").write_bytes(b"someone else's model")
    args = ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "2", *TINY_DCGAN]
    _cli_error(args, f"{run / 'model.onnx'}: already exists (no run in this folder made it)", "--force")
    assert sorted(p.name for p in run.iterdir()) == ["model.onnx"]  # refused before any training started
    assert (run / "model.onnx").read_bytes() == b"someone else's model"

    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 0, result.output
    first = (run / "model.onnx").read_bytes()
    assert first.startswith(b"\x08") and first != b"someone else's model"  # an ONNX protobuf now

    # resuming the run replaces its own model.onnx without --force: it is that run's output
    result = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", "3"])
    assert result.exit_code == 0, result.output
    assert (run / "model.onnx").read_bytes() != first


def test_train_cyclegan_refuses_a_model_it_did_not_make(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.onnx").write_bytes(b"keep")
    _cli_error(["train", "cyclegan", "--a", str(SPRITES), "--b", str(SPRITES), "--out", str(run),
                     "--steps", "1", *TINY_CYCLEGAN],
                    f"{run / 'model.onnx'}: already exists (no run in this folder made it)", "--force")
    assert sorted(p.name for p in run.iterdir()) == ["model.onnx"] and (run / "model.onnx").read_bytes() == b"keep"


def test_train_cyclegan_resume_replaces_its_own_model(tiny_cyclegan_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_cyclegan_run, run)
    before = (run / "model.onnx").read_bytes()
    result = runner.invoke(app, ["train", "cyclegan", "--resume", str(run), "--steps", "5", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert (run / "model.onnx").read_bytes() != before


def test_train_force_help_says_what_it_replaces():
    for cmd in ("dcgan", "cyclegan"):
        result = runner.invoke(app, ["train", cmd, "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
        assert "--force" in result.output and "model.onnx" in result.output


def test_to_onnx_refuses_to_replace_a_model_without_force(tiny_run, tmp_path, monkeypatch):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    model = run / "model.onnx"
    before = model.read_bytes()
    _cli_error(["to-onnx", str(run)], f"{model}: already exists; pass --force to replace it",
                    "or choose another --out")
    assert model.read_bytes() == before
    other = tmp_path / "other.onnx"
    other.write_bytes(b"keep me")
    _cli_error(["to-onnx", str(run), "--out", str(other)], f"{other}: already exists", "--force")
    assert other.read_bytes() == b"keep me"
    _cli_error(["to-onnx", str(run), "--out", str(tmp_path)], f"{tmp_path}: is a folder, not a model file")
    result = runner.invoke(app, ["to-onnx", str(run), "--out", str(other), "--force"])
    assert result.exit_code == 0, result.output
    assert other.read_bytes() != b"keep me"

    from assetgan.train import onnx_export

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(onnx_export, "atomic_write_bytes", disk_full)
    _cli_error(["to-onnx", str(run), "--force"], f"{model}: cannot write the model (disk full)",
                    "free some space")
    assert model.read_bytes() == before
