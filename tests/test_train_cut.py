"""CUT training: PatchNCE, trunk features, smoke run, exact resume, the one-way export and the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError
from assetgan.runtime.model import read_card
from assetgan.runtime.stylize import open_style_model
from assetgan.train.cut_config import CUTConfig
from assetgan.train.cut_loop import CUTTrainer, patch_nce, resume_cut, trunk_features
from assetgan.train.cyclegan_nets import GeneratorSpec, ResnetGenerator

from .conftest import SPRITES, TEXTURES, one_line_error, tiny_cyclegan_config, tiny_domains

runner = CliRunner()


def tiny_cut_config(**kw) -> CUTConfig:
    base = {k: v for k, v in tiny_cyclegan_config().to_dict().items() if k in CUTConfig.__dataclass_fields__}
    return CUTConfig(**base | {"nce_layers": (0, 4, 8, 11), "nce_patches": 16} | kw)


def test_patch_nce_rewards_each_patch_matching_its_own_place():
    torch.manual_seed(0)
    k = F.normalize(torch.randn(2, 32, 8), dim=-1)
    assert float(patch_nce(k, k, 0.07)) < 0.5  # every query nearest its own key
    same = F.normalize(torch.ones(2, 32, 8), dim=-1)
    assert float(patch_nce(same, same, 0.07)) == pytest.approx(math.log(32), rel=1e-5)  # no patch told apart
    shuffled = k[:, torch.randperm(32)]
    assert float(patch_nce(shuffled, k, 0.07)) > float(patch_nce(k, k, 0.07)) + 2
    q = k.clone().requires_grad_(True)
    kk = k.clone().requires_grad_(True)
    patch_nce(q, kk, 0.07).backward()
    assert q.grad is not None and kk.grad is None  # the keys are a fixed target


def test_trunk_features_are_what_the_trunk_sees():
    g = ResnetGenerator(GeneratorSpec(ngf=8, blocks=2, internal_scale=2))
    x = torch.rand(1, 3, 64, 64) * 2 - 1
    feats = trunk_features(g, x, (0, 4, 8, 11))
    assert [tuple(f.shape[1:]) for f in feats] == [(3, 38, 38), (16, 16, 16), (32, 8, 8), (32, 8, 8)]
    with torch.no_grad():  # layer 11 is the last residual block: the trunk's own value at that point
        h = F.avg_pool2d(x, 2)
        for layer in list(g.net)[:12]:
            h = layer(h)
        assert torch.equal(feats[3], h)


def test_bad_settings_are_one_line():
    with pytest.raises(AssetganError, match="^nce_layers 0,30: each must be a trunk layer from 0 to 11"):
        tiny_cut_config(nce_layers=(0, 30)).validate()
    with pytest.raises(AssetganError, match="^lambda_nce 0.0: must be positive"):
        tiny_cut_config(lambda_nce=0.0).validate()
    with pytest.raises(AssetganError, match="^lambda_tone -1.0: must be zero or positive"):
        tiny_cut_config(lambda_tone=-1.0).validate()
    with pytest.raises(AssetganError, match="^nce_patches 1: must be at least 2"):
        tiny_cut_config(nce_patches=1).validate()


def test_a_cut_run_refuses_several_processes(tmp_path):
    from assetgan.train.distributed import DistInfo

    cfg = tiny_cut_config(batch_size=2)
    a, b = tiny_domains(cfg)
    with pytest.raises(AssetganError, match="^a CUT run trains in one process: start it without torchrun$"):
        CUTTrainer(cfg, a, b, tmp_path / "run", {}, DistInfo(rank=0, world=2))


def test_smoke_run_exports_one_direction_that_the_runtime_keeps_to(tmp_path):
    cfg = tiny_cut_config(steps=3, lambda_tone=5.0)
    a, b = tiny_domains(cfg)
    result = CUTTrainer(cfg, a, b, tmp_path / "run", {"source_a": "textures", "source_b": "sprites"}).run()
    assert result.step == 3 and (tmp_path / "run" / "samples" / "latest.png").is_file()
    rows = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert all(r["loss_tone"] > 0 and math.isfinite(r["loss_nce"]) for r in rows)
    r = runner.invoke(app, ["to-onnx", str(tmp_path / "run"), "--out", str(tmp_path / "cut.onnx")])
    assert r.exit_code == 0, r.output
    card = read_card(tmp_path / "cut.onnx")
    assert card.kind == "cyclegan" and card.translations == ["a2b"] and card.notes.startswith("CUT")
    assert "texture -> sprite" in card.summary()
    model = open_style_model(tmp_path / "cut.onnx")
    img = np.random.default_rng(0).integers(0, 256, (40, 56, 3), dtype=np.uint8)
    assert model.stylize(img).shape == img.shape
    with pytest.raises(AssetganError, match="translates texture -> sprite only; use --direction a2b"):
        model.stylize(img, "b2a")
    r = runner.invoke(app, ["stylize", str(tmp_path / "cut.onnx"), str(TEXTURES / "floor"), "--direction", "b2a",
                            "--out", str(tmp_path / "styled")])
    one_line_error(r, "cut.onnx", "--direction a2b")
    assert not (tmp_path / "styled").exists()


def test_resume_continues_exactly(tmp_path):
    cfg = tiny_cut_config(steps=4, checkpoint_every=2, sample_every=100, d_scales=2)
    a, b = tiny_domains(cfg)
    full = CUTTrainer(cfg, a, b, tmp_path / "full", {})
    full.run()
    half = CUTTrainer(tiny_cut_config(steps=2, sample_every=100, d_scales=2), a, b, tmp_path / "half", {})
    half.run()
    resumed = resume_cut(tmp_path / "half", a, b, {}, {"steps": 4})
    assert resumed.step == 2
    resumed.run()
    for key in ("G_AB", "D_B", "heads"):
        s1, s2 = full.state_dict()[key], resumed.state_dict()[key]
        assert all(torch.equal(s1[k], s2[k]) for k in s1), key


def test_cli_dry_run_resume_and_kind_checks(tmp_path):
    r = runner.invoke(app, ["train", "cut", "--a", str(TEXTURES), "--b", str(SPRITES), "--dry-run",
                            "--out", str(tmp_path / "dry")])
    assert r.exit_code == 0, r.output
    assert read_card(tmp_path / "dry" / "model.onnx").translations == ["a2b"]
    r = runner.invoke(app, ["train", "cyclegan", "--resume", str(tmp_path / "dry"), "--steps", "4"])
    one_line_error(r, "checkpoint is a cut run")
    r = runner.invoke(app, ["train", "cut", "--resume", str(tmp_path / "dry"), "--steps", "4"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["train", "cut", "--print-config", "--steps", "9", "--set", "lambda_nce=10"])
    assert r.exit_code == 0 and '"lambda_nce": 10.0' in r.output and "lambda_cycle" not in r.output


def test_a_cut_model_distils_to_a_one_way_student(tmp_path):
    from assetgan.train.distill import DistillConfig, DistillTrainer, start_config

    cfg = tiny_cut_config(steps=2)
    a, b = tiny_domains(cfg)
    CUTTrainer(cfg, a, b, tmp_path / "run", {}).run()
    r = runner.invoke(app, ["to-onnx", str(tmp_path / "run"), "--out", str(tmp_path / "cut.onnx")])
    assert r.exit_code == 0, r.output
    for teacher in (tmp_path / "cut.onnx", tmp_path / "run"):  # the file, or the run itself
        dcfg = start_config(DistillConfig(teacher=str(teacher), data_a=str(TEXTURES), data_b=str(SPRITES), keep=(1,),
                                          crop=64, load_size=72, batch_size=2, other=1, steps=2, sample_every=2))
        student = DistillTrainer(dcfg, a, b, tmp_path / f"student-{teacher.suffix or 'run'}", {})
        assert len(student.students) == 1 and student.run().status == "done"
        out = tmp_path / f"student{teacher.suffix or '-run'}.onnx"
        assert student.export(out, "s").max_diff <= 1
        card = read_card(out)
        assert card.translations == ["a2b"] and card.training_config["blocks"] == 1
        img = np.random.default_rng(0).integers(0, 256, (40, 56, 3), dtype=np.uint8)
        assert open_style_model(out).stylize(img).shape == img.shape


def test_runs_saved_before_the_tone_loss_keep_training_without_it():
    new = tiny_cut_config()
    assert CUTConfig().lambda_tone == 2.0 and CUTConfig().d_scales == 2  # the measured recipe for new runs
    old = {k: v for k, v in new.to_dict().items() if k != "lambda_tone"}  # saved before the field existed
    assert CUTConfig.from_dict(old).lambda_tone == 0.0
    assert CUTConfig.from_dict(new.to_dict()).lambda_tone == new.lambda_tone
