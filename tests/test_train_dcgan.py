"""DCGAN training: nets, augmentation, a 20-step run, checkpoints, exact resume, kill and Ctrl-C safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from assetgan.train.augment import diff_augment
from assetgan.train.checkpoint import load_checkpoint
from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer, d_loss_fn, resume_trainer
from assetgan.train.lecam import LeCamAnchors, lecam_penalty
from assetgan.train.nets import CircularUpConv, Discriminator, Generator, ResizeConv, minibatch_spread

from .conftest import SPRITES, load_samples, tiny_config


@pytest.mark.parametrize("size", [16, 32, 64, 128])
@pytest.mark.parametrize("tileable", [False, True])
@pytest.mark.parametrize("upsample", ["transpose", "resize"])
def test_generator_and_discriminator_shapes(size, tileable, upsample):
    cfg = DCGANConfig(size=size, channels=4, nz=8, ngf=4, ndf=4, steps=1, tileable=tileable, upsample=upsample)
    x = Generator(cfg)(torch.randn(3, 8))
    assert x.shape == (3, 4, size, size)
    assert float(x.detach().abs().max()) <= 1.0
    assert Discriminator(cfg)(x).shape == (3,)


@pytest.mark.parametrize("make", [lambda: CircularUpConv(3, 2), lambda: ResizeConv(3, 2, tileable=True)])
def test_tileable_upsampling_is_shift_equivariant_on_the_torus(make):
    m = make()
    x = torch.randn(1, 3, 5, 5)
    y = m(x)
    assert y.shape == (1, 2, 10, 10)
    torch.testing.assert_close(m(torch.roll(x, 1, dims=-1)), torch.roll(y, 2, dims=-1))
    torch.testing.assert_close(m(torch.roll(x, 2, dims=-2)), torch.roll(y, 4, dims=-2))


@pytest.mark.parametrize("upsample", ["transpose", "resize"])
def test_tileable_generator_output_wraps_without_a_seam(upsample):
    # On a torus, a 2x2 tiling of the first feature map must give exactly the 2x2 tiling of the image:
    # the image is one period of a seamless texture. Zero padding breaks this at every tile border.
    torch.manual_seed(0)
    for tileable, seamless in ((True, True), (False, False)):
        g = Generator(DCGANConfig(size=32, channels=3, nz=8, ngf=8, steps=1, tileable=tileable,
                                  upsample=upsample)).eval()
        with torch.no_grad():
            h = g.main[:3](torch.randn(2, 8, 1, 1))  # [2, C, 4, 4]
            rest = g.main[3:]
            tiled = rest(h.repeat(1, 1, 2, 2))  # [2, 3, 64, 64]
            assert tiled.shape[-1] == 64
            assert torch.allclose(tiled, rest(h).repeat(1, 1, 2, 2), atol=1e-5) is seamless


def test_augment_moves_alpha_with_colour_and_keeps_shape():
    torch.manual_seed(1)
    x = -torch.ones(6, 4, 16, 16)
    x[:, :, 4:12, 4:12] = 0.5  # an opaque grey square on transparent black
    y = diff_augment(x, ("flip", "translation", "cutout"), tileable=False)
    assert y.shape == x.shape
    opaque = y[:, 3] > 0
    assert torch.equal(opaque, (y[:, :3] > 0).all(1))  # colour is exactly where alpha is
    z = diff_augment(x, ("translation",), tileable=True)
    assert torch.allclose(z.sum(dim=(2, 3)), x.sum(dim=(2, 3)))  # wrapping keeps every pixel


def test_config_validation_names_the_value():
    with pytest.raises(Exception, match="--size 48"):
        DCGANConfig(size=48, steps=1).validate()
    with pytest.raises(Exception, match="budget"):
        DCGANConfig().validate()
    with pytest.raises(Exception, match="--augment rotate"):
        DCGANConfig(steps=1, augment=("rotate",)).validate()
    with pytest.raises(Exception, match="--upsample bilinear"):
        DCGANConfig(steps=1, upsample="bilinear").validate()


@pytest.mark.parametrize("warmup", [9.0, 19.0, 1.0])
def test_ema_warmup_averages_the_last_fraction_of_steps(warmup):
    # G's single weight takes the value of the step (0, 1, 2, ...): the EMA is then a weighted mean of past steps.
    # warmup 1 weighs every step alike (the running mean); a larger warmup forgets faster, and with decay 0.999 far
    # away the mean lags the current step by about step / (warmup + 1)
    from assetgan.train.sampling import ema_update

    g, ema = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    steps = 400
    for step in range(steps):
        with torch.no_grad():
            g.weight.fill_(float(step))
        ema_update(ema, g, 0.999, step, warmup)
    lag = (steps - 1) - float(ema.weight.detach())
    assert abs(lag - steps / (warmup + 1)) < 0.02 * steps, lag


def test_twenty_step_run_writes_checkpoint_samples_and_log(tiny_run):
    state = load_checkpoint(tiny_run)
    assert state["step"] == 20 and state["kind"] == "dcgan"
    assert {"G", "D", "G_ema", "opt_g", "opt_d", "rng_torch", "sampler", "config", "data"} <= set(state)
    assert state["config"]["nz"] == 16
    assert (tiny_run / "samples" / "step_000020.png").is_file()
    rows = [json.loads(x) for x in (tiny_run / "log.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 20
    assert all(np.isfinite(r["loss_d"]) and np.isfinite(r["loss_g"]) for r in rows)
    cfg = json.loads((tiny_run / "config.json").read_text())
    assert cfg["config"]["steps"] == 20


def test_training_changes_the_generator_and_ema_tracks_it(tmp_path):
    cfg = tiny_config(steps=5)
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, tmp_path / "r", {})
    before = [p.detach().clone() for p in tr.G.parameters()]
    for _ in range(5):
        tr.train_step()
    moved = sum(float((a - b.detach()).abs().sum()) for a, b in zip(before, tr.G.parameters()))
    assert moved > 0
    ema_gap = sum(float((a - b.detach()).abs().sum()) for a, b in zip(tr.G_ema.parameters(), tr.G.parameters()))
    assert 0 < ema_gap < moved * 2


@pytest.mark.parametrize("tileable, linear, upsample, gain", [
    (False, False, "transpose", 1.0), (True, False, "transpose", 1.0), (True, True, "transpose", 1.0),
    (True, True, "resize", 1.0), (True, False, "transpose", 1.5)])
def test_mean_init_starts_samples_at_the_data_colour(tmp_path, tileable, linear, upsample, gain):
    # dark, reddish images: Radford's initialisation starts at mid-grey, mean init at the data's colour
    rng = np.random.default_rng(0)
    images = np.clip(rng.normal([40, 20, 10], 15, size=(32, 32, 32, 3)), 0, 255).astype(np.uint8)
    target = images.reshape(-1, 3).mean(0)
    means = {}
    for mean_init in (False, True):
        cfg = tiny_config(channels=3, tileable=tileable, mean_init=mean_init, linear_output=linear,
                          upsample=upsample, output_gain=gain)
        tr = DCGANTrainer(cfg, images, tmp_path / str(mean_init), {})
        with torch.no_grad():
            out = tr.export_generator()(torch.randn(256, cfg.nz)).clamp(-1, 1)
        means[mean_init] = ((out + 1) * 127.5).mean(dim=(0, 2, 3)).numpy()
        assert (tr.G.output_conv.bias is not None) == mean_init  # Radford's output layer has no bias
    # resize: its 3x3 convolution starts with a wider spread of pixels, and the clamp at 0 lifts the darkest channel
    assert np.abs(means[True] - target).max() < (6 if upsample == "transpose" else 9), (means[True], target)
    assert np.abs(means[False] - target).max() > 60  # Radford's start: about 127 everywhere


def test_output_gain_scales_tanh_and_is_refused_where_it_means_nothing():
    g = Generator(tiny_config(channels=3, output_gain=1.5))
    conv = g.output_conv
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:, 0] = 50.0  # saturate: red at +gain, green at -gain wherever the features are nonzero
        conv.weight[:, 1] = -50.0
        out = g(torch.randn(8, g.nz))
    assert out.abs().max() == pytest.approx(1.5, abs=1e-3) and out.min() < -1.4  # beyond [-1, 1]: clamped when made
    assert Generator(tiny_config(channels=3))(torch.randn(8, g.nz)).abs().max() <= 1.0  # gain 1: plain tanh
    with pytest.raises(Exception, match="--output-gain 0.5"):
        DCGANConfig(steps=1, output_gain=0.5).validate()
    with pytest.raises(Exception, match="--linear-output"):
        DCGANConfig(steps=1, output_gain=1.25, linear_output=True).validate()


def test_same_seed_same_run(tmp_path):
    cfg = tiny_config(steps=4, sample_every=100, checkpoint_every=100)
    data = load_samples(cfg)
    a = DCGANTrainer(cfg, data.images, tmp_path / "a", {})
    a.run()
    b = DCGANTrainer(cfg, data.images, tmp_path / "b", {})
    b.run()
    for (k, x), y in zip(a.G_ema.state_dict().items(), b.G_ema.state_dict().values()):
        assert torch.equal(x, y), k
    c = DCGANTrainer(DCGANConfig.from_dict(cfg.to_dict() | {"seed": 4}), data.images, tmp_path / "c", {})
    c.run()
    assert not torch.equal(next(iter(c.G.parameters())), next(iter(a.G.parameters())))


def _weights(tr):
    return {k: v.clone() for k, v in tr.G.state_dict().items()} | {
        "D." + k: v.clone() for k, v in tr.D.state_dict().items()}


def _d_gradient_norm_at_real(tr, images):
    real = torch.from_numpy(images[:32]).permute(0, 3, 1, 2).float().div(127.5).sub(1).requires_grad_(True)
    tr.D.train()
    (grad,) = torch.autograd.grad(tr.D(real).sum(), real)
    return float(grad.square().sum(dim=(1, 2, 3)).mean())


def test_r1_penalty_flattens_d_at_the_real_images(tmp_path):
    norms = {}
    for gamma in (0.0, 10.0):
        cfg = tiny_config(steps=33, r1_gamma=gamma)
        data = load_samples(cfg)
        tr = DCGANTrainer(cfg, data.images, tmp_path / str(gamma), {})
        logged = [tr.train_step() for _ in range(33)]  # R1 at steps 0, 16 and 32
        norms[gamma] = _d_gradient_norm_at_real(tr, data.images)
        assert ("r1" in logged[-1]) == (gamma > 0)
    assert norms[10.0] < 0.5 * norms[0.0], norms
    with pytest.raises(Exception, match="--r1 -1"):
        DCGANConfig(steps=1, r1_gamma=-1).validate()


def test_lr_drop_changes_the_rates_after_its_step_only(tmp_path):
    cfg = tiny_config(steps=6, lr_g=4e-4, lr_d=2e-4, lr_drop_at=3, lr_drop_g=0.5, lr_drop_d=0.25)
    data = load_samples(cfg)
    history = {}
    for name, c in (("drop", cfg), ("steady", DCGANConfig.from_dict(cfg.to_dict() | {"lr_drop_at": 0}))):
        tr = DCGANTrainer(c, data.images, tmp_path / name, {})  # seeds torch's RNG: one trainer at a time
        history[name] = []
        for _ in range(6):
            tr.train_step()
            history[name].append(((tr.opt_g.param_groups[0]["lr"], tr.opt_d.param_groups[0]["lr"]), _weights(tr)))
    rates = [r for r, _ in history["drop"]]
    same = [all(torch.equal(a[k], b[k]) for k in a) for (_, a), (_, b) in zip(history["drop"], history["steady"])]
    assert rates == [(4e-4, 2e-4)] * 3 + [(2e-4, 5e-5)] * 3
    assert same == [True] * 3 + [False] * 3  # identical until the drop, different after it
    for bad, flag in (({"lr_drop_d": 0.0}, "--lr-drop-d 0.0"), ({"lr_drop_g": 2.0}, "--lr-drop-g 2.0"),
                      ({"lr_drop_at": -1}, "--lr-drop-at -1")):
        with pytest.raises(Exception, match=flag):
            DCGANConfig(steps=1, **bad).validate()


def test_minibatch_spread_sees_a_batch_that_does_not_vary():
    h = torch.randn(6, 5, 4, 4)
    out = minibatch_spread(h)
    assert out.shape == (6, 6, 4, 4) and torch.equal(out[:, :5], h)
    spread = out[:, 5]
    assert torch.allclose(spread, spread[0, 0, 0].expand_as(spread)) and spread[0, 0, 0] > 0.5  # one value, N(0, 1)'s
    collapsed = minibatch_spread(h[:1].expand(6, -1, -1, -1))[:, 5]  # six copies of one sample
    assert collapsed.max() < 1e-3
    assert minibatch_spread(h[:1])[:, 5].max() < 1e-3  # a batch of one: spread 0, not NaN


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_mbstd_shifts_a_batch_alike_so_ranking_inside_it_holds(spectral_norm):
    cfg = tiny_config(channels=3, mbstd=True, spectral_norm=spectral_norm)
    d = Discriminator(cfg).eval()
    x = torch.randn(4, 3, 32, 32)
    other = torch.cat([x[:3], torch.randn(1, 3, 32, 32) * 3])  # a different fourth image: a different spread
    with torch.no_grad():
        a, b = d(x), d(other)
    assert not torch.allclose(a[:3], b[:3])  # the spread moved the shared images' logits ...
    assert torch.allclose(a[:3] - a[0], b[:3] - b[0], atol=1e-5)  # ... all by the same amount
    from assetgan.train.onnx_export import critic_for_export

    critic = critic_for_export(d)  # exported: each image scored on its own, ranked as inside one batch
    with torch.no_grad():
        alone = torch.cat([critic(x[i : i + 1]) for i in range(4)])
        assert torch.allclose(alone, critic(x), atol=1e-5) and torch.allclose(alone - alone[0], a - a[0], atol=1e-5)
    assert sum(p.numel() for p in d.parameters()) > sum(p.numel() for p in Discriminator(
        tiny_config(channels=3, spectral_norm=spectral_norm)).parameters())  # the extra input channel's weights


def test_label_smoothing_is_bce_against_the_smoothed_target():
    real, fake = torch.tensor([-1.0, 0.5, 3.0, 6.0]), torch.tensor([-2.0, 0.0, 1.0])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    want = bce(real, torch.full_like(real, 0.9)) + bce(fake, torch.zeros_like(fake))
    assert d_loss_fn("ns", real, fake, 0.9) == pytest.approx(float(want), abs=1e-6)
    assert d_loss_fn("ns", real, fake) == pytest.approx(float(bce(real, torch.ones_like(real)) + bce(
        fake, torch.zeros_like(fake))), abs=1e-6)
    # smoothed, D gains nothing from real logits beyond logit(0.9) ~ 2.2: the loss rises again past it
    assert float(d_loss_fn("ns", torch.tensor([6.0]), fake, 0.9)) > float(d_loss_fn("ns", torch.tensor([2.2]), fake,
                                                                                     0.9))
    for bad, flag in (({"real_label": 0.4}, "--real-label 0.4"), ({"real_label": 1.1}, "--real-label 1.1"),
                      ({"real_label": 0.9, "loss": "hinge"}, "--loss hinge")):
        with pytest.raises(Exception, match=flag):
            DCGANConfig(steps=1, **bad).validate()


def test_lecam_penalty_and_anchors():
    """The penalty charges only logits past the other class's anchor (real above the fake anchor, fake below the
    real anchor), squared; the anchors are bias-corrected moving averages, exact after one batch."""
    anchors = LeCamAnchors(decay=0.9)
    a = anchors.update(torch.tensor([1.0, 3.0]), torch.tensor([-2.0, 0.0]))
    assert a.tolist() == pytest.approx([2.0, -1.0])  # the first batch's means, not 10 % of them
    a = anchors.update(torch.tensor([4.0]), torch.tensor([-3.0]))
    assert a.tolist() == pytest.approx([(0.9 * 0.1 * 2 + 0.1 * 4) / 0.19, (0.9 * 0.1 * -1 + 0.1 * -3) / 0.19])
    anchors_rs = torch.tensor([2.0, -1.0])
    real, fake = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True), torch.tensor([1.0, 4.0, -5.0])
    # real: only 0 and 3 lie above the fake anchor -1 (by 1 and 4); fake: 1 and -5 lie below the real anchor 2 (by 1
    # and 7), 4 does not
    assert float(lecam_penalty(real, fake, anchors_rs).detach()) == pytest.approx((1 + 16) / 3 + (1 + 49) / 3)
    lecam_penalty(real, fake, anchors_rs).backward()
    assert real.grad.tolist() == pytest.approx([0.0, 2 * 1 / 3, 2 * 4 / 3])  # pushes overshooting reals down only
    assert float(lecam_penalty(torch.tensor([-1.5]), torch.tensor([2.5]), anchors_rs)) == 0.0  # nothing overshoots
    resumed = LeCamAnchors(decay=0.9)
    resumed.load_state_dict(anchors.state_dict())
    assert resumed.update(torch.tensor([0.5]), torch.tensor([0.5])).tolist() == pytest.approx(
        anchors.update(torch.tensor([0.5]), torch.tensor([0.5])).tolist())
    for bad in (-0.1, float("nan")):
        with pytest.raises(Exception, match=f"--lecam {bad}"):
            DCGANConfig(steps=1, lecam=bad).validate()


def test_lecam_bounds_d_margin_on_a_small_set(tmp_path):
    """On 8 sprites D soon separates real from fake by a wide margin; with a strong LeCam weight the margin
    between its mean real and fake logits stays much narrower (the regulariser acts, not just runs)."""
    margins = {}
    for lecam in (0.0, 1.0):
        cfg = tiny_config(steps=40, sample_every=100, checkpoint_every=100, lecam=lecam, augment=(),
                          spectral_norm=False, ema_beta=0.0)
        data = load_samples(cfg)
        t = DCGANTrainer(cfg, data.images[:8], tmp_path / f"l{lecam}", {})
        gaps = [float(o["d_real"] - o["d_fake"]) for o in (t.train_step() for _ in range(cfg.steps))]
        margins[lecam] = sum(gaps[-10:]) / 10
    assert margins[1.0] < 0.5 * margins[0.0], margins


def test_r1_steps_keep_the_other_d_terms(tmp_path):
    """Step 0 is an R1 step: LeCam's term must still reach D's update there (R1 adds to D's loss, it does not
    replace it)."""
    weights = {}
    for lecam in (0.0, 10.0):
        cfg = tiny_config(steps=1, sample_every=100, checkpoint_every=100, r1_gamma=1.0, lecam=lecam, augment=(),
                          ema_beta=0.0)
        t = DCGANTrainer(cfg, load_samples(cfg).images[:8], tmp_path / f"l{lecam}", {})
        t.train_step()
        weights[lecam] = torch.cat([p.detach().reshape(-1) for p in t.D.parameters()])
    assert not torch.equal(weights[0.0], weights[10.0])


def _d_disagreement(d: Discriminator, x: torch.Tensor, tileable: bool) -> float:
    """Mean squared difference of D's logits for images and their flipped / shifted copies (same RNG draw)."""
    from assetgan.train.dcgan_loop import CR_OPS

    torch.manual_seed(11)
    with torch.no_grad():
        return float((d(diff_augment(x, CR_OPS, tileable)) - d(x)).square().mean())


def test_consistency_regularisation_makes_d_score_copies_alike(tmp_path):
    """bCR: after 40 steps with a strong weight, D's logits for real images and their flipped / shifted copies
    differ far less than without it; the penalty is logged."""
    gaps = {}
    for cr in (0.0, 10.0):
        cfg = tiny_config(steps=40, sample_every=100, checkpoint_every=100, cr=cr, augment=(), ema_beta=0.0)
        data = load_samples(cfg)
        t = DCGANTrainer(cfg, data.images[:8], tmp_path / f"c{cr}", {})
        outs = [t.train_step() for _ in range(cfg.steps)]
        assert ("cr" in outs[-1]) is (cr > 0)
        real = torch.from_numpy(data.images[:8]).permute(0, 3, 1, 2).float() / 127.5 - 1
        gaps[cr] = _d_disagreement(t.D, real, cfg.tileable)
    assert gaps[10.0] < 0.3 * gaps[0.0], gaps
    for bad in (-1.0, float("inf")):
        with pytest.raises(Exception, match=f"--cr {bad}"):
            DCGANConfig(steps=1, cr=bad).validate()


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_recon_decoder_rebuilds_the_real_images_and_stays_out_of_the_critic(tmp_path, spectral_norm):
    """The self-supervised D: its decoder's L1 error on the real images ends well below that of the best constant
    image (the per-pixel median), so D's features describe each image; logits match a plain forward, and the
    exported critic drops the decoder."""
    from assetgan.train.onnx_export import critic_for_export

    cfg = tiny_config(steps=80, sample_every=100, checkpoint_every=100, recon=1.0, augment=(), ema_beta=0.0,
                      spectral_norm=spectral_norm, lr_d=1e-3)
    data = load_samples(cfg)
    t = DCGANTrainer(cfg, data.images[:8], tmp_path / "r", {})
    errs = [float(t.train_step()["recon"]) for _ in range(cfg.steps)]
    real = torch.nn.functional.adaptive_avg_pool2d(
        torch.from_numpy(data.images[:8]).permute(0, 3, 1, 2).float() / 127.5 - 1, 16)
    constant = float((real - real.median(dim=0, keepdim=True).values).abs().mean())
    assert sum(errs[-5:]) / 5 < 0.8 * constant < errs[0], (errs, constant)
    d = t.D.eval()
    x = torch.randn(3, cfg.channels, cfg.size, cfg.size)
    logits, rebuilt = d(x, recon=True)
    assert rebuilt.shape == (3, cfg.channels, 16, 16)
    torch.testing.assert_close(logits, d(x))
    critic = critic_for_export(t.D)
    assert critic.decoder is None and not any(k.startswith("decoder") for k in critic.state_dict())
    assert "decoder.net.1.weight" in t.state_dict()["D"]  # trained with D, so a resumed run keeps it
    with pytest.raises(Exception, match="--recon -1"):
        DCGANConfig(steps=1, recon=-1).validate()


@pytest.mark.parametrize("r1, drop_at, extra", [(0.0, 0, {}), (1.0, 0, {}), (0.0, 4, {}), (0.0, 9, {}),
                                               (0.0, 0, {"mbstd": True, "real_label": 0.9}),
                                               (0.0, 0, {"lecam": 0.1, "spectral_norm": False}),
                                               (0.0, 0, {"cr": 1.0, "recon": 1.0, "spectral_norm": False})])
def test_resume_continues_exactly(tmp_path, r1, drop_at, extra):
    """R1, a learning-rate drop before (4) or after (9) the interruption at step 6, D's minibatch spread with
    label smoothing, LeCam's moving anchors, and consistency + reconstruction terms (the decoder and its optimiser
    state) resume exactly too."""
    cfg = tiny_config(steps=12 if r1 == 0 else 20, checkpoint_every=6, sample_every=100, r1_gamma=r1,
                      lr_drop_at=drop_at, lr_drop_g=0.5, lr_drop_d=0.25, **extra)
    data = load_samples(cfg)
    full = DCGANTrainer(cfg, data.images, tmp_path / "full", {})
    full.run()

    half = DCGANTrainer(DCGANConfig.from_dict(cfg.to_dict() | {"steps": 6}), data.images, tmp_path / "half", {})
    half.run()
    resumed = resume_trainer(tmp_path / "half", data.images, {}, {"steps": cfg.steps})
    assert resumed.step == 6
    resumed.run()
    a, b = _weights(full), _weights(resumed)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def _train_cmd(run, steps, extra=()):
    return [sys.executable, "-m", "assetgan", "train", "dcgan", str(SPRITES), "--out", str(run), "--steps",
            str(steps), "--nz", "16", "--ngf", "8", "--ndf", "8", "--batch", "8", "--seed", "5",
            "--checkpoint-every", "5", "--sample-every", "1000", "--threads", "1", *extra]


@pytest.mark.slow
def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    ref = tmp_path / "ref"
    subprocess.run(_train_cmd(ref, 400), check=True, env=env, capture_output=True)

    run = tmp_path / "killed"
    proc = subprocess.Popen(_train_cmd(run, 400), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = run / "checkpoint.pt"
    deadline = time.time() + 120
    while time.time() < deadline and not ckpt.exists():
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = load_checkpoint(run)  # never corrupt, whenever the kill landed
    assert 0 < state["step"] < 400
    out = subprocess.run([sys.executable, "-m", "assetgan", "train", "dcgan", "--resume", str(run)],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    a, b = load_checkpoint(ref), load_checkpoint(run)
    assert b["step"] == 400
    for k in a["G"]:
        assert torch.equal(a["G"][k], b["G"][k]), k
    for k in a["G_ema"]:
        assert torch.equal(a["G_ema"][k], b["G_ema"][k]), k


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tmp_path):
    run = tmp_path / "int"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(_train_cmd(run, 100000), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (run / "checkpoint.pt").exists():
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "--resume" in err
    assert load_checkpoint(run)["step"] >= 5


def test_adam_betas_reach_both_optimisers_and_bad_ones_are_refused(tmp_path):
    cfg = tiny_config(steps=1, beta1=0.0, beta2=0.99)
    t = DCGANTrainer(cfg, load_samples(cfg).images[:8], tmp_path / "b", {})
    assert t.opt_g.param_groups[0]["betas"] == t.opt_d.param_groups[0]["betas"] == (0.0, 0.99)
    for field, flag in (("beta1", "--beta1"), ("beta2", "--beta2")):
        for bad in (-0.1, 1.0, float("nan")):
            with pytest.raises(Exception, match=f"{flag} {bad}: must be in"):
                DCGANConfig(steps=1, **{field: bad}).validate()


def test_planned_rates_scale_by_the_planned_length_within_their_floor():
    base = DCGANConfig(steps=1, lr_ref_steps=1500, lr_min_scale=0.25)
    scales = [DCGANConfig.from_dict(base.to_dict() | {"plan_steps": n}).lr_scale()
              for n in (0, 900, 1500, 3000, 4000, 100_000)]
    assert scales == [1.0, 1.0, 1.0, 0.5, 0.375, 0.25]  # 0 = not planned yet; long runs stop at the floor
    assert DCGANConfig(steps=1, plan_steps=3000).lr_scale() == 1.0  # no reference: rates as given
    for bad, flag in (({"lr_ref_steps": -1}, "--lr-ref-steps -1"), ({"lr_min_scale": 0.0}, "--lr-min-scale 0.0"),
                      ({"lr_min_scale": 1.5}, "--lr-min-scale 1.5"), ({"plan_steps": -3}, "--plan-steps -3")):
        with pytest.raises(Exception, match=flag):
            DCGANConfig(steps=1, **bad).validate()


def test_a_step_budget_plans_the_rates_and_short_runs_keep_them_exactly(tmp_path):
    cfg = tiny_config(steps=6, lr_g=4e-4, lr_d=2e-4, lr_drop_at=3, lr_drop_g=0.5, lr_drop_d=0.5,
                      lr_ref_steps=3, lr_min_scale=0.25)
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, tmp_path / "long", {})
    tr.run()
    assert tr.cfg.plan_steps == 6 and tr.cfg.lr_scale() == 0.5
    assert (tr.opt_g.param_groups[0]["lr"], tr.opt_d.param_groups[0]["lr"]) == (1e-4, 5e-5)  # x0.5, dropped x0.5
    saved = load_checkpoint(tmp_path / "long")["config"]
    assert saved["plan_steps"] == 6  # saved: a resume keeps the rates
    # a run no longer than the reference trains exactly as with the rates as given
    short = {}
    for name, ref in (("planned", 6), ("unplanned", 0)):
        tr = DCGANTrainer(DCGANConfig.from_dict(cfg.to_dict() | {"lr_ref_steps": ref}), data.images,
                          tmp_path / name, {})
        tr.run()
        short[name] = _weights(tr)
    assert all(torch.equal(short["planned"][k], short["unplanned"][k]) for k in short["planned"])


class _SteppingClock:
    """A stand-in for `time` whose perf_counter moves on `tick` seconds per reading: every timed training step
    takes exactly `tick` seconds, on any machine and under any load."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 1000.0, tick

    def perf_counter(self) -> float:
        self.now += self.tick
        return self.now


def test_a_time_budget_probes_the_pace_then_trains_the_run_its_plan_names(tmp_path, monkeypatch):
    """The probe's steps are rolled back: a --minutes run is bit for bit the --plan-steps run of its plan.

    The loop's clock is a stepping one (0.25 s per timed step), so the plan does not depend on this machine's
    speed: 9 s of budget, 20 probe steps = 5 s spent, 4 s left = 16 planned steps."""
    from assetgan.train import dcgan_loop

    monkeypatch.setattr(dcgan_loop, "time", _SteppingClock(0.25))
    cfg = tiny_config(steps=None, minutes=0.15, threads=1, lr_ref_steps=2, lr_min_scale=0.25, lr_drop_at=5,
                      lr_drop_g=0.5, lr_drop_d=0.5, checkpoint_every=10_000, sample_every=10_000)
    data = load_samples(cfg)
    timed = DCGANTrainer(cfg, data.images, tmp_path / "timed", {})
    result = timed.run()
    plan = timed.cfg.plan_steps
    assert plan == (9.0 - dcgan_loop.PROBE_STEPS * 0.25) / 0.25 == 16
    assert timed.cfg.lr_scale() == max(0.25, 2 / plan)
    assert result.step == plan  # the projection is the steps the budget held
    again = DCGANTrainer(DCGANConfig.from_dict(cfg.to_dict() | {"minutes": None, "steps": result.step,
                                                                 "plan_steps": plan}), data.images,
                         tmp_path / "planned", {})
    again.run()
    a, b = _weights(timed), _weights(again)
    assert all(torch.equal(a[k], b[k]) for k in a)
    # a resume with a longer budget keeps the plan (and so the rates) it started with
    more = resume_trainer(tmp_path / "timed", data.images, {}, {"minutes": 0.3})
    assert more.cfg.plan_steps == plan and more.opt_g.param_groups[0]["lr"] == timed.opt_g.param_groups[0]["lr"]
