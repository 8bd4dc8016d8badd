"""CycleGAN training: networks, whole-image statistics, smoke run, exact resume, export parity and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError
from assetgan.runtime.model import read_card
from assetgan.train.cyclegan_export import DIRECTIONS, export_cyclegan
from assetgan.train.cyclegan_loop import CycleGANTrainer, ImagePool, resume_cyclegan
from assetgan.train.cyclegan_nets import (
    GeneratorSpec,
    GeneratorWithStats,
    PatchDiscriminator,
    ResnetGenerator,
    StatsNorm,
    _down,
    init_normal,
)

from .conftest import SPRITES, TEXTURES, tiny_cyclegan_config, tiny_domains

runner = CliRunner()


def _gen(scale=2, seed=0, **kw):  # kw: upsample, down_pad
    torch.manual_seed(seed)
    g = ResnetGenerator(GeneratorSpec(ngf=8, blocks=2, internal_scale=scale, **kw))
    g.apply(init_normal)
    return g.eval()


@pytest.mark.parametrize("scale, upsample, pad", [(1, "transpose", "zero"), (2, "bilinear", "reflect")])
def test_generator_keeps_size_and_range(scale, upsample, pad):
    g = _gen(scale, upsample=upsample, down_pad=pad)
    x = torch.rand(2, 3, 48, 64) * 2 - 1
    with torch.no_grad():
        y = g(x)
    assert y.shape == x.shape and float(y.abs().max()) <= 1.0


def test_reflect_down_padding_leaves_no_mark_on_the_top_and_left_edges():
    """A flat image must come out flat: zero padding read only at the top and left marks those edges."""
    x = torch.full((1, 3, 32, 32), 0.3)
    with torch.no_grad():
        flat = _gen(1, down_pad="reflect", upsample="bilinear")(x)
    assert float(flat.std(dim=(2, 3)).max()) < 1e-4
    # The mark, where it is made: the stride-2 convolution. (Through the whole generator a flat image is exact zeros
    # after the first InstanceNorm, and whether a mark then shows depends on the CPU kernels' rounding.)
    torch.manual_seed(0)
    zero, reflect = _down(3, 4, "zero"), _down(3, 4, "reflect")
    reflect[1].load_state_dict(zero.state_dict())
    with torch.no_grad():
        marked, clean = zero(x), reflect(x)  # [1, 4, 16, 16]
    middle = marked[..., 8:9, 8:9]
    assert float((marked[..., :1, :] - middle).abs().amax()) > 1e-3  # the top row is marked
    assert float((marked[..., :, :1] - middle).abs().amax()) > 1e-3  # the left column too
    assert float((marked[..., 1:, 1:] - middle).abs().amax()) < 1e-6  # bottom and right padding never read
    assert float((clean - clean[..., 8:9, 8:9]).abs().amax()) < 1e-6


def test_patch_discriminator_is_70px_patchgan():
    d = PatchDiscriminator(8)
    assert d(torch.zeros(1, 3, 256, 256)).shape == (1, 1, 30, 30)  # the paper's 30x30 map of 70x70 patches


def test_multiscale_discriminator_judges_pooled_copies():
    d = PatchDiscriminator(8, scales=3)
    maps = d(torch.zeros(2, 3, 128, 128))
    assert [tuple(m.shape) for m in maps] == [(2, 1, 14, 14), (2, 1, 6, 6), (2, 1, 2, 2)]
    assert set(PatchDiscriminator(8).state_dict()) < set(d.state_dict())  # one scale: the paper's keys, unchanged


def test_stats_norm_is_instance_norm_and_takes_outside_statistics():
    n = StatsNorm(4)
    x = torch.randn(1, 4, 9, 7) * 3 + 1
    assert torch.allclose(n(x), F.instance_norm(x, eps=1e-5), atol=1e-5)
    mean, var = torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([4.0, 1.0, 9.0, 0.25])
    n.ext = (mean, var, torch.zeros(1))
    assert torch.allclose(n(x), F.instance_norm(x, eps=1e-5), atol=1e-5)  # weight 0: own statistics
    n.ext = (mean, var, torch.ones(1))
    want = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + 1e-5)
    assert torch.allclose(n(x), want, atol=1e-5)


def test_whole_image_statistics_reproduce_the_plain_pass():
    g = _gen(2)
    w = GeneratorWithStats(g)
    x = torch.rand(1, 3, 64, 80) * 2 - 1
    s = g.stats_size()
    with torch.no_grad():
        plain = g(x)
        y0, measured = w(x, torch.zeros(s), torch.zeros(1))
        y1, _ = w(x, measured, torch.ones(1))
    assert measured.shape == (s,)
    assert torch.allclose(plain, y0, atol=1e-5) and torch.allclose(plain, y1, atol=1e-4)


def test_image_pool_state_round_trips():
    p = ImagePool(3, seed=1)
    for _ in range(5):
        p.query(torch.randn(2, 3, 4, 4))
    q = ImagePool(3, seed=99)
    q.load_state_dict(p.state_dict())
    batch = torch.randn(2, 3, 4, 4)
    assert torch.equal(p.query(batch), q.query(batch))


def test_learning_rate_is_constant_then_decays_linearly(tmp_path):
    cfg = tiny_cyclegan_config(steps=100, decay_from=0.5)
    a, b = tiny_domains(cfg)
    tr = CycleGANTrainer(cfg, a, b, tmp_path / "r", {})
    for step, want in ((0, 2e-4), (50, 2e-4), (75, 1e-4), (100, 0.0)):
        tr.step = step
        assert tr.lr_now() == pytest.approx(want)


def test_smoke_run_writes_samples_checkpoint_and_exports_both_directions(tiny_cyclegan_run):
    run = tiny_cyclegan_run
    assert (run / "checkpoint.pt").is_file() and (run / "samples" / "latest.png").is_file()
    rows = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    assert all(np.isfinite(r[k]) for r in rows for k in ("loss_g", "loss_cycle", "loss_d"))
    card = read_card(run / "model.onnx")
    assert card.kind == "cyclegan" and card.domains == ["texture", "sprite"] and card.pad_multiple == 8
    assert card.training_config["blocks"] == 2 and card.steps == 4 and "CC0" in card.data_licence


@pytest.mark.parametrize("extra", [{}, {"d_scales": 2, "down_pad": "reflect"}])
def test_resume_continues_exactly(tmp_path, extra):
    cfg = tiny_cyclegan_config(steps=4, checkpoint_every=2, sample_every=100, **extra)
    a, b = tiny_domains(cfg)
    full = CycleGANTrainer(cfg, a, b, tmp_path / "full", {})
    full.run()
    half = CycleGANTrainer(tiny_cyclegan_config(steps=2, sample_every=100, **extra), a, b, tmp_path / "half", {})
    half.run()
    resumed = resume_cyclegan(tmp_path / "half", a, b, {}, {"steps": 4})
    assert resumed.step == 2
    resumed.run()
    for key in ("G_AB", "G_BA", "D_A", "D_B"):
        s1, s2 = full.state_dict()[key], resumed.state_dict()[key]
        assert all(torch.equal(s1[k], s2[k]) for k in s1), key


def test_runs_saved_before_reflection_padding_keep_zero_padding():
    from assetgan.train.cyclegan_config import CycleGANConfig

    new = tiny_cyclegan_config()
    assert new.down_pad == "reflect"  # the default for new runs
    old = {k: v for k, v in new.to_dict().items() if k != "down_pad"}  # a config saved before the field existed
    assert CycleGANConfig.from_dict(old).down_pad == "zero"
    assert CycleGANConfig.from_dict(new.to_dict()).down_pad == "reflect"


def test_unknown_down_padding_and_too_many_scales_are_refused():
    with pytest.raises(AssetganError, match="^down_pad mirror: must be zero or reflect$"):
        tiny_cyclegan_config(down_pad="mirror").validate()
    with pytest.raises(AssetganError, match="^d_scales 4: must be 1, 2 or 3$"):
        tiny_cyclegan_config(d_scales=4).validate()
    with pytest.raises(AssetganError, match="^d_scales 3: --crop 64 is too small for it; use --crop 96 or more"):
        tiny_cyclegan_config(d_scales=3, crop=64).validate()


def test_crop_larger_than_images_is_refused(tmp_path):
    cfg = tiny_cyclegan_config(crop=128, load_size=72)
    with pytest.raises(AssetganError, match="load_size"):
        cfg.validate()


@pytest.mark.parametrize("scale, upsample, pad", [(1, "transpose", "zero"), (2, "bilinear", "reflect")])
def test_export_parity_and_one_direction_feeds(tmp_path, scale, upsample, pad):
    import onnxruntime as ort

    from assetgan.runtime.card import ModelCard

    g_ab, g_ba = _gen(scale, 1, upsample=upsample, down_pad=pad), _gen(scale, 2, upsample=upsample, down_pad=pad)
    card = ModelCard(kind="cyclegan", name="t", size=64, channels=3, domains=["x", "y"], pad_multiple=4 * scale)
    report = export_cyclegan(g_ab, g_ba, card, tmp_path / "t.onnx")
    assert report.max_diff <= 1
    sess = ort.InferenceSession(str(tmp_path / "t.onnx"), providers=["CPUExecutionProvider"])
    img = np.random.default_rng(0).integers(0, 256, (1, 40, 56, 3), dtype=np.uint8)
    for d, g in zip(DIRECTIONS, (g_ab, g_ba)):
        out = sess.run([f"{d}.output"], {f"{d}.image": img})[0]  # the other direction's inputs default
        with torch.no_grad():
            ref = g(torch.from_numpy(img).permute(0, 3, 1, 2).float() / 127.5 - 1)
        ref = ((ref + 1) * 127.5).round().clamp(0, 255).permute(0, 2, 3, 1).numpy()
        assert out.shape == img.shape and np.abs(out - ref).max() <= 1


def test_cli_dry_run_and_to_onnx(tmp_path):
    r = runner.invoke(app, ["train", "cyclegan", "--a", str(TEXTURES), "--b", str(SPRITES), "--dry-run",
                            "--out", str(tmp_path / "dry")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "dry" / "model.onnx").is_file()
    r = runner.invoke(app, ["to-onnx", str(tmp_path / "dry"), "--out", str(tmp_path / "again.onnx")])
    assert r.exit_code == 0, r.output
    assert read_card(tmp_path / "again.onnx").kind == "cyclegan"


@pytest.mark.parametrize("args, needle", [
    (["--b", str(SPRITES), "--out", "x"], "--a/--b"),
    (["--a", str(TEXTURES), "--b", "/no/such/folder", "--out", "x", "--steps", "1"], "/no/such/folder"),
    (["--a", str(TEXTURES), "--b", str(SPRITES), "--out", "x", "--crop", "100", "--steps", "1"], "--crop 100"),
    (["--a", str(TEXTURES), "--b", str(SPRITES), "--out", "x"], "budget"),
])
def test_cli_bad_input_is_one_line(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["train", "cyclegan", *args])
    assert r.exit_code == 2, r.output
    lines = [x for x in r.stderr.splitlines() if x.startswith("error: ")]
    assert len(lines) == 1 and needle in lines[0], r.stderr


def test_abort_saves_a_checkpoint_at_the_current_step(tmp_path):
    class StopAfterTwo:
        def __init__(self):
            self.done = 0

        def update(self, done, total, metrics=None):
            self.done = done

        def aborted(self):
            return self.done >= 2

    cfg = tiny_cyclegan_config(steps=50, checkpoint_every=100, sample_every=100)
    a, b = tiny_domains(cfg)
    result = CycleGANTrainer(cfg, a, b, tmp_path / "r", {}).run(StopAfterTwo())
    assert result.status == "interrupted" and result.step == 2
    from assetgan.train.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "r")["step"] == 2


def test_the_guided_head_sees_only_the_inputs_high_pass_band():
    """Colour must come from the trunk: a flat input gives the head nothing, so the output is the trunk's."""
    g = _gen(2)
    for p in g.refine.parameters():
        torch.nn.init.normal_(p, 0, 0.5)
    flat = torch.full((1, 3, 64, 64), 0.3)
    with torch.no_grad():
        trunk = F.interpolate(g.net(F.avg_pool2d(flat, 2)), scale_factor=2.0, mode="bilinear")
        head_in = torch.cat([trunk, torch.zeros_like(flat)], 1)
        want = (trunk + g.refine(head_in)).clamp(-1, 1)
        assert torch.allclose(g(flat), want, atol=1e-5)


def test_a_checkpoint_trained_with_separable_convolutions_names_the_tag():
    from assetgan.train.cyclegan_config import CycleGANConfig

    old = tiny_cyclegan_config().to_dict()
    assert CycleGANConfig.from_dict(old | {"separable": False}) == tiny_cyclegan_config()
    with pytest.raises(Exception, match="^checkpoint r: trained with --separable, removed after tag pre-option-cull"):
        CycleGANConfig.from_dict(old | {"separable": True}, "checkpoint r")
