"""Distilling a CycleGAN translator into a shallower student (assetgan/train/distill.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import onnx
import pytest
import torch

from assetgan.core.errors import AssetganError
from assetgan.runtime.model import read_card
from assetgan.runtime.stylize import open_style_model
from assetgan.train.cyclegan_data import load_domain
from assetgan.train.cyclegan_export import generators_from_checkpoint
from assetgan.train.distill import (
    DistillConfig,
    DistillTrainer,
    load_teacher,
    shallower,
    start_config,
    teacher_from_onnx,
)

from .conftest import SPRITES, TEXTURES


def _config(teacher, **kw) -> DistillConfig:
    base = dict(teacher=str(teacher), data_a=str(TEXTURES), data_b=str(SPRITES), keep=(1,), crop=64, load_size=72,
                batch_size=2, other=1, steps=4, seed=3, sample_every=2, checkpoint_every=2, log_every=1)
    return start_config(DistillConfig(**(base | kw)))


def _domains(cfg):
    return load_domain(cfg.data_a, cfg.load_size), load_domain(cfg.data_b, cfg.load_size)


def test_the_teacher_comes_back_from_its_onnx_file(tiny_cyclegan_run):
    state = torch.load(tiny_cyclegan_run / "checkpoint.pt", weights_only=True)
    ref_ab, ref_ba, cfg = generators_from_checkpoint(state)
    (g_ab, g_ba), got_cfg, card = teacher_from_onnx(tiny_cyclegan_run / "model.onnx")
    assert got_cfg.spec == cfg.spec and card.name == "tiny-style"
    x = torch.rand(1, 3, 64, 48) * 2 - 1
    from_run = load_teacher(tiny_cyclegan_run)  # the run folder works as well
    with torch.no_grad():
        assert torch.equal(g_ab(x), ref_ab(x)) and torch.equal(g_ba(x), ref_ba(x))
        assert torch.equal(from_run[0][0](x), ref_ab(x)) and torch.equal(from_run[0][1](x), ref_ba(x))
    assert from_run[2]["steps"] == 4 and from_run[2]["name"] == "tiny-style"
    assert start_config(_config(tiny_cyclegan_run)).teacher_sha256 == start_config(
        _config(tiny_cyclegan_run / "checkpoint.pt")).teacher_sha256


def test_a_file_without_fp32_weights_is_refused(tiny_cyclegan_run, tmp_path):
    m = onnx.load(str(tiny_cyclegan_run / "model.onnx"))
    old, new = "a2b.g.g.net.1.weight", "a2b.g.g.net.1.weight_quantized"  # as a quantiser renames them
    next(i for i in m.graph.initializer if i.name == old).name = new
    for node in m.graph.node:
        node.input[:] = [new if n == old else n for n in node.input]
    onnx.save(m, str(tmp_path / "int8.onnx"))
    with pytest.raises(AssetganError, match="no fp32 weights for a2b.*int8"):
        teacher_from_onnx(tmp_path / "int8.onnx")


def test_a_student_keeping_every_block_is_the_teacher_and_fewer_blocks_copy_the_rest(tiny_cyclegan_run):
    g_ab = teacher_from_onnx(tiny_cyclegan_run / "model.onnx")[0][0]
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    with torch.no_grad():
        assert torch.equal(shallower(g_ab, [0, 1])(x), g_ab(x))
        one = shallower(g_ab, [1])
        assert one.spec.blocks == 1 and one(x).shape == x.shape and not torch.equal(one(x), g_ab(x))
    t, s = g_ab.state_dict(), one.state_dict()
    assert torch.equal(s["net.10.body.1.weight"], t["net.11.body.1.weight"])  # the kept block
    assert torch.equal(s["net.11.0.weight"], t["net.12.0.weight"])  # the first upsampling layer, moved up one
    assert torch.equal(s["refine.0.weight"], t["refine.0.weight"])
    with pytest.raises(AssetganError, match="residual blocks 0-1"):
        shallower(g_ab, [2])


def test_distillation_closes_the_gap_resumes_exactly_and_exports(tiny_cyclegan_run, tmp_path):
    teacher = tiny_cyclegan_run / "model.onnx"
    cfg = _config(teacher, steps=6, lr=3e-4, decay_from=1.0)  # a constant rate: the half run schedules alike
    a, b = _domains(cfg)
    full = DistillTrainer(cfg, a, b, tmp_path / "full", {})
    x = torch.cat(full.fixed)

    def gap() -> float:
        with torch.no_grad():
            return float((full.students[0](x) - full.teachers[0](x)).abs().mean())

    before = gap()
    assert full.run().status == "done"
    assert gap() < before
    half = DistillTrainer(dataclasses.replace(cfg, steps=3), a, b, tmp_path / "half", {})
    half.run()
    resumed = DistillTrainer.resume(tmp_path / "half", {"steps": 6}, None, a, b, tmp_path / "half", {})
    assert resumed.step == 3
    resumed.run()
    for key in ("G_AB", "G_BA"):
        s1, s2 = full.state_dict()[key], resumed.state_dict()[key]
        assert all(torch.equal(s1[k], s2[k]) for k in s1), key
    out = tmp_path / "student.onnx"
    assert full.export(out, "tiny-student").max_diff <= 1
    card = read_card(out)
    assert card.kind == "cyclegan" and card.training_config["blocks"] == 1 and card.steps == 4
    assert card.training_config["distilled"]["keep"] == [1] and "distilled from model.onnx" in card.notes
    img = np.random.default_rng(0).integers(0, 256, (40, 56, 3), np.uint8)
    assert open_style_model(out, ["CPUExecutionProvider"]).stylize(img, "a2b").shape == img.shape


def test_held_out_files_are_never_trained_on_and_bad_settings_are_one_line(tiny_cyclegan_run, tmp_path):
    teacher = tiny_cyclegan_run / "model.onnx"
    a, b = _domains(_config(teacher))
    cfg = _config(teacher, exclude_a=tuple(a.files[:2]))
    trainer = DistillTrainer(cfg, a, b, tmp_path / "r", {})
    assert len(trainer.a) == len(a) - 2 and not set(a.files[:2]) & set(trainer.a.files)
    with pytest.raises(AssetganError, match="every image of a domain is excluded"):
        DistillTrainer(_config(teacher, exclude_b=tuple(b.files)), a, b, tmp_path / "s", {})
    for kw, needle in (({"keep": (1, 1)}, "each once"), ({"other": 2}, "other 2"), ({"crop": 60}, "multiple of 8")):
        with pytest.raises(AssetganError, match=needle):
            _config(teacher, **kw).validate()
    with pytest.raises(AssetganError, match="no such model file or run"):
        _config(tmp_path / "missing.onnx")
    changed = tmp_path / "teacher.onnx"
    changed.write_bytes(teacher.read_bytes() + b"\0")
    with pytest.raises(AssetganError, match="changed since the run started"):
        start_config(dataclasses.replace(_config(teacher), teacher=str(changed)))
