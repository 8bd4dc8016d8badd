"""Hardening of generate, export, stylize and models: nothing outside --out, no silent overwrite, one-line errors."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError
from assetgan.core.out_dir import LOCK, claim

from .conftest import one_line_error

runner = CliRunner()


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path under `root` with its bytes (None for folders and links), for before/after comparisons."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = p.read_bytes() if p.is_file() and not p.is_symlink() else None
    return out


@pytest.fixture()
def model_dir(tiny_model, tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(tiny_model, folder / "tiny-sprites.onnx")
    monkeypatch.setenv("ASSETGAN_MODELS", str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture()
def collection(model_dir, tmp_path) -> Path:
    col = tmp_path / "c.json"
    r = runner.invoke(app, ["generate", "tiny-sprites", "--count", "3", "--out", str(tmp_path / "g"),
                            "--save-collection", str(col)])
    assert r.exit_code == 0, r.output
    return col


def _edit(col: Path, fn, name: str = "edited.json") -> Path:
    d = json.loads(col.read_text())
    fn(d)
    p = col.parent / name
    p.write_text(json.dumps(d))
    return p


# ---- 1. nothing outside --out ----------------------------------------------------------------------------------
def test_force_removes_only_plain_stale_files_the_exporter_could_have_written(collection, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["export", str(collection), "--out", str(out)]).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"keep me too")
    (out / "sub").mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "link.png").symlink_to(outside)
    (out / "old_000001.png").write_bytes(b"stale")
    manifest = json.loads((out / "assetgan-export.json").read_text())
    manifest["files"] += ["../victim.txt", str(victim), str(outside), "sub", "notes.txt", "link.png",
                          "old_000001.png", "a/../../victim.txt", 5, None, ["x"]]
    (out / "assetgan-export.json").write_text(json.dumps(manifest))
    r = runner.invoke(app, ["export", str(collection), "--out", str(out), "--force"])
    assert r.exit_code == 0, r.output
    assert victim.read_text() == "keep me" and outside.read_bytes() == b"keep me too"
    assert (out / "sub").is_dir() and (out / "notes.txt").read_text() == "mine" and (out / "link.png").is_symlink()
    assert not (out / "old_000001.png").exists()  # a name the exporter writes, listed by the old manifest


def test_a_hostile_manifest_that_is_not_json_or_not_a_list_is_ignored(collection, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for text in ('{"files": "../victim.txt"}', "[" * 100000, '{"files": [' + "1" * 5000 + "]}", "\x00\xff"):
        (out / "assetgan-export.json").write_text(text, errors="surrogateescape")
        r = runner.invoke(app, ["export", str(collection), "--out", str(out), "--force"])
        assert r.exit_code == 0, r.output


def test_stylize_suffix_cannot_leave_the_output_folder(tiny_style_model, tmp_path):
    src = tmp_path / "in" / "a.png"
    src.parent.mkdir()
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(src)
    before = _tree(tmp_path)
    for suffix in ("/../../x", "/x", "\\..\\x", "a\nb", "x" * 65, "C:evil"):
        r = runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--out", str(tmp_path / "out"),
                                "--suffix", suffix])
        one_line_error(r, "--suffix")
    assert _tree(tmp_path) == before


# ---- 2. no silent overwrite, no collisions --------------------------------------------------------------------
def test_save_collection_never_replaces_a_file_without_force_and_never_the_model(model_dir, tmp_path):
    keep = tmp_path / "keep.json"
    keep.write_text("precious")
    args = ["generate", "tiny-sprites", "--count", "2", "--out", str(tmp_path / "o")]
    one_line_error(runner.invoke(app, [*args, "--save-collection", str(keep)]), "already exists", "--force")
    assert keep.read_text() == "precious" and not (tmp_path / "o").exists()
    model = model_dir / "tiny-sprites.onnx"
    data = model.read_bytes()
    one_line_error(runner.invoke(app, [*args, "--force", "--save-collection", str(model)]), "model file in use")
    assert model.read_bytes() == data
    one_line_error(runner.invoke(app, [*args, "--save-collection", str(tmp_path)]), "is a folder")
    assert runner.invoke(app, [*args, "--force", "--save-collection", str(keep)]).exit_code == 0
    assert json.loads(keep.read_text())["format"] == "assetgan.collection"


@pytest.mark.parametrize("edit, needle", [
    (lambda d: d["output"].update(sheet=True, sheet_name=d["items"][0]["name"]), "also an item name"),
    (lambda d: d["output"].update(sheet=True, sheet_name="assetgan-export"), "manifest"),
    (lambda d: d["output"].update(sheet=True, sheet_name="ASSETGAN-EXPORT"), "manifest"),
    (lambda d: d["items"][1].update(name=d["items"][0]["name"].upper()), "differ only in case"),
])
def test_output_names_never_collide(collection, tmp_path, edit, needle):
    bad = _edit(collection, edit)
    out = tmp_path / "out"
    one_line_error(runner.invoke(app, ["export", str(bad), "--out", str(out)]), needle)
    assert not out.exists()


def test_an_input_inside_out_is_never_an_output(collection, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    inside = out / "assetgan-export.json"
    shutil.copy(collection, inside)
    d = json.loads(inside.read_text())
    d["model"]["path"] = str(Path(d["model"]["path"]).resolve())
    inside.write_text(json.dumps(d))
    data = inside.read_bytes()
    one_line_error(runner.invoke(app, ["export", str(inside), "--out", str(out), "--force"]), "input of this run")
    assert inside.read_bytes() == data
    item = out / f"{d['items'][0]['name']}.png"
    shutil.copy(inside, item)
    one_line_error(runner.invoke(app, ["export", str(item), "--out", str(out), "--force"]), "input of this run")


def test_generate_never_writes_over_the_model_it_runs(model_dir, tmp_path):
    model = model_dir / "tiny-sprites.onnx"
    data = model.read_bytes()
    r = runner.invoke(app, ["generate", str(model), "--count", "1", "--prefix", "tiny-sprites", "--out",
                            str(model_dir), "--force", "--sheet", "--no-files"])
    assert r.exit_code == 0, r.output  # tiny-sprites_sheet.png and .json do not collide with the .onnx
    assert model.read_bytes() == data


def test_stylize_never_replaces_an_input_even_with_overwrite(tiny_style_model, tmp_path):
    src = tmp_path / "a.png"
    Image.fromarray(np.full((40, 40, 3), 7, np.uint8)).save(src)
    data = src.read_bytes()
    for extra in ([], ["--overwrite"]):
        r = runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--suffix", "", *extra])
        one_line_error(r, "would overwrite an input")
        assert src.read_bytes() == data
    other = tmp_path / "b.jpg"  # b.jpg -> b.png, which is another input
    Image.fromarray(np.full((40, 40, 3), 9, np.uint8)).save(other)
    b_png = tmp_path / "b.png"
    Image.fromarray(np.full((40, 40, 3), 9, np.uint8)).save(b_png)
    one_line_error(runner.invoke(app, ["stylize", str(tiny_style_model), str(other), str(b_png), "--suffix", "",
                                        "--overwrite"]), "would overwrite an input")


# ---- 3. validation before writing ---------------------------------------------------------------------------
@pytest.mark.parametrize("edit, needle", [
    (lambda d: d["output"].update(sheet=True, sheet_columns=10**15), "sheet_columns"),
    (lambda d: d["output"].update(sheet=True, sheet_columns=0), "sheet_columns"),
    (lambda d: d["output"].update(sheet=True, sheet_padding=-1), "sheet_padding"),
    (lambda d: d["output"].update(sheet=True, sheet_columns=60000, sheet_padding=1000), "limit"),
    (lambda d: d["output"].update(scale=64, sheet=True, sheet_columns=3000), "limit"),
    (lambda d: d["output"].update(scale=10**9), "scale"),
    (lambda d: d["output"].update(alpha_threshold=256), "alpha_threshold"),
])
def test_bad_output_settings_refuse_before_any_file_is_written(collection, tmp_path, edit, needle):
    bad = _edit(collection, edit)
    out = tmp_path / "out"
    one_line_error(runner.invoke(app, ["export", str(bad), "--out", str(out)]), needle)
    assert not out.exists()


# ---- 4. one-line errors ----------------------------------------------------------------------------------------
def _with_card(src: Path, dst: Path, **changes) -> Path:
    import onnx

    proto = onnx.load(str(src))
    for p in proto.metadata_props:
        if p.key == "assetgan.card":
            card = json.loads(p.value)
            card.update(changes)
            p.value = json.dumps(card)
    onnx.save(proto, str(dst))
    return dst


@pytest.mark.parametrize("changes, needle", [
    ({"nz": "abc"}, "'nz'"), ({"nz": -1}, "'nz'"), ({"nz": 7}, "'z'"), ({"default_keep": "x"}, "'default_keep'"),
    ({"domains": 5}, "'domains'"), ({"pad_multiple": "x"}, "'pad_multiple'"), ({"pad_multiple": 100000},
    "'pad_multiple'"), ({"size": 31}, "'image'"), ({"channels": 3}, "'image'"), ({"name": "a\nb"}, "'name'"),
    ({"size": True}, "'size'"), ({"default_truncation": float("nan")}, "default_truncation"),
    ({"palette": ["red"]}, "'palette'"), ({"kind": "cyclegan"}, "cyclegan"),
])
def test_hostile_cards_are_refused_at_open_and_listed_as_bad(model_dir, tmp_path, tiny_model, changes, needle):
    _with_card(tiny_model, model_dir / "aa-bad.onnx", **changes)
    err = one_line_error(runner.invoke(app, ["generate", "aa-bad", "--count", "1", "--out", str(tmp_path / "o")]))
    assert needle in err and "aa-bad.onnx" in err, err
    r = runner.invoke(app, ["models"])
    assert r.exit_code == 0, r.output
    assert "aa-bad  [user]  BAD:" in r.stdout and "tiny-sprites  [user]" in r.stdout  # listed after the bad one


def test_a_user_model_shadowing_a_shipped_name_is_noted(model_dir, tiny_model):
    shutil.copy(tiny_model, model_dir / "crawl-sprites-32.onnx")
    r = runner.invoke(app, ["models"])
    assert r.exit_code == 0 and "hidden: the shipped model 'crawl-sprites-32'" in r.stdout


@pytest.mark.parametrize("text, needle", [
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ('{"a":' * 70 + "1" + "}" * 70, "nested too deeply"),
    ('{"format": "assetgan.collection", "version": ' + "1" * 5000 + "}", "5000 digits"),
    ("\udcff", "not a text file"),
])
def test_hostile_collection_json_is_a_one_line_error(model_dir, tmp_path, text, needle):
    p = tmp_path / "hostile.json"
    p.write_text(text, errors="surrogateescape")
    one_line_error(runner.invoke(app, ["export", str(p), "--out", str(tmp_path / "o")]), needle, "hostile.json")
    assert not (tmp_path / "o").exists()


def test_a_huge_seed_and_a_name_with_a_newline_are_refused(collection, tmp_path):
    huge = _edit(collection, lambda d: d["items"][0].update(seed=2**64))
    one_line_error(runner.invoke(app, ["export", str(huge), "--out", str(tmp_path / "o")]), "seed")
    nl = _edit(collection, lambda d: d["items"][0].update(name="potion\n"))
    one_line_error(runner.invoke(app, ["export", str(nl), "--out", str(tmp_path / "o")]), "name must be")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "1", "--prefix", "x\n", "--out",
                                        str(tmp_path / "o")]), "name must be")
    assert not (tmp_path / "o").exists()


def test_an_unreadable_model_in_export_is_a_one_line_error(collection, tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open

    def deny(path, *a, **k):
        if str(path).endswith(".onnx"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", deny)
    one_line_error(runner.invoke(app, ["export", str(collection), "--out", str(tmp_path / "o")]), "cannot read")


def test_symlink_loops_as_out_or_input_are_one_line_errors(collection, tiny_style_model, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    one_line_error(runner.invoke(app, ["export", str(collection), "--out", str(loop)]), "loop")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "1", "--out", str(loop / "x")]),
                    "loop")
    one_line_error(runner.invoke(app, ["export", str(loop), "--out", str(tmp_path / "o")]))
    one_line_error(runner.invoke(app, ["stylize", str(tiny_style_model), str(loop)]))


# ---- 5. two runs at once ---------------------------------------------------------------------------------------
def test_a_second_run_into_a_held_folder_refuses(collection, tmp_path):
    out = tmp_path / "new"
    with claim(out):
        assert (out / LOCK).exists()
        r = runner.invoke(app, ["export", str(collection), "--out", str(out)])
        err = one_line_error(r, "another assetgan run")
        assert str(out) in err
        with pytest.raises(AssetganError, match="another assetgan run"):
            with claim(out, force=True):
                pass
        assert list(out.iterdir()) == [out / LOCK]
    assert not (out / LOCK).exists()
    assert runner.invoke(app, ["export", str(collection), "--out", str(out)]).exit_code == 0


def test_a_killed_runs_lock_file_does_not_block_the_next_run(collection, tmp_path):
    out = tmp_path / "o"
    code = f"import os\nfrom pathlib import Path\nfrom assetgan.core.out_dir import claim\n" \
           f"with claim(Path({str(out)!r})):\n    os.kill(os.getpid(), 9)\n"
    subprocess.run([os.sys.executable, "-c", code], check=False)
    assert (out / LOCK).exists()  # left behind by SIGKILL, but its lock went with the process
    r = runner.invoke(app, ["export", str(collection), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert not (out / LOCK).exists()


def test_two_export_processes_into_one_new_folder_never_interleave(collection, tmp_path):
    out = tmp_path / "race"
    cmd = [os.sys.executable, "-m", "assetgan", "export", str(collection), "--out", str(out)]
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(c for c, _ in results)
    assert codes in ([0, 2], [0, 0]), results  # [0, 0]: the second started after the first had finished
    if codes == [0, 2]:
        err = next(e for c, e in results if c == 2)
        assert "another assetgan run" in err or "not empty" in err, err
    assert runner.invoke(app, ["export", str(collection), "--out", str(out), "--check"]).exit_code == 0


# ---- 7. smaller ones -------------------------------------------------------------------------------------------
def test_a_refused_run_leaves_no_empty_out_folder(collection, tmp_path):
    bad = _edit(collection, lambda d: d["output"].update(palette="missing.gpl"))
    out = tmp_path / "a" / "b" / "out"
    r = runner.invoke(app, ["export", str(bad), "--out", str(out)])
    assert r.exit_code == 2 and not (tmp_path / "a").exists()


def test_stylize_tile_bounds(tiny_style_model, tmp_path):
    src = tmp_path / "a.png"
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(src)
    for tile in ("0", "-5", "63", "100000"):
        one_line_error(runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--tile", tile]), "--tile")


def test_a_huge_count_refuses_at_once(model_dir, tmp_path):
    out = tmp_path / "o"
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "1000000000", "--out", str(out)]),
                    "--count", "--shard")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "2000000", "--keep-best", "0.5",
                                        "--out", str(out)]), "--keep-best")
    one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "3", "--seed", str(2**63 - 2),
                                        "--out", str(out)]), "--seed")
    assert not out.exists()


def test_validating_a_large_seed_range_touches_only_its_ends(model_dir, monkeypatch):
    import assetgan.export.collection as collection_mod
    from assetgan.export.collection import Collection, ModelRef, OutputSettings, SeedRange, validate
    from assetgan.export.render import check_collisions, check_sheet_memory

    made = []
    real = collection_mod.Item
    monkeypatch.setattr(collection_mod, "Item", lambda *a, **k: made.append(1) or real(*a, **k))
    col = Collection(ModelRef("m", "0" * 64), SeedRange("p", 0, 10_000_000), OutputSettings(), name="p")
    validate(col)
    check_collisions(col, model_dir / "out", [model_dir / "p_000005.png", model_dir / "p_sheet.png"])
    check_sheet_memory(col, 32, 4)
    assert len(made) <= 4


# ---- 9. faults: a full disk, a read-only folder ----------------------------------------------------------------
@pytest.fixture()
def tiny_disk(tmp_path):
    """A 256 KiB tmpfs where this machine lets us mount one (root on Linux), else None."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    ok = os.geteuid() == 0 if hasattr(os, "geteuid") else False
    ok = ok and shutil.which("mount") is not None and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True).returncode == 0
    yield mnt if ok else None
    if ok:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(disk: Path) -> None:
    try:
        with open(disk / "filler", "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
    except OSError:
        pass


def _no_temp_files(folder: Path) -> None:
    assert not [p for p in folder.rglob(".*.tmp")], "a half-written temporary file was left behind"


def test_a_full_disk_is_a_one_line_error_and_leaves_no_half_file(collection, tiny_style_model, tiny_disk,
                                                                 tmp_path, monkeypatch):
    if tiny_disk is None:  # no mount here: every write of file data fails as on a full disk
        import assetgan.core.atomic as atomic_mod

        real_fdopen = atomic_mod.os.fdopen

        class FullFile:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(atomic_mod.os, "fdopen", lambda fd, mode: FullFile(real_fdopen(fd, mode)))
        disk = tmp_path / "disk"
    else:
        disk = tiny_disk
        _fill(disk)
    err = one_line_error(runner.invoke(app, ["export", str(collection), "--out", str(disk / "e")]))
    assert "disk full" in err and "free some space" in err
    err = one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "2", "--out", str(disk / "g")]))
    assert "disk full" in err
    src = tmp_path / "a.png"
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(src)
    r = runner.invoke(app, ["stylize", str(tiny_style_model), str(src), "--out", str(disk / "s")])
    assert "disk full" in one_line_error(r)
    _no_temp_files(disk)


def test_a_read_only_out_is_a_one_line_error(collection, tmp_path, monkeypatch):
    import assetgan.core.atomic as atomic_mod

    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomic_mod.tempfile, "mkstemp", read_only)
    out = tmp_path / "ro"
    err = one_line_error(runner.invoke(app, ["export", str(collection), "--out", str(out)]))
    assert "read-only file system" in err and "writable disk" in err
    err = one_line_error(runner.invoke(app, ["generate", "tiny-sprites", "--count", "1", "--out", str(out)]))
    assert "read-only file system" in err


def test_evaluate_json_never_replaces_a_file_without_force(model_dir, tmp_path):
    keep = tmp_path / "figures.json"
    keep.write_text("mine")
    r = runner.invoke(app, ["evaluate", "tiny-sprites", "--real", str(tmp_path), "--no-c2st", "--json", str(keep)])
    one_line_error(r, "already exists", "--force")
    assert keep.read_text() == "mine"
    model = model_dir / "tiny-sprites.onnx"
    r = runner.invoke(app, ["evaluate", str(model), "--real", str(tmp_path), "--no-c2st", "--json", str(model),
                            "--force"])
    one_line_error(r, "is the model file")
