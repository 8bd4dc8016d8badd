"""Multi-process training on torch.distributed (gloo on CPU) under torchrun: ranks agree, resume is exact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from assetgan.train.checkpoint import load_checkpoint

from .conftest import SPRITES

TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
ENV = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")

WORKER = r"""
import sys, torch, torch.distributed as dist
from assetgan.data.dataset import load_training_images
from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer
from assetgan.train.distributed import init_from_env, shutdown
info = init_from_env()
assert info.world == 2
cfg = DCGANConfig(data=sys.argv[1], nz=16, ngf=8, ndf=8, batch_size=8, steps=6, seed=3, threads=1)
images = load_training_images(cfg.data, 32, 4).images
tr = DCGANTrainer(cfg, images, sys.argv[2], {}, info)
batches = []
for step in range(6):
    tr.train_step()
    batches.append(tr.sampler.queue.clone())
    flat = torch.cat([p.detach().reshape(-1) for m in (tr.G, tr.D, tr.G_ema) for p in m.parameters()])
    both = [torch.zeros_like(flat) for _ in range(2)]
    dist.all_gather(both, flat)
    assert torch.equal(both[0], both[1]), f"ranks differ after step {step + 1}"
mine = torch.cat(batches)
theirs = [torch.zeros_like(mine) for _ in range(2)]
dist.all_gather(theirs, mine)
assert not torch.equal(theirs[0], theirs[1]), "both ranks drew the same batches"
print("RANKS-AGREE", flush=True)
shutdown(info, 0)
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(TORCHRUN + args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out


@pytest.mark.slow
def test_two_gloo_ranks_hold_identical_weights_after_every_step(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    out = _run([str(script), str(SPRITES), str(tmp_path / "run")], tmp_path)
    assert out.stdout.count("RANKS-AGREE") == 2


def _train(run: Path, steps: int, resume: bool = False) -> list[str]:
    if resume:
        return ["-m", "assetgan", "train", "dcgan", "--resume", str(run), "--steps", str(steps)]
    return ["-m", "assetgan", "train", "dcgan", str(SPRITES), "--out", str(run), "--steps", str(steps),
            "--set", "nz=16", "--set", "ngf=8", "--set", "ndf=8", "--batch", "8", "--seed", "9",
            "--set", "checkpoint_every=4",
            "--set", "sample_every=100", "--threads", "1"]


@pytest.mark.slow
def test_resumed_two_process_run_matches_an_uninterrupted_one(tmp_path):
    full, part = tmp_path / "full", tmp_path / "part"
    _run(_train(full, 8), tmp_path)
    _run(_train(part, 4), tmp_path)
    _run(_train(part, 8, resume=True), tmp_path)
    a, b = load_checkpoint(full), load_checkpoint(part)
    assert a["step"] == b["step"] == 8 and a["world_size"] == 2
    for net in ("G", "D", "G_ema"):
        for k in a[net]:
            assert torch.equal(a[net][k], b[net][k]), (net, k)
    # a 2-process checkpoint also resumes in a single process (fresh per-rank streams, same weights)
    single = tmp_path / "single"
    shutil.copytree(full, single)
    out = subprocess.run([sys.executable, "-m", "assetgan", "train", "dcgan", "--resume", str(single), "--steps",
                          "10"], env=ENV, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert load_checkpoint(single)["step"] == 10


CYCLE_WORKER = r"""
import sys, torch, torch.distributed as dist
sys.path.insert(0, sys.argv[3])
from tests.conftest import tiny_cyclegan_config, tiny_domains
from assetgan.train.cyclegan_loop import CycleGANTrainer
from assetgan.train.distributed import init_from_env, shutdown
info = init_from_env()
cfg = tiny_cyclegan_config(batch_size=2, steps=3, threads=1)
a, b = tiny_domains(cfg)
tr = CycleGANTrainer(cfg, a, b, sys.argv[2], {}, info)
for step in range(3):
    tr.train_step()
    n = tr.nets
    flat = torch.cat([p.detach().reshape(-1) for m in (n.g_ab, n.g_ba, n.d_a, n.d_b) for p in m.parameters()])
    both = [torch.zeros_like(flat) for _ in range(2)]
    dist.all_gather(both, flat)
    assert torch.equal(both[0], both[1]), f"ranks differ after step {step + 1}"
q = tr.sampler_a.queue.clone()
qs = [torch.zeros_like(q) for _ in range(2)]
dist.all_gather(qs, q)
assert not torch.equal(qs[0], qs[1]), "both ranks drew the same images"
print("RANKS-AGREE", flush=True)
shutdown(info, 0)
"""


@pytest.mark.slow
def test_cyclegan_two_gloo_ranks_agree_and_resume_exactly(tmp_path):
    from .conftest import ROOT, SPRITES, TEXTURES

    script = tmp_path / "cycle_worker.py"
    script.write_text(CYCLE_WORKER)
    out = _run([str(script), "unused", str(tmp_path / "w"), str(ROOT)], tmp_path)
    assert out.stdout.count("RANKS-AGREE") == 2

    def train(run: Path, steps: int, resume: bool = False) -> list[str]:
        if resume:
            return ["-m", "assetgan", "train", "cyclegan", "--resume", str(run), "--steps", str(steps)]
        return ["-m", "assetgan", "train", "cyclegan", "--a", str(TEXTURES), "--b", str(SPRITES), "--out", str(run),
                "--steps", str(steps), "--set", "ngf=8", "--set", "blocks=2", "--set", "ndf=8", "--crop", "64", "--set",
                "load_size=72", "--batch", "2", "--set", "pool_size=3", "--set", "checkpoint_every=2",
                    "--set", "sample_every=100",
                "--threads", "1"]

    full, part = tmp_path / "full", tmp_path / "part"
    _run(train(full, 4), tmp_path)
    _run(train(part, 2), tmp_path)
    _run(train(part, 4, resume=True), tmp_path)
    a, b = load_checkpoint(full), load_checkpoint(part)
    assert a["step"] == b["step"] == 4 and a["world_size"] == 2 and (full / "model.onnx").is_file()
    for net in ("G_AB", "G_BA", "D_A", "D_B"):
        for k in a[net]:
            assert torch.equal(a[net][k], b[net][k]), (net, k)


def test_what_torchrun_cannot_run_is_refused_before_any_process_group(tmp_path):
    """A BatchNorm D is refused up front with the setting to change."""
    from assetgan.core.errors import AssetganError
    from assetgan.train.config import DCGANConfig
    from assetgan.train.dcgan_loop import DCGANTrainer
    from assetgan.train.distributed import DistInfo

    images = np.zeros((4, 32, 32, 4), np.uint8)
    two = DistInfo(rank=0, world=2)
    base = dict(nz=8, ngf=8, ndf=8, batch_size=8, steps=1)
    with pytest.raises(AssetganError, match="set spectral_norm=true"):
        DCGANTrainer(DCGANConfig(**base, spectral_norm=False), images, tmp_path / "a", {}, two)


PLAN_WORKER = r"""
import sys, torch, torch.distributed as dist
from assetgan.data.dataset import load_training_images
from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer
from assetgan.train.distributed import init_from_env, shutdown
info = init_from_env()
cfg = DCGANConfig(data=sys.argv[1], nz=16, ngf=8, ndf=8, batch_size=8, minutes=0.1, seed=3, threads=1,
                  lr_ref_steps=2, lr_min_scale=0.25, sample_every=10_000, checkpoint_every=10_000)
images = load_training_images(cfg.data, 32, 4).images
tr = DCGANTrainer(cfg, images, sys.argv[2], {}, info)
tr.run()
flat = torch.cat([p.detach().reshape(-1) for m in (tr.G, tr.D, tr.G_ema) for p in m.parameters()])
mine = torch.cat([flat, torch.tensor([float(tr.cfg.plan_steps), float(tr.step), tr.opt_g.param_groups[0]["lr"]])])
both = [torch.zeros_like(mine) for _ in range(2)]
dist.all_gather(both, mine)
assert torch.equal(both[0], both[1]), "the ranks planned or trained differently"
assert tr.cfg.plan_steps > 0 and tr.opt_g.param_groups[0]["lr"] < cfg.lr_g
print("PLAN-AGREE", flush=True)
shutdown(info, 0)
"""


@pytest.mark.slow
def test_two_gloo_ranks_plan_the_same_rates_from_one_probe(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(PLAN_WORKER)
    out = _run([str(script), str(SPRITES), str(tmp_path / "run")], tmp_path)
    assert out.stdout.count("PLAN-AGREE") == 2
