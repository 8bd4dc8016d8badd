"""CUT training (one-way contrastive translation): PatchNCE, the CLI run, exact resume, the a2b-only export and its
use by `stylize` and `evaluate`, and bad settings refused before training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.runtime.model import read_card
from assetgan.train.cut_config import CUTConfig
from assetgan.train.cut_loop import CUTTrainer, resume_cut
from assetgan.train.cut_nets import PatchNCE, encode, nce_taps
from assetgan.train.cyclegan_nets import GeneratorSpec, ResnetGenerator, init_normal
from assetgan.train.translator_loop import decayed_lr

from .conftest import SPRITES, TEXTURES, one_line_error, tiny_domains

runner = CliRunner()
TINY = ["--set", "ngf=8", "--set", "blocks=2", "--set", "ndf=8", "--crop", "64", "--set", "load_size=72",
        "--set", "nce_patches=32", "--threads", "1"]


def tiny_cut_config(**kw) -> CUTConfig:
    base = dict(data_a=str(TEXTURES), data_b=str(SPRITES), name_a="texture", name_b="sprite", licence_a="CC0 1.0",
                licence_b="CC0 1.0", ngf=8, blocks=2, ndf=8, crop=64, load_size=72, steps=4, seed=5,
                sample_every=100, checkpoint_every=2, log_every=1, nce_patches=32, threads=1)
    return CUTConfig(**base | kw)


@pytest.fixture(scope="module")
def cut_run(tmp_path_factory) -> Path:
    """A 3-step CUT run through the CLI (textures -> sprites), with its model.onnx."""
    run = tmp_path_factory.mktemp("cut") / "tiny-cut"
    r = runner.invoke(app, ["train", "cut", "--a", str(TEXTURES), "--b", str(SPRITES), "--name-a", "texture",
                            "--name-b", "sprite", "--licence-a", "CC0 1.0", "--licence-b", "CC0 1.0", "--steps", "3",
                            "--out", str(run), *TINY, "--set", "log_every=1"])
    assert r.exit_code == 0, r.output
    return run


def test_taps_are_the_probes_layers_and_fit_short_trunks():
    assert nce_taps(6) == (0, 4, 7, 11, 13)  # padded input, both downsamplings, residual blocks 2 and 4
    assert nce_taps(2) == (0, 4, 7, 11) and nce_taps(1) == (0, 4, 7, 10)
    spec = GeneratorSpec(ngf=8, blocks=6, internal_scale=2)
    g = ResnetGenerator(spec)
    feats = encode(g, torch.zeros(1, 3, 64, 64), nce_taps(6))
    assert [f.shape[1] for f in feats] == [3, 16, 32, 32, 32]
    assert feats[0].shape[-1] == 32 + 6 and feats[-1].shape[-1] == 8  # the trunk runs on the half-size copy


def test_patch_nce_is_low_for_the_identity_and_trains_only_through_the_output():
    torch.manual_seed(0)
    spec = GeneratorSpec(ngf=8, blocks=2, internal_scale=1)
    g = ResnetGenerator(spec)
    g.apply(init_normal)
    nce = PatchNCE(spec, patches=16)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        same = nce(g, x, x.clone())
        other = nce(g, x, torch.rand(2, 3, 32, 32) * 2 - 1)
    assert float(same) < float(other) and float(same) < np.log(16)  # chance is log(patches)
    src = x.clone().requires_grad_(True)
    out = (x + 0.1).requires_grad_(True)
    nce(g, src, out).backward()
    assert src.grad is None and out.grad is not None  # the keys carry no gradient
    assert all(p.grad is not None for p in nce.heads.parameters())


def test_lr_schedule_is_shared_with_cyclegan(tmp_path):
    assert [decayed_lr(2e-4, 0.5, s, 100, 0.0, None) for s in (0, 50, 75, 100)] == pytest.approx(
        [2e-4, 2e-4, 1e-4, 0.0])
    assert decayed_lr(1.0, 0.5, 0, None, 45.0, 1.0) == pytest.approx(0.5)  # the time budget: 3/4 spent
    cfg = tiny_cut_config(steps=100)
    tr = CUTTrainer(cfg, *tiny_domains(cfg), tmp_path / "r", {})
    tr.step = 75
    assert tr.lr_now() == pytest.approx(1e-4)


def test_cli_run_exports_a_one_way_model(cut_run):
    rows = [json.loads(line) for line in (cut_run / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3]
    assert all(np.isfinite(r[k]) for r in rows for k in ("loss_g", "loss_nce", "loss_d"))
    saved = json.loads((cut_run / "config.json").read_text())
    assert saved["kind"] == "cut" and saved["config"]["lambda_nce"] == 1.0 and saved["config"]["nce_patches"] == 32
    card = read_card(cut_run / "model.onnx")
    assert card.kind == "cut" and card.domains == ["texture", "sprite"] and card.pad_multiple == 8
    assert card.directions == ("a2b",) and card.steps == 3 and card.training_config["blocks"] == 2
    assert card.summary().startswith("cut texture -> sprite, one way, any size (trained on 64px crops), 3 steps; "
                                     "data: ")
    import onnxruntime as ort

    sess = ort.InferenceSession(str(cut_run / "model.onnx"), providers=["CPUExecutionProvider"])
    feeds = [i.name for i in [*sess.get_inputs(), *sess.get_overridable_initializers()]]
    assert sorted(feeds) == ["a2b.image", "a2b.stats", "a2b.weight"]
    assert [o.name for o in sess.get_outputs()] == ["a2b.output", "a2b.measured"]


def test_resume_continues_exactly(tmp_path):
    cfg = tiny_cut_config()
    a, b = tiny_domains(cfg)
    full = CUTTrainer(cfg, a, b, tmp_path / "full", {})
    full.run()
    CUTTrainer(tiny_cut_config(steps=2), a, b, tmp_path / "half", {}).run()
    resumed = resume_cut(tmp_path / "half", a, b, {}, {"steps": 4})
    assert resumed.step == 2
    resumed.run()
    for key in ("G", "D", "NCE"):
        s1, s2 = full.state_dict()[key], resumed.state_dict()[key]
        assert all(torch.equal(s1[k], s2[k]) for k in s1), key

    def losses(run: Path) -> list[tuple[float, ...]]:
        rows = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
        return [(r["loss_g"], r["loss_nce"], r["loss_d"]) for r in rows if r["step"] > 2]

    assert losses(tmp_path / "full") == losses(tmp_path / "half")


def test_stylize_runs_a2b_and_refuses_b2a(cut_run, tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (40, 56, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "shot.png")
    model = str(cut_run / "model.onnx")
    r = runner.invoke(app, ["stylize", model, str(tmp_path / "shot.png"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert np.asarray(Image.open(tmp_path / "o" / "shot.sprite.png")).shape == rgb.shape
    for way in ("b2a", "sprite2texture"):
        r = runner.invoke(app, ["stylize", model, str(tmp_path / "shot.png"), "--out", str(tmp_path / "x"),
                                "--direction", way])
        one_line_error(r, f"--direction {way}", "model.onnx", "one-way cut model", "A -> B")
    assert not (tmp_path / "x").exists()


def test_evaluate_measures_a2b_only(cut_run, tmp_path):
    model = str(cut_run / "model.onnx")
    out = tmp_path / "eval.json"
    r = runner.invoke(app, ["evaluate", model, "--real", str(SPRITES), "--inputs", str(TEXTURES), "--n", "16",
                            "--json", str(out)])
    assert r.exit_code == 0, r.output
    f = json.loads(out.read_text())
    assert f["n_generated"] == 16 and 0 < f["content_ssim_luma"] <= 1
    r = runner.invoke(app, ["evaluate", model, "--real", str(TEXTURES), "--inputs", str(SPRITES), "--n", "16",
                            "--direction", "b2a"])
    one_line_error(r, "--direction b2a", "A -> B")


def test_to_onnx_and_resume_commands_know_the_kind(cut_run, tmp_path):
    r = runner.invoke(app, ["to-onnx", str(cut_run), "--out", str(tmp_path / "again.onnx"), "--name", "again"])
    assert r.exit_code == 0, r.output
    card = read_card(tmp_path / "again.onnx")
    assert (card.kind, card.name) == ("cut", "again")
    one_line_error(runner.invoke(app, ["to-onnx", str(cut_run), "--out", str(tmp_path / "b.onnx"), "--last"]),
                   "--last", "cut run")
    one_line_error(runner.invoke(app, ["train", "cyclegan", "--resume", str(cut_run)]), "is a cut run")
    r = runner.invoke(app, ["train", "cut", "--resume", str(cut_run), "--print-config", "--steps", "9"])
    assert r.exit_code == 0 and json.loads(r.stdout)["steps"] == 9


def test_print_config_shows_cut_fields_and_shared_defaults():
    r = runner.invoke(app, ["train", "cut", "--a", str(TEXTURES), "--b", str(SPRITES), "--steps", "2",
                            "--print-config"])
    assert r.exit_code == 0, r.output
    cfg = json.loads(r.stdout)
    assert cfg == json.loads(json.dumps(CUTConfig(data_a=str(TEXTURES), data_b=str(SPRITES), steps=2).to_dict()))
    assert (cfg["lambda_nce"], cfg["nce_idt"], cfg["nce_patches"], cfg["nce_temperature"]) == (1.0, True, 256, 0.07)
    assert (cfg["lr"], cfg["beta1"], cfg["crop"], cfg["ngf"]) == (2e-4, 0.5, 256, 32) and "pool_size" not in cfg


@pytest.mark.parametrize("setting, needle", [
    ("lambda_nce=-1", "lambda_nce -1.0: must be zero or positive"),
    ("nce_patches=0", "nce_patches = 0: must be at least 1"),
    ("nce_temperature=0", "nce_temperature 0.0: must be positive"),
    ("lambda_cycle=3", "unknown field 'lambda_cycle'"),
])
def test_bad_settings_are_one_line_before_training(tmp_path, setting, needle):
    r = runner.invoke(app, ["train", "cut", "--a", str(TEXTURES), "--b", str(SPRITES), "--steps", "1", "--out",
                            str(tmp_path / "r"), "--set", setting])
    one_line_error(r, needle)
    assert not (tmp_path / "r").exists()
