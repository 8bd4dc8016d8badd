"""Best-snapshot selection (`select_every`): the score, the kept weights, exact resume, export and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.runtime.model import read_card
from assetgan.train import snapshot_select
from assetgan.train.checkpoint import load_checkpoint
from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer, resume_trainer
from assetgan.train.onnx_export import build_card, export_checkpoint, generator_from_checkpoint
from assetgan.train.snapshot_select import SnapshotScorer

from .conftest import SPRITES, TEXTURES, load_samples, tiny_config

runner = CliRunner()


@pytest.fixture(autouse=True)
def few_samples(monkeypatch):
    """Scores of 64 samples: the tiny runs here only need scores that are repeatable and compared."""
    monkeypatch.setattr(snapshot_select, "SELECT_SAMPLES", 64)


class Replay(nn.Module):
    """A 'generator' that returns given images in order (uint8 NHWC -> [-1, 1] NCHW), then repeats them."""

    def __init__(self, images: np.ndarray) -> None:
        super().__init__()
        self.images = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        self.at = 0

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        idx = (torch.arange(len(z)) + self.at) % len(self.images)
        self.at += len(z)
        return self.images[idx]


def _textures() -> np.ndarray:
    data = load_samples(tiny_config(data=str(TEXTURES), channels=3))
    rng = np.random.default_rng(0)  # enough crops of the few committed tiles for a stable SWD
    return np.stack([np.roll(data.images[i % len(data.images)], tuple(rng.integers(0, 32, 2)), axis=(0, 1))
                     for i in range(256)])


def test_score_is_repeatable_and_ranks_real_like_images_first():
    images = _textures()
    scorer = SnapshotScorer(images, nz=8, seed=1, n=256)
    real_like = scorer.score(Replay(images[::-1].copy()))
    assert scorer.score(Replay(images[::-1].copy())) == real_like  # same samples, same draw: the same score
    blurred = images.astype(np.float32)
    for axis in (1, 2):
        blurred = (blurred + np.roll(blurred, 1, axis) + np.roll(blurred, -1, axis)) / 3
    noise = np.random.default_rng(2).integers(0, 256, images.shape, dtype=np.uint8)
    scores = [real_like, scorer.score(Replay(blurred.round().astype(np.uint8))), scorer.score(Replay(noise))]
    assert scores == sorted(scores) and scores[0] < 0.5 * scores[2], scores


def test_config_refuses_a_negative_interval():
    with pytest.raises(Exception, match="select_every -3"):
        DCGANConfig(steps=1, select_every=-3).validate()


def _selecting_run(tmp_path, steps=12):
    cfg = tiny_config(steps=steps, select_every=4, checkpoint_every=6, sample_every=100)
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, tmp_path / "run", {"count": len(data.images)})
    tr.run()
    return tr, data


def test_best_snapshot_is_kept_scored_logged_and_exported(tmp_path):
    tr, _ = _selecting_run(tmp_path)
    rows = map(json.loads, (tmp_path / "run" / "log.jsonl").read_text().splitlines())
    log = [row for row in rows if "select_swd" in row]
    assert [row["step"] for row in log] == [4, 8, 12]  # the last step is scored once, in the loop
    best = min(log, key=lambda row: row["select_swd"])
    assert tr.best["step"] == best["step"] and tr.best["swd"] == best["select_swd"]
    # the exported generator holds the best snapshot's weights; last=True the current EMA weights
    chosen, last = tr.export_generator(), tr.export_generator(last=True)
    for k, v in tr.best["G"].items():
        if "running" not in k and "num_batches" not in k:  # BatchNorm statistics are re-estimated on export
            assert torch.equal(chosen.state_dict()[k], v), k
    for k, v in tr.G_ema.state_dict().items():
        if "running" not in k and "num_batches" not in k:
            assert torch.equal(last.state_dict()[k], v), k
    # an earlier snapshot made best by hand: export and the card say so
    tr.best = {"step": 4, "swd": 1.0, "G": {k: torch.zeros_like(v) for k, v in tr.G_ema.state_dict().items()}}
    assert all(float(p.detach().abs().sum()) == 0 for p in tr.export_generator().parameters())
    assert any(float(p.detach().abs().sum()) > 0 for p in tr.export_generator(last=True).parameters())
    card = build_card(tr.cfg, {"step": tr.step, "data": {}, "best": tr.best}, "x")
    assert "weights of step 4 of 12" in card.notes
    assert "the last weights (step 12)" in build_card(tr.cfg, tr.state_dict() | {"best": tr.best}, "x", last=True).notes


def test_scores_do_not_change_training(tmp_path):
    """Scoring uses its own random streams: the weights match a run without selection."""
    tr, data = _selecting_run(tmp_path)
    plain = DCGANTrainer(DCGANConfig.from_dict(tr.cfg.to_dict() | {"select_every": 0}), data.images,
                         tmp_path / "plain", {})
    plain.run()
    assert plain.best is None
    for k, v in plain.G.state_dict().items():
        assert torch.equal(tr.G.state_dict()[k], v), k


def test_resume_keeps_the_best_snapshot_exactly(tmp_path):
    """Stopped at a scored step (the end of a training call is always scored) and resumed: as one run."""
    full, data = _selecting_run(tmp_path / "full")
    cfg = DCGANConfig.from_dict(full.cfg.to_dict() | {"steps": 8})
    DCGANTrainer(cfg, data.images, tmp_path / "half", {}).run()
    assert load_checkpoint(tmp_path / "half")["best"]["step"] in (4, 8)
    resumed = resume_trainer(tmp_path / "half", data.images, {}, {"steps": 12})
    resumed.run()
    assert resumed.best["step"] == full.best["step"] and resumed.best["swd"] == pytest.approx(full.best["swd"])
    for k, v in full.best["G"].items():
        assert torch.equal(resumed.best["G"][k], v), k


def test_checkpoint_export_takes_the_best_unless_last(tmp_path):
    tr, _ = _selecting_run(tmp_path)
    state = load_checkpoint(tmp_path / "run")
    state["best"] = {"step": 4, "swd": 1.0, "G": {k: torch.zeros_like(v) for k, v in state["G_ema"].items()}}
    g_best, _ = generator_from_checkpoint(state)
    g_last, _ = generator_from_checkpoint(state, last=True)
    assert all(float(p.detach().abs().sum()) == 0 for p in g_best.parameters())
    assert any(float(p.detach().abs().sum()) > 0 for p in g_last.parameters())
    report = export_checkpoint(tmp_path / "run", tmp_path / "best.onnx")
    assert f"weights of step {tr.best['step']} of 12" in report.card.notes


def test_cli_select_every_and_to_onnx_last(tmp_path):
    run = tmp_path / "cli-run"
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "4", "--set", "nz=8",
                            "--set", "ngf=8", "--set", "ndf=8", "--batch", "4", "--set", "select_every=2",
                            "--set", "sample_every=100", "--set", "checkpoint_every=2"])
    assert r.exit_code == 0, r.output
    assert "exporting the best snapshot: step" in r.output
    assert "best snapshot by SWD" in read_card(run / "model.onnx").notes
    r = runner.invoke(app, ["to-onnx", str(run), "--last", "--out", str(tmp_path / "last.onnx")])
    assert r.exit_code == 0, r.output
    assert "the last weights (step 4)" in read_card(tmp_path / "last.onnx").notes
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(tmp_path / "bad"), "--steps", "2",
                            "--set", "select_every=-1"])
    assert r.exit_code == 2 and "select_every -1" in r.stderr, r.output


def test_to_onnx_last_is_refused_for_cyclegan_runs(tiny_cyclegan_run):
    r = runner.invoke(app, ["to-onnx", str(tiny_cyclegan_run), "--last"])
    assert r.exit_code == 2 and "--last" in r.stderr, r.output
