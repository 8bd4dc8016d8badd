"""The app's Qt-free logic: session commands and files, latent maths, PCA, thumbnails, library, startup."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assetgan.core.errors import AssetganError, CollectionError, ModelError
from assetgan.export.collection import ModelRef, load_collection
from assetgan.runtime.latent import seed_latent
from assetgan.runtime.model import file_sha256
from ui import explore, pca, thumbs
from ui.batch import generate_seeds
from ui.export_plan import command_line
from ui.library import add_model, card_rows, default_model, scan
from ui.session import Session
from ui.settings import AppSettings
from ui.startup import restore

from .conftest import seed_images

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "trained" / "crawl-sprites-32.onnx"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    return tmp_path


def _session(tmp_path) -> Session:
    return Session.new(tmp_path / "s" / "one.json", ModelRef("crawl-sprites-32", "ab" * 32, str(SHIPPED)))


def test_session_commands_are_saved_at_once_and_reopen(tmp_path):
    s = _session(tmp_path)
    items = s.add_seeds([3, 4, 5], 0.8)
    assert [it.name for it in items] == ["crawl-sprites-32_000003", "crawl-sprites-32_000004",
                                         "crawl-sprites-32_000005"]
    assert s.add_seeds([3], 0.8)[0] is items[0]  # same seed and psi: reused
    assert s.add_seeds([3], 1.0)[0].name == "crawl-sprites-32_000003-2"
    s.toggle([items[0].name], "favourite")
    s.toggle([items[1].name, items[2].name], "rejected")
    s.toggle([items[2].name], "rejected")  # all already rejected: clears
    s.add_tag([items[0].name], " potion ")
    s.rename(items[0].name, "hero")
    s.update_settings(count=7, seed=40, truncation=0.8)
    z = s.add_latent(np.arange(4, dtype=np.float32), "frame", ["explore"])
    back = Session.open(s.path)  # every command above was saved to disk
    assert [(it.name, it.state, it.tags) for it in back.items] == [
        ("hero", "favourite", ["potion"]), ("crawl-sprites-32_000004", "rejected", []),
        ("crawl-sprites-32_000005", "none", []), ("crawl-sprites-32_000003-2", "none", []),
        (z.name, "none", ["explore"])]
    assert back.items[4].z == [0.0, 1.0, 2.0, 3.0]
    assert (back.settings.count, back.settings.seed, back.settings.truncation) == (7, 40, 0.8)
    assert [it.name for it in back.filtered("favourites")] == ["hero"]
    assert [it.name for it in back.filtered("all", "POT")] == ["hero"]
    assert len(back.filtered("kept")) == 4 and len(back.filtered("unmarked")) == 3
    assert load_collection(s.path).items[0].truncation == 0.8  # the same file `assetgan export` reads


def test_session_refuses_bad_commands_and_keeps_the_file(tmp_path):
    s = _session(tmp_path)
    s.add_seeds([1, 2], 1.0)
    before = s.path.read_bytes()
    with pytest.raises(AssetganError, match="another item already has it"):
        s.rename("crawl-sprites-32_000001", "crawl-sprites-32_000002")
    with pytest.raises(AssetganError, match="letters, digits"):
        s.rename("crawl-sprites-32_000001", "../evil")
    with pytest.raises(AssetganError, match="empty"):
        s.add_tag(["crawl-sprites-32_000001"], "  ")
    with pytest.raises(AssetganError, match="start a new session"):
        s.set_model(ModelRef("other", "cd" * 32))
    assert s.path.read_bytes() == before
    out = s.collection.output
    with pytest.raises(CollectionError, match="writes nothing"):
        s.set_output(type(out)(files=False, sheet=False))
    assert s.collection.output is out and s.path.read_bytes() == before


def test_session_open_never_writes_a_broken_file(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"format": "assetgan.collection", "version": 1,,}')
    with pytest.raises(CollectionError, match="invalid JSON at line 1"):
        Session.open(p)
    assert p.read_text() == '{"format": "assetgan.collection", "version": 1,,}'


def test_settings_survive_hand_edited_values(tmp_path):
    s = _session(tmp_path)
    d = json.loads(s.path.read_text())
    d["extra"]["app"] = {"count": "many", "seed": True, "truncation": 1, "explore_dim": 5}
    s.path.write_text(json.dumps(d))
    got = Session.open(s.path).settings
    assert (got.count, got.seed, got.truncation, got.explore_dim) == (64, 0, 1.0, 5)


def test_walk_slerp_variations_along_and_sliders():
    z = seed_latent(7, 16)
    w = explore.walk(z, 3, 7)
    assert w.shape == (7, 16) and np.allclose(w[:, 3], np.linspace(-3, 3, 7))
    assert np.array_equal(np.delete(w, 3, axis=1), np.repeat(np.delete(z, 3)[None], 7, axis=0))
    a, b = seed_latent(1, 16), seed_latent(2, 16)
    s = explore.slerp(a, b, 5)
    assert np.allclose(s[0], a, atol=1e-6) and np.allclose(s[-1], b, atol=1e-6)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    mid_norm = np.linalg.norm(s[2])  # slerp keeps the norm between the ends' (lerp would shrink it)
    assert min(na, nb) * 0.99 <= mid_norm <= max(na, nb) * 1.01
    assert np.allclose(explore.slerp(a, 2 * a, 3)[1], 1.5 * a, atol=1e-5)  # parallel: linear
    v = explore.variations(z, 6, 0.3, seed=1)
    assert np.array_equal(v[0], z) and 0.1 < np.std(v[1:] - z) < 0.5
    assert np.array_equal(v, explore.variations(z, 6, 0.3, seed=1))
    d = np.eye(16, dtype=np.float32)[:2]
    line = explore.along(z, d[1], 2.0, 3)
    assert np.allclose(line[:, 1] - z[1], [-6, 0, 6])
    moved = explore.apply_sliders(z, d, np.array([1.0, 2.0]), np.array([0.5, -1.0]))
    assert np.allclose(moved - z, np.r_[0.5, -2.0, np.zeros(14)])
    with pytest.raises(ValueError, match="dimension 16"):
        explore.walk(z, 16, 5)
    with pytest.raises(ValueError, match="frames 1"):
        explore.walk(z, 0, 1)


def test_pca_recovers_the_directions_a_linear_generator_uses(tmp_path):
    rng = np.random.default_rng(0)
    nz = 12
    basis = rng.standard_normal((nz, 8 * 8 * 3))
    weights = np.zeros(nz)
    weights[[2, 7]] = [3.0, 1.5]  # only z[2] and z[7] change the image, z[2] twice as much

    def run(z):
        x = (z * weights) @ basis  # [n, D]
        return np.clip(128 + 4 * x, 0, 255).astype(np.uint8).reshape(-1, 8, 8, 3)

    d = pca.compute(run, nz, samples=400, k=2)
    assert abs(d.directions[0][2]) > 0.95 and abs(d.directions[1][7]) > 0.9
    assert np.allclose(np.linalg.norm(d.directions, axis=1), 1, atol=1e-5)
    assert d.explained[0] > d.explained[1] > 0.05 and 0.7 < d.sigmas[0] < 1.3
    calls = []
    first, cached = pca.load_or_compute(lambda z: calls.append(1) or run(z), nz, "ff" * 32, tmp_path, 400, 2)
    assert not cached and calls
    calls.clear()
    again, cached = pca.load_or_compute(lambda z: calls.append(1) or run(z), nz, "ff" * 32, tmp_path, 400, 2)
    assert cached and not calls and np.array_equal(again.directions, first.directions)


def test_thumbnails_zoom_checker_and_tile():
    img = np.zeros((4, 4, 4), np.uint8)
    img[0, 0] = [255, 0, 0, 255]
    t = thumbs.thumbnail(img, target=32)
    assert t.shape == (32, 32, 3)
    assert (t[:8, :8] == [255, 0, 0]).all()  # nearest zoom x8 keeps the pixel crisp
    assert set(map(tuple, t[8:, 8:].reshape(-1, 3))) == {(204, 204, 204), (153, 153, 153)}  # checkerboard
    tiled = thumbs.thumbnail(img[..., :3], target=12, tiled=True)
    assert tiled.shape == (12, 12, 3) and (tiled[4, 4] == [255, 0, 0]).all() and (tiled[8, 0] == [255, 0, 0]).all()
    assert np.array_equal(thumbs.tile3(img)[4:8, 4:8], img)
    big = thumbs.thumbnail(np.full((256, 256, 3), 9, np.uint8), target=128)
    assert big.shape == (128, 128, 3) and (big == 9).all()


def test_library_adds_only_assetgan_models(home, tmp_path):
    models = scan()
    assert default_model(models).name == "crawl-sprites-32" and models[0].card.nz == 128
    assert dict(card_rows(models[0].card))["channels"] == "4 (RGBA)"
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not onnx at all")
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        add_model(junk)
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG....")
    with pytest.raises(ModelError, match="not an assetgan model"):
        add_model(png)
    with pytest.raises(ModelError, match="shipped model already"):
        add_model(SHIPPED)
    mine = tmp_path / "mine.onnx"
    mine.write_bytes(SHIPPED.read_bytes())
    m = add_model(mine)
    assert m.origin == "user" and file_sha256(m.path) == file_sha256(SHIPPED)
    assert not list(m.path.parent.glob(".*.tmp"))
    assert add_model(mine).path == m.path  # the same file again: already there
    assert [x.name for x in scan() if x.usable] == ["crawl-sprites-32", "crawl-textures-32", "mine"]  # no style models
    mine.write_bytes(SHIPPED.read_bytes() + b"\0")
    with pytest.raises(ModelError):
        add_model(mine)


def test_restore_starts_a_new_session_when_the_last_one_cannot_open(home, tmp_path):
    first = restore(AppSettings())
    assert first.model.card.name == "crawl-sprites-32" and first.session.path.is_file() and not first.messages
    first.session.add_seeds([1], 1.0)
    assert restore(AppSettings(str(first.session.path))).session.items[0].seed == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    opened = restore(AppSettings(str(broken)))
    assert "invalid JSON" in opened.messages[0] and "was not changed" in opened.messages[0]
    assert opened.session.path != broken and broken.read_text() == "{ not json"
    d = json.loads(first.session.path.read_text())
    d["model"] = {"name": "gone", "sha256": "00" * 32, "path": "nowhere/gone.onnx"}
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(d))
    opened = restore(AppSettings(str(moved)))
    assert "model 'gone' of the collection was not found" in opened.messages[0]
    assert json.loads(moved.read_text()) == d


def test_generate_seeds_matches_the_runtime_and_stops_when_aborted():
    from assetgan.runtime.model import open_model

    m = open_model(SHIPPED, ["CPUExecutionProvider"])

    class Stop:
        def __init__(self, after):
            self.after, self.calls = after, []

        def update(self, done, total, metrics=None):
            self.calls.append((done, total))

        def aborted(self):
            return len(self.calls) > self.after

    got = []
    p = Stop(1000)
    assert generate_seeds(m, list(range(10)), 0.9, p, got.extend, chunk=4) == 10
    assert [s for s, _ in got] == list(range(10)) and p.calls[-1] == (10, 10)
    assert np.array_equal(np.stack([i for _, i in got]), seed_images(m, range(10), 0.9))  # classes in turn
    got.clear()
    assert generate_seeds(m, list(range(10)), 0.9, Stop(1), got.extend, chunk=4) == 4


def test_command_line_is_quoted_for_a_shell():
    line = command_line(Path("/a b/s.json"), Path("out"), force=True)
    assert line == "assetgan export '/a b/s.json' --out out --force"


def test_logic_modules_never_import_qt():
    code = ("import sys, ui.session, ui.library, ui.explore, ui.pca, ui.thumbs, ui.batch, ui.export_plan, "
            "ui.startup, ui.settings; print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_card_rows_show_critic_and_recorded_quality():
    import dataclasses

    from assetgan.runtime.card import ModelCard

    card = ModelCard(kind="dcgan", name="x", size=32, channels=4, nz=8)
    rows = dict(card_rows(card))
    assert rows["critic (keep best)"] == "no" and "SWD x1e3" not in rows
    rec = {"evaluate": {"figures": {"swd_x1e3": 41.234, "c2st_accuracy": 0.91, "near_duplicates": 2},
                        "measured": "2026-11-25", "n_generated": 1000}}
    rows = dict(card_rows(dataclasses.replace(card, critic=True, default_keep=0.8, metrics=rec)))
    assert rows["critic (keep best)"] == "yes, default keep 80%"
    assert rows["SWD x1e3"] == "41.2" and rows["C2ST accuracy (0.5 ideal)"] == "0.91"
    assert rows["measured"] == "2026-11-25, 1000 samples"
    assert dict(card_rows(dataclasses.replace(card, metrics={"evaluate": "junk"})))["kind"] == "dcgan"
