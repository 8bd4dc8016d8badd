"""lab/tools/quality.py: a work folder keeps the held-out fraction it started with."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab" / "tools"))
import quality  # noqa: E402


def test_a_new_folder_takes_any_fraction(tmp_path):
    quality.check_holdout({}, 0.25, tmp_path)


def test_a_folder_keeps_its_fraction(tmp_path):
    quality.check_holdout({"holdout": 0.25, "10": {}}, 0.25, tmp_path)
    with pytest.raises(SystemExit, match=r"started with --holdout 0\.25, not 0\.1: pass --holdout 0\.25"):
        quality.check_holdout({"holdout": 0.25, "10": {}}, 0.1, tmp_path)


def test_folders_from_before_the_key_held_out_a_tenth(tmp_path):
    quality.check_holdout({"10": {}}, 0.1, tmp_path)
    with pytest.raises(SystemExit, match=r"started with --holdout 0\.1, not 0\.25"):
        quality.check_holdout({"10": {}}, 0.25, tmp_path)


def test_textures_hold_out_a_quarter_sprites_a_tenth():
    assert quality.TASKS["textures"]["holdout"] == 0.25
    assert quality.TASKS["sprites"].get("holdout", 0.1) == 0.1


def test_the_recorded_fraction_and_the_default_for_folders_without_one():
    assert quality.holdout_of({"holdout": 0.25, "10": {}}) == 0.25
    assert quality.holdout_of({"10": {}}) == quality.DEFAULT_HOLDOUT == 0.1


def test_an_interrupted_first_stage_still_holds_the_folder_to_its_fraction(tmp_path, monkeypatch):
    def interrupted(*_args):
        raise KeyboardInterrupt  # training stopped before anything was measured

    monkeypatch.setattr(quality, "train_stage", interrupted)
    monkeypatch.setattr(sys, "argv", ["quality.py", "textures", "--out", str(tmp_path)])
    with pytest.raises(KeyboardInterrupt):
        quality.main()
    assert quality.holdout_of(json.loads((tmp_path / "results.json").read_text())) == 0.25
    monkeypatch.setattr(sys, "argv", ["quality.py", "textures", "--out", str(tmp_path), "--holdout", "0.1"])
    with pytest.raises(SystemExit, match=r"started with --holdout 0\.25, not 0\.1"):
        quality.main()


def test_each_row_names_the_machine_its_run_trained_on(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"config": {}, "machine": {
        "torch": "2.13.0+cpu", "cpu": "Intel(R) Xeon(R) Processor", "cpu_kernels": "AVX512"}}))
    assert quality.machine_of(tmp_path) == "AVX512 Intel(R) Xeon(R) Processor"
    (tmp_path / "config.json").write_text(json.dumps({"config": {}, "machine": {
        "torch": "2.13.0", "cpu": "AMD EPYC", "cpu_kernels": "AVX2", "gpu": "NVIDIA H200", "cuda": "12.8"}}))
    assert quality.machine_of(tmp_path) == "AVX2 AMD EPYC NVIDIA H200"
    (tmp_path / "config.json").write_text(json.dumps({"config": {}}))  # a run from before the record
    assert quality.machine_of(tmp_path) == "unrecorded"


def test_step_budgets_parse_and_go_with_one_budget_only():
    assert quality.parse_steps(["plain=1874", "recipe-textures=2829"], 1) == {"plain": 1874, "recipe-textures": 2829}
    assert quality.parse_steps([], 2) == {}
    for bad in ("plain", "plain=", "plain=0", "plain=1e3", "=12x"):
        with pytest.raises(SystemExit, match=f"--steps {bad}: expected VARIANT=N"):
            quality.parse_steps([bad], 1)
    with pytest.raises(SystemExit, match="--steps goes with one budget"):
        quality.parse_steps(["plain=100"], 2)


def test_a_step_budget_replaces_the_minutes_of_that_variant_only(tmp_path, monkeypatch):
    cmds = []

    class FakeRun:  # records the command; "trains" by writing the model the stage copies
        def __init__(self, cmd, **kw):
            cmds.append(cmd)
            run = Path(cmd[cmd.index("--out") + 1])
            run.mkdir(parents=True)
            (run / "model.onnx").write_bytes(b"onnx")
            self.returncode = 0

        def wait(self):
            return 0

    monkeypatch.setattr(quality.subprocess, "Popen", FakeRun)
    task = dict(quality.TASKS["textures"], variants={k: quality.TASKS["textures"]["variants"][k]
                                                     for k in ("plain", "recipe-textures")})
    quality.train_stage(task, tmp_path, 10, 1, 0.25, {"recipe-textures": 2829})
    by = {c[c.index("--out") + 1]: c for c in cmds}
    plain, rec = by[str(tmp_path / "plain")], by[str(tmp_path / "recipe-textures")]
    assert plain[plain.index("--minutes") + 1] == "10" and "--steps" not in plain
    assert rec[rec.index("--steps") + 1] == "2829" and "--minutes" not in rec
    assert (tmp_path / "recipe-textures-10min.onnx").read_bytes() == b"onnx"


def test_screen_candidates_parse_and_bad_ones_are_refused():
    import recipe_screen

    assert recipe_screen.parse_candidate("lr=3000:--recipe,textures,--lr,1e-4") == (
        "lr", 3000, ["--recipe", "textures", "--lr", "1e-4"])
    assert recipe_screen.parse_candidate("base=10:") == ("base", 10, [])
    assert recipe_screen.parse_candidate("p=2000:PLAIN,--mean-init") == ("p", 2000, [*quality.PLAIN, "--mean-init"])
    for bad in ("lr:--lr,1e-4", "lr=0:--lr,1e-4", "=5:--lr,1", "lr=x:"):
        with pytest.raises(SystemExit, match="expected NAME=STEPS:FLAGS"):
            recipe_screen.parse_candidate(bad)


def test_screen_table_pairs_each_candidate_with_the_baseline_by_seed():
    import recipe_screen

    rows = [{"name": "base", "seed": s, "swd_12": v} for s, v in ((1, 60.0), (2, 50.0), (3, 55.0))]
    rows += [{"name": "cand", "seed": s, "swd_12": v} for s, v in ((1, 52.0), (2, 51.0))]  # seed 3 not done
    rows += [{"name": "cand", "seed": 3, "error": "boom"}]
    lines = recipe_screen.table(rows, ["base", "cand", "absent"])
    assert len(lines) == 3  # header, base, cand; a candidate with no rows is left out
    cand = lines[2].split()
    assert cand[:3] == ["cand", "2", "51.5"]  # 2 seeds, mean of 52 and 51
    assert cand[4] == "-3.5±4.5" and cand[5] == "1/2"  # paired by seed: -8 and +1


def test_a_run_with_planned_rates_starts_afresh_at_the_next_budget_others_resume(tmp_path, monkeypatch):
    cmds = []

    class FakeRun:  # a run folder as train dcgan leaves it: config.json, checkpoint.pt, model.onnx
        def __init__(self, cmd, **kw):
            cmds.append(cmd)
            if "--resume" in cmd:
                return
            run = Path(cmd[cmd.index("--out") + 1])
            run.mkdir(parents=True)
            ref = int(cmd[cmd.index("--lr-ref-steps") + 1]) if "--lr-ref-steps" in cmd else 0
            minutes = float(cmd[cmd.index("--minutes") + 1])
            (run / "config.json").write_text(json.dumps({"config": {"lr_ref_steps": ref, "minutes": minutes}}))
            (run / "checkpoint.pt").write_bytes(b"ckpt")
            (run / "model.onnx").write_bytes(b"onnx")

        def wait(self):
            return 0

    monkeypatch.setattr(quality.subprocess, "Popen", FakeRun)
    task = dict(quality.TASKS["textures"], variants={"plain": quality.PLAIN,
                                                     "planned": ["--recipe", "textures", "--lr-ref-steps", "1500"]})
    quality.train_stage(task, tmp_path, 10, 1, 0.25)
    assert quality.planned_for(tmp_path / "planned") == 10 and quality.planned_for(tmp_path / "plain") is None
    cmds.clear()
    quality.train_stage(task, tmp_path, 30, 1, 0.25)
    by = {c[c.index("--resume") + 1] if "--resume" in c else c[c.index("--out") + 1]: c for c in cmds}
    assert "--resume" in by[str(tmp_path / "plain")]  # the same run, extended
    fresh = by[str(tmp_path / "planned")]
    assert "--resume" not in fresh and fresh[fresh.index("--minutes") + 1] == "30"  # a new run, planned for 30
    assert (tmp_path / "planned-run-10min" / "checkpoint.pt").exists()  # the 10-minute run kept
