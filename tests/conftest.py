"""Shared fixtures: a tiny DCGAN trained for 20 steps on the committed CC0 samples, exported to ONNX."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPRITES = ROOT / "assets" / "samples" / "sprites"
TEXTURES = ROOT / "assets" / "samples" / "textures"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def tiny_config(**kw):
    from assetgan.train.config import DCGANConfig

    base = dict(data=str(SPRITES), data_licence="CC0 1.0", size=32, channels=4, nz=16, ngf=8, ndf=8,
                batch_size=8, steps=20, seed=3, sample_every=10, checkpoint_every=10, log_every=5)
    base.update(kw)
    return DCGANConfig(**base)


def load_samples(cfg):
    from assetgan.data.dataset import load_training_images

    return load_training_images(cfg.data, cfg.size, cfg.channels)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A finished 20-step run folder holding checkpoint.pt and model.onnx."""
    from assetgan.train.dcgan_loop import DCGANTrainer
    from assetgan.train.onnx_export import build_card, critic_for_export, export_generator

    cfg = tiny_config()
    data = load_samples(cfg)
    run = tmp_path_factory.mktemp("run") / "tiny-sprites"
    tr = DCGANTrainer(cfg, data.images, run, {"source": "assets/samples/sprites", "licence": "CC0 1.0",
                                               "fingerprint": data.fingerprint, "count": len(data.images),
                                               "palette": ["#000000", "#ffffff", "#aa3311", "#33aa11"]})
    result = tr.run()
    assert result.step == 20
    export_generator(tr.export_generator(), build_card(cfg, tr.state_dict(), "tiny-sprites"), run / "model.onnx",
                     critic_for_export(tr.D))
    return run


@pytest.fixture(scope="session")
def tiny_model(tiny_run) -> Path:
    return tiny_run / "model.onnx"


def tiny_cyclegan_config(**kw):
    from assetgan.train.cyclegan_config import CycleGANConfig

    base = dict(data_a=str(TEXTURES), data_b=str(SPRITES), name_a="texture", name_b="sprite", licence_a="CC0 1.0",
                licence_b="CC0 1.0", ngf=8, blocks=2, ndf=8, crop=64, load_size=72, steps=4, seed=5,
                sample_every=2, checkpoint_every=2, log_every=1, pool_size=3)
    base.update(kw)
    return CycleGANConfig(**base)


def tiny_domains(cfg):
    from assetgan.train.cyclegan_data import load_domain

    return load_domain(cfg.data_a, cfg.resize_to), load_domain(cfg.data_b, cfg.resize_to)


@pytest.fixture(scope="session")
def tiny_cyclegan_run(tmp_path_factory) -> Path:
    """A finished 4-step CycleGAN run (textures <-> sprites, half-resolution trunk) with model.onnx."""
    from assetgan.train.cyclegan_export import export_cyclegan_checkpoint
    from assetgan.train.cyclegan_loop import CycleGANTrainer

    cfg = tiny_cyclegan_config()
    a, b = tiny_domains(cfg)
    run = tmp_path_factory.mktemp("cyc") / "tiny-style"
    result = CycleGANTrainer(cfg, a, b, run, {"source_a": "textures", "source_b": "sprites"}).run()
    assert result.step == 4
    export_cyclegan_checkpoint(result.checkpoint, run / "model.onnx", "tiny-style")
    return run


@pytest.fixture(scope="session")
def tiny_style_model(tiny_cyclegan_run) -> Path:
    return tiny_cyclegan_run / "model.onnx"
