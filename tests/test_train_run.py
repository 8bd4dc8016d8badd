"""The run API (assetgan/train/run.py): start, resume and export without printing; messages and progress arrive
through callbacks; a finished run's model.onnx is what `to-onnx` makes from its checkpoint."""

from __future__ import annotations

import dataclasses

import pytest

from assetgan.core.errors import AssetganError
from assetgan.runtime.model import open_model
from assetgan.train.run import RunEvents, export_model, load_run, resume_run, start_run

from .conftest import tiny_config, tiny_cyclegan_config


class _Recorder:
    def __init__(self, stop_at: int | None = None) -> None:
        self.updates: list[tuple[int, int | None]] = []
        self.stop_at = stop_at

    def update(self, done, total, metrics=None):
        self.updates.append((done, total))

    def aborted(self) -> bool:
        return self.stop_at is not None and len(self.updates) >= self.stop_at


def test_start_abort_resume_and_export_through_the_api(tmp_path, capsys):
    cfg = dataclasses.replace(tiny_config(steps=6, checkpoint_every=100, sample_every=100, labels="none"),
                              holdout=0.25)
    infos, warns = [], []
    events = RunEvents(info=infos.append, warn=warns.append)
    run = tmp_path / "run"
    first = start_run(cfg, run, device="cpu", progress=_Recorder(stop_at=3), events=events)
    assert (first.status, first.step, first.model) == ("interrupted", 3, None)
    assert infos[0].startswith("training on 36 images") and (run / "holdout.txt").is_file()
    with pytest.raises(AssetganError, match="already holds a run"):
        start_run(cfg, run, device="cpu")
    progress = _Recorder()
    done = resume_run(run, steps=8, device="cpu", progress=progress, events=events)
    assert (done.status, done.step, done.kind) == ("done", 8, "dcgan") and progress.updates[-1] == (8, 8)
    assert "resuming at step 3" in infos and done.model.path == run / "model.onnx"
    printed = capsys.readouterr()
    assert printed.out == printed.err == ""  # nothing printed: messages went to the callbacks
    # the run's export is `to-onnx`'s: the same route from the same checkpoint
    again = export_model(run, tmp_path / "again.onnx", name="run")
    assert again.card == done.model.card
    a, b = open_model(run / "model.onnx"), open_model(tmp_path / "again.onnx")
    assert (a.generate_seeds(range(3)) == b.generate_seeds(range(3))).all()
    with pytest.raises(AssetganError, match="already exists"):
        export_model(run, tmp_path / "again.onnx")
    with pytest.raises(AssetganError, match="checkpoint is a dcgan run"):
        load_run(run, "cyclegan")


def test_cyclegan_runs_through_the_same_api(tmp_path):
    cfg = tiny_cyclegan_config(steps=2, sample_every=100, checkpoint_every=100)
    outcome = start_run(cfg, tmp_path / "c", device="cpu")
    assert (outcome.kind, outcome.status, outcome.step) == ("cyclegan", "done", 2)
    assert outcome.model.card.kind == "cyclegan" and outcome.model.path.is_file()
    state, resumed = load_run(tmp_path / "c", "cyclegan", steps=3)
    assert state["step"] == 2 and resumed.steps == 3
