"""The Stylize tab's Qt-free logic: model and direction choices, inputs, preview downscale and blend, output plans."""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetgan.core.errors import AssetganError
from assetgan.runtime.card import ModelCard
from assetgan.runtime.stylize import open_style_model
from ui import stylize_logic as logic
from ui.card_words import makes
from ui.library import LibraryModel, card_rows

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "assets" / "samples" / "dungeon_1080p.png"


def _card(kind: str, domains: list[str] | None = None) -> ModelCard:
    return ModelCard(kind=kind, name="m", size=64, channels=3, domains=domains or [])


def _lib(name: str, kind: str, domains: list[str] | None = None) -> LibraryModel:
    return LibraryModel(name, Path(f"/models/{name}.onnx"), "user", _card(kind, domains))


@pytest.fixture(scope="module")
def style(tiny_style_model):
    return open_style_model(tiny_style_model, ["CPUExecutionProvider"])


def _png(path: Path, h: int, w: int, seed: int = 0) -> Path:
    img = Image.open(SCREENSHOT).convert("RGB").crop((200 + seed, 100, 200 + seed + 4 * w, 100 + 4 * h))
    img.resize((w, h), Image.BILINEAR).save(path)
    return path


def test_only_cyclegan_models_are_offered_and_monet_is_the_default():
    lib = [_lib("crawl", "dcgan"), _lib("tiny", "cyclegan", ["texture", "sprite"]),
           LibraryModel("broken", Path("/b.onnx"), "user", None, "not ONNX"), _lib("monet", "cyclegan",
                                                                                   ["photo", "monet"])]
    models = logic.style_models(lib)
    assert [m.name for m in models] == ["tiny", "monet"]
    assert logic.default_style_model(models).name == "monet"
    assert logic.default_style_model(models[:1]).name == "tiny" and logic.default_style_model([]) is None
    assert [m.stylable for m in lib] == [False, True, False, True] and [m.usable for m in lib] == [True] + [False] * 3


def test_directions_name_the_domains():
    card = _card("cyclegan", ["photo", "monet"])
    assert logic.direction_choices(card) == [("a2b", "photo → monet"), ("b2a", "monet → photo")]
    assert logic.default_suffix(card, "a2b") == ".monet" and logic.default_suffix(card, "b2a") == ".photo"
    assert logic.direction_choices(_card("cyclegan"))[1] == ("b2a", "b → a")
    rows = dict(card_rows(card))
    assert rows["kind"].startswith("cyclegan") and rows["domains"] == "photo ↔ monet" and "latent size" not in rows


def test_a_one_way_model_offers_only_its_direction():
    card = dataclasses.replace(_card("cyclegan", ["photo", "monet"]), directions=["a2b"])
    assert logic.direction_choices(card) == [("a2b", "photo → monet")]
    rows = dict(card_rows(card))
    assert rows["kind"].startswith("cut") and rows["domains"] == "photo → monet"
    assert makes(card) == "restyles pictures: photo → monet, any size"


def test_add_inputs_expands_folders_skips_duplicates_and_refuses_non_images(tmp_path):
    (tmp_path / "shots" / "sub").mkdir(parents=True)
    a = _png(tmp_path / "shots" / "a.png", 20, 30)
    b = _png(tmp_path / "shots" / "sub" / "b.png", 20, 30)
    (tmp_path / "shots" / "notes.txt").write_text("x")
    notes = tmp_path / "readme.txt"
    notes.write_text("x")
    (tmp_path / "empty").mkdir()
    got = logic.add_inputs([a], [tmp_path / "shots", notes, tmp_path / "empty", tmp_path / "gone.png", a])
    assert got.files == [a, b]
    assert len(got.refused) == 3 and "readme.txt: not an image file" in got.refused[0]
    assert "no image files found" in got.refused[1] and "no such file" in got.refused[2]


def test_downscale_keeps_small_images_and_bounds_the_longest_side():
    img = np.zeros((1080, 1920, 3), np.uint8)
    assert logic.downscale(img).shape == (432, 768, 3)
    assert logic.downscale(img[:400, :300]) is not None and logic.downscale(img[:400, :300]).shape == (400, 300, 3)
    assert logic.downscale(img[:1000, :10], 100).shape == (100, 1, 3)


def test_blend_is_exactly_the_runtime_strength(style):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
    full = style.stylize(img, "a2b", 1.0)
    for s in (0.0, 0.35, 0.6, 1.0):
        assert np.array_equal(logic.blend(img, full, s), style.stylize(img, "a2b", s)), s


def test_preview_is_downscaled_cached_and_reblended(style, tmp_path):
    src = _png(tmp_path / "big.png", 300, 1000)
    p = logic.make_preview(style, "b2a", src, max_side=200)
    assert p.before.shape == (60, 200, 3) and p.after.shape == (60, 200, 3) and p.full_size == (300, 1000)
    assert np.array_equal(p.after, style.stylize(p.before, "b2a"))
    assert np.array_equal(p.at(0.0), p.before) and np.array_equal(p.at(0.5), logic.blend(p.before, p.after, 0.5))
    cache = logic.PreviewCache(size=2)
    cache.put(p)
    assert cache.get(p.key) is p
    for k in range(2):
        cache.put(logic.Preview((str(k), "a2b", "x"), p.before, p.after, (1, 1), 0.0))
    assert cache.get(p.key) is None  # evicted: least recently used


def test_plan_finds_existing_outputs_and_refuses_to_replace_inputs(tmp_path):
    a = _png(tmp_path / "a.png", 10, 10)
    b = _png(tmp_path / "b.png", 10, 10)
    plan = logic.plan_batch([a, b], None, ".monet")
    assert [j.dst for j in plan.jobs] == [tmp_path / "a.monet.png", tmp_path / "b.monet.png"] and not plan.existing
    (tmp_path / "b.monet.png").write_bytes(b"mine")
    plan = logic.plan_batch([a, b], None, ".monet")
    assert plan.existing == [tmp_path / "b.monet.png"]
    q = logic.overwrite_question(plan.existing)
    assert "1 output file(s) already exist" in q and str(tmp_path / "b.monet.png") in q
    with pytest.raises(AssetganError, match="would overwrite an input"):
        logic.plan_batch([a], None, "")
    with pytest.raises(AssetganError, match="no input images"):
        logic.plan_batch([], None, ".monet")
    assert [j.dst for j in logic.plan_batch([a], tmp_path / "out", ".x").jobs] == [tmp_path / "out" / "a.x.png"]


def test_batch_skips_unreadable_files_and_reports_them(style, tmp_path):
    a = _png(tmp_path / "a.png", 24, 32)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    plan = logic.plan_batch([a, bad], tmp_path / "out", ".sprite")
    done = []
    report = logic.run_batch(style, plan, "a2b", 0.5, _Progress(), on_done=done.append)
    assert report.written == [tmp_path / "out" / "a.sprite.png"] and [j.src for j in done] == [a]
    assert [p for p, _ in report.skipped] == [bad]
    assert logic.batch_summary(report, 2, False) == "stylized 1 of 2 images (1 skipped)"
    assert "bad.png" in logic.skipped_message(report.skipped)
    assert logic.batch_summary(report, 2, True).startswith("cancelled: ")


def test_command_line_round_trips_through_a_shell():
    cmd = logic.command_line(Path("/m/my model.onnx"), [Path("/in/a b.png")], Path("/out"), "b2a", 0.35)
    assert shlex.split(cmd) == ["assetgan", "stylize", "/m/my model.onnx", "/in/a b.png", "--out", "/out",
                                "--direction", "b2a", "--strength", "0.35"]
    assert float(shlex.split(cmd)[-1]) == 35 / 100
    assert shlex.split(logic.command_line(Path("monet"), [Path("x.png")], None, "a2b", 1.0)) == [
        "assetgan", "stylize", "monet", "x.png"]


def test_logic_module_never_imports_qt():
    code = "import sys, ui.stylize_logic; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


class _Progress:
    def update(self, done, total, metrics=None):
        return None

    def aborted(self):
        return False
