"""Shared fixtures: a tiny DCGAN trained for 20 steps on the committed CC0 samples, exported to ONNX."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SPRITES = ROOT / "assets" / "samples" / "sprites"
TEXTURES = ROOT / "assets" / "samples" / "textures"
FIXTURES = ROOT / "tests" / "fixtures"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Tiers: the trainer's tests need torch; everything else (runtime, CLI, app) runs on the committed ONNX fixtures.
# `make test-fast` runs the torch-free tiers with torch made unimportable (ASSETGAN_NO_TORCH=1), as on a machine
# where it is not installed.
TORCH_FILES = {"test_train_dcgan.py", "test_train_cli.py", "test_train_run.py", "test_train_cyclegan.py",
               "test_train_conditional.py",
               "test_train_device.py", "test_distributed.py",
               "test_hardening_data_train.py", "test_snapshot_select.py", "test_ui_train_run.py",
               "test_evaluate_classes.py", "test_distill.py", "test_train_cut.py"}
TORCH_FIXTURES = {"tiny_run", "tiny_cyclegan_run"}


class _NoTorch:
    """A meta-path finder that makes torch (and the trainer) unimportable, as where torch is not installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch.") or name == "assetgan.train" or name.startswith(
                "assetgan.train."):
            raise ModuleNotFoundError(f"No module named {name!r} (ASSETGAN_NO_TORCH)", name=name)
        return None


if os.environ.get("ASSETGAN_NO_TORCH"):
    import sys

    sys.meta_path.insert(0, _NoTorch())


def pytest_ignore_collect(collection_path, config):
    """Without torch, the trainer's test files are not even imported."""
    return True if os.environ.get("ASSETGAN_NO_TORCH") and collection_path.name in TORCH_FILES else None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in TORCH_FILES or TORCH_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.torch)


def one_line_error(result, *needles: str, code: int = 2) -> str:
    """Assert a CLI result is exactly one `error:` line on stderr (exit `code`, no traceback) holding every needle;
    return that line."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    for n in needles:
        assert n in errors[0], errors[0]
    return errors[0]


def runtime_images(model, z: np.ndarray, class_names=None) -> np.ndarray:
    """The runtime's images for latents z [N, nz]: the reference the app's and the CLI's images are checked against.
    A conditional model draws image i in class_names[i] (default: every class in turn, as a batch deals them)."""
    known = model.card.classes
    if not known:
        return model.run(z)
    names = list(class_names) if class_names is not None else [known[i % len(known)] for i in range(len(z))]
    return model.run(z, np.array([known.index(c) for c in names], np.int64))


def seed_images(model, seeds, psi: float = 1.0, class_names=None) -> np.ndarray:
    """`runtime_images` for seeds (z from `seed_latent` at truncation psi)."""
    from assetgan.runtime.latent import seed_latent

    return runtime_images(model, np.stack([seed_latent(int(s), model.nz, psi) for s in seeds]), class_names)


def tiny_config(**kw):
    from assetgan.train.config import DCGANConfig

    base = dict(data=str(SPRITES), data_licence="CC0 1.0", size=32, channels=4, nz=16, ngf=8, ndf=8,
                batch_size=8, steps=20, seed=3, sample_every=10, checkpoint_every=10, log_every=5)
    base.update(kw)
    return DCGANConfig(**base)


def load_samples(cfg):
    from assetgan.data.dataset import load_training_images

    return load_training_images(cfg.data, cfg.size, cfg.channels)


def train_tiny_dcgan(run: Path) -> Path:
    """Train the tiny DCGAN for 20 steps into `run` and export `run/model.onnx` with its critic."""
    from assetgan.train.dcgan_loop import DCGANTrainer
    from assetgan.train.onnx_export import build_card, critic_for_export, export_generator

    cfg = tiny_config()
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, run, {"source": "assets/samples/sprites", "licence": "CC0 1.0",
                                               "fingerprint": data.fingerprint, "count": len(data.images),
                                               "palette": ["#000000", "#ffffff", "#aa3311", "#33aa11"]})
    result = tr.run()
    assert result.step == 20
    export_generator(tr.export_generator(), build_card(cfg, tr.state_dict(), "tiny-sprites"), run / "model.onnx",
                     critic_for_export(tr.D))
    return run


COND_CLASSES = ("item/potion", "item/ring", "mon/orc", "mon/ring")  # `potion` a unique short name, `ring` not


def train_tiny_conditional(run: Path) -> Path:
    """Train a tiny conditional DCGAN (nz 8, with its critic) for 4 steps into `run` on copies of the sample sprites
    dealt round robin into the folders of COND_CLASSES (`--labels folders --label-depth 2`); exports
    `run/model.onnx`."""
    import shutil
    import tempfile

    from typer.testing import CliRunner

    from assetgan.cli.main import app

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for k, p in enumerate(sorted(SPRITES.rglob("*.png"))):
            folder = data / COND_CLASSES[k % len(COND_CLASSES)]
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, folder / f"{k:03d}.png")
        r = CliRunner().invoke(app, ["train", "dcgan", str(data), "--out", str(run), "--steps", "4", "--labels",
                                     "folders", "--label-depth", "2", "--set", "nz=8", "--set", "ngf=8", "--set",
                                     "ndf=8", "--batch", "4", "--threads", "1", "--set", "seed=3"])
    assert r.exit_code == 0, r.output
    return run


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A finished 20-step run folder holding checkpoint.pt and model.onnx (trains: needs torch)."""
    return train_tiny_dcgan(tmp_path_factory.mktemp("run") / "tiny-sprites")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """The committed tiny DCGAN (tests/fixtures/tiny-sprites.onnx, remade by tests/fixtures/make_fixtures.py),
    copied so no test can change the original; needs no torch."""
    return _fixture_copy(tmp_path_factory, "tiny-sprites.onnx")


@pytest.fixture(scope="session")
def tiny_cond_model(tmp_path_factory) -> Path:
    """The committed tiny conditional DCGAN (tests/fixtures/tiny-cond.onnx, classes COND_CLASSES, remade by
    tests/fixtures/make_fixtures.py), copied so no test can change the original; needs no torch."""
    return _fixture_copy(tmp_path_factory, "tiny-cond.onnx")


def _fixture_copy(tmp_path_factory, name: str) -> Path:
    import shutil

    dst = tmp_path_factory.mktemp("fixture") / name
    shutil.copyfile(FIXTURES / name, dst)
    return dst


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


def train_tiny_cyclegan(run: Path) -> Path:
    """Train the tiny CycleGAN (textures <-> sprites, half-resolution trunk) for 4 steps; export run/model.onnx."""
    from assetgan.train.cyclegan_export import export_cyclegan_checkpoint
    from assetgan.train.cyclegan_loop import CycleGANTrainer

    cfg = tiny_cyclegan_config()
    a, b = tiny_domains(cfg)
    result = CycleGANTrainer(cfg, a, b, run, {"source_a": "textures", "source_b": "sprites"}).run()
    assert result.step == 4
    export_cyclegan_checkpoint(result.checkpoint, run / "model.onnx", "tiny-style")
    return run


@pytest.fixture(scope="session")
def tiny_cyclegan_run(tmp_path_factory) -> Path:
    """A finished 4-step CycleGAN run with model.onnx (trains: needs torch)."""
    return train_tiny_cyclegan(tmp_path_factory.mktemp("cyc") / "tiny-style")


@pytest.fixture(scope="session")
def tiny_style_model(tmp_path_factory) -> Path:
    """The committed tiny CycleGAN (tests/fixtures/tiny-style.onnx); needs no torch."""
    return _fixture_copy(tmp_path_factory, "tiny-style.onnx")


@pytest.fixture()
def alerts(tmp_path, monkeypatch):
    """For app tests: isolated app folders; alerts collected instead of shown (dialogs answered by the test)."""
    from ui import dialogs

    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    got: list[str] = []
    monkeypatch.setattr(dialogs, "alert", lambda _p, title, text: got.append(f"{title}: {text}"))
    return got
