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
from assetgan.train.dcgan_loop import DCGANTrainer, resume_trainer
from assetgan.train.nets import CircularUpConv, Discriminator, Generator

from .conftest import SPRITES, load_samples, tiny_config


@pytest.mark.parametrize("size", [16, 32, 64, 128])
@pytest.mark.parametrize("tileable", [False, True])
def test_generator_and_discriminator_shapes(size, tileable):
    cfg = DCGANConfig(size=size, channels=4, nz=8, ngf=4, ndf=4, steps=1, tileable=tileable)
    x = Generator(cfg)(torch.randn(3, 8))
    assert x.shape == (3, 4, size, size)
    assert float(x.detach().abs().max()) <= 1.0
    assert Discriminator(cfg)(x).shape == (3,)


def test_tileable_upsampling_is_shift_equivariant_on_the_torus():
    m = CircularUpConv(3, 2)
    x = torch.randn(1, 3, 5, 5)
    y = m(x)
    assert y.shape == (1, 2, 10, 10)
    torch.testing.assert_close(m(torch.roll(x, 1, dims=-1)), torch.roll(y, 2, dims=-1))
    torch.testing.assert_close(m(torch.roll(x, 2, dims=-2)), torch.roll(y, 4, dims=-2))


def test_tileable_upsampling_is_the_usual_layer_on_a_tiled_input():
    """The reference: the usual ConvTranspose2d(k=4, s=2, p=1) on the input tiled 3x3; its centre is one period."""
    torch.manual_seed(3)
    m = CircularUpConv(3, 2, bias=True)
    torch.nn.init.normal_(m.conv.bias)
    usual = torch.nn.ConvTranspose2d(3, 2, 4, 2, 1)
    usual.load_state_dict(m.conv.state_dict())
    x = torch.randn(2, 3, 6, 6)
    with torch.no_grad():
        ref = usual(x.repeat(1, 1, 3, 3))[..., 12:24, 12:24]
        torch.testing.assert_close(m(x), ref)


def test_tileable_generator_output_wraps_without_a_seam():
    # On a torus, a 2x2 tiling of the first feature map must give exactly the 2x2 tiling of the image:
    # the image is one period of a seamless texture. Zero padding breaks this at every tile border.
    torch.manual_seed(0)
    for tileable, seamless in ((True, True), (False, False)):
        g = Generator(DCGANConfig(size=32, channels=3, nz=8, ngf=8, steps=1, tileable=tileable)).eval()
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
    with pytest.raises(Exception, match="augment rotate"):
        DCGANConfig(steps=1, augment=("rotate",)).validate()


def test_a_config_with_a_removed_option_on_names_the_tag_and_off_loads_as_before():
    old = DCGANConfig(steps=1).to_dict() | {"mbstd": False, "loss": "ns", "upsample": "transpose", "r1_gamma": 0.0}
    assert DCGANConfig.from_dict(old) == DCGANConfig(steps=1)  # an old checkpoint with every removed option off
    for key, value, flag in (("mbstd", True, "--mbstd,"), ("loss", "hinge", "--loss hinge,"),
                             ("upsample", "resize", "--upsample resize,"), ("lecam", 0.05, "--lecam 0.05,")):
        with pytest.raises(Exception, match=f"^checkpoint x: trained with {flag} removed after tag pre-option-cull"):
            DCGANConfig.from_dict(old | {key: value}, "checkpoint x")


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


@pytest.mark.parametrize("tileable", [False, True])
def test_mean_init_starts_samples_at_the_data_colour(tmp_path, tileable):
    # dark, reddish images: Radford's initialisation starts at mid-grey, mean init at the data's colour
    rng = np.random.default_rng(0)
    images = np.clip(rng.normal([40, 20, 10], 15, size=(32, 32, 32, 3)), 0, 255).astype(np.uint8)
    target = images.reshape(-1, 3).mean(0)
    means = {}
    for mean_init in (False, True):
        cfg = tiny_config(channels=3, tileable=tileable, mean_init=mean_init)
        tr = DCGANTrainer(cfg, images, tmp_path / str(mean_init), {})
        with torch.no_grad():
            out = tr.export_generator()(torch.randn(256, cfg.nz)).clamp(-1, 1)
        means[mean_init] = ((out + 1) * 127.5).mean(dim=(0, 2, 3)).numpy()
        assert (tr.G.output_conv.bias is not None) == mean_init  # Radford's output layer has no bias
    assert np.abs(means[True] - target).max() < 6, (means[True], target)
    assert np.abs(means[False] - target).max() > 60  # Radford's start: about 127 everywhere


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
    for bad, flag in (({"lr_drop_d": 0.0}, "lr_drop_d 0.0"), ({"lr_drop_g": 2.0}, "lr_drop_g 2.0"),
                      ({"lr_drop_at": -1}, "lr_drop_at -1")):
        with pytest.raises(Exception, match=flag):
            DCGANConfig(steps=1, **bad).validate()


@pytest.mark.parametrize("drop_at, extra", [(0, {}), (4, {}), (9, {}), (0, {"spectral_norm": False})])
def test_resume_continues_exactly(tmp_path, drop_at, extra):
    """A learning-rate drop before (4) or after (9) the interruption at step 6, and Radford's BatchNorm D, resume
    exactly too."""
    cfg = tiny_config(steps=12, checkpoint_every=6, sample_every=100, lr_drop_at=drop_at, lr_drop_g=0.5,
                      lr_drop_d=0.25, **extra)
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
            str(steps), "--set", "nz=16", "--set", "ngf=8", "--set", "ndf=8", "--batch", "8", "--seed", "5",
            "--set", "checkpoint_every=5", "--set", "sample_every=1000", "--threads", "1", *extra]


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
    for field, flag in (("beta1", "beta1"), ("beta2", "beta2")):
        for bad in (-0.1, 1.0, float("nan")):
            with pytest.raises(Exception, match=f"{flag} {bad}: must be in"):
                DCGANConfig(steps=1, **{field: bad}).validate()


def test_planned_rates_scale_by_the_planned_length_within_their_floor():
    base = DCGANConfig(steps=1, lr_ref_steps=1500, lr_min_scale=0.25)
    scales = [DCGANConfig.from_dict(base.to_dict() | {"plan_steps": n}).lr_scale()
              for n in (0, 900, 1500, 3000, 4000, 100_000)]
    assert scales == [1.0, 1.0, 1.0, 0.5, 0.375, 0.25]  # 0 = not planned yet; long runs stop at the floor
    assert DCGANConfig(steps=1, plan_steps=3000).lr_scale() == 1.0  # no reference: rates as given
    for bad, flag in (({"lr_ref_steps": -1}, "lr_ref_steps -1"), ({"lr_min_scale": 0.0}, "lr_min_scale 0.0"),
                      ({"lr_min_scale": 1.5}, "lr_min_scale 1.5"), ({"plan_steps": -3}, "plan_steps -3")):
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
    from assetgan.train import dcgan_loop, loop

    clock = _SteppingClock(0.25)
    monkeypatch.setattr(dcgan_loop, "time", clock)  # the probe's steps
    monkeypatch.setattr(loop, "time", clock)  # the loop's
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
