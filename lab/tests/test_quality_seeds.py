"""lab/tools/quality_seeds.py: the per-seed summary of the quality benchmark (synthetic results, known answers)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab" / "tools"))
import quality_seeds  # noqa: E402


def _row(swd: float, swd_12: float, c2st: float) -> dict:
    return {"swd": swd, "swd_12": swd_12, "c2st": c2st, "steps": 100}


def _folder(tmp_path: Path, name: str, results: dict) -> Path:
    d = tmp_path / name
    d.mkdir()
    (d / "results.json").write_text(json.dumps(results))
    return d


def test_means_wins_and_c2st_as_distance_from_chance(tmp_path):
    a = _folder(tmp_path, "s1", {"10": {"plain": _row(100, 90, 0.9), "old": _row(80, 95, 0.6)}})
    b = _folder(tmp_path, "s2", {"10": {"plain": _row(60, 70, 0.8), "old": _row(70, 75, 0.35)}})
    runs = quality_seeds.load([a, b], {"old": "new"})
    lines = quality_seeds.summary(runs, "10", "plain", "new")
    by_metric = {ln.split()[1]: ln for ln in lines if ln.strip().startswith("mean")}
    # swd: 75 vs 80, one win each way -> better on the mean, 1/2 wins
    assert "75.000" in by_metric["swd"] and "80.000" in by_metric["swd"]
    assert "wins 1/2" in by_metric["swd"] and "(better)" in by_metric["swd"]
    # swd_12: 85 vs 80, no wins -> not better
    assert "wins 0/2" in by_metric["swd_12"] and "NOT better" in by_metric["swd_12"]
    # C2ST 0.35 is 0.15 from chance, better than 0.8 (0.3 away): distances 0.125 vs 0.35
    assert "0.125" in by_metric["C2ST"] and "wins 2/2" in by_metric["C2ST"]


def test_seeds_without_both_variants_are_left_out(tmp_path):
    a = _folder(tmp_path, "s1", {"10": {"plain": _row(1, 1, 0.5), "new": _row(2, 2, 0.5)}})
    b = _folder(tmp_path, "s2", {"10": {"plain": _row(1, 1, 0.5)}, "30": {"plain": _row(1, 1, 0.5)}})
    runs = quality_seeds.load([a, b], {})
    assert "1 seed(s)" in quality_seeds.summary(runs, "10", "plain", "new")[0]
    assert "no folder has both" in quality_seeds.summary(runs, "30", "plain", "new")[0]


def test_a_folder_without_results_names_it_and_the_fix(tmp_path):
    with pytest.raises(SystemExit, match=r"empty.*results\.json.*quality\.py"):
        quality_seeds.load([tmp_path / "empty"], {})


def test_folders_of_different_held_out_fractions_are_not_mixed(tmp_path):
    a = _folder(tmp_path, "s1", {"10": {"plain": _row(1, 1, 0.5), "new": _row(2, 2, 0.5)}})  # before the key: 0.1
    b = _folder(tmp_path, "s2", {"holdout": 0.25, "10": {"plain": _row(1, 1, 0.5), "new": _row(2, 2, 0.5)}})
    c = _folder(tmp_path, "s3", {"holdout": 0.25, "10": {"plain": _row(3, 3, 0.5), "new": _row(1, 1, 0.5)}})
    with pytest.raises(SystemExit, match=r"s2 held out 0\.25 .*s1 0\.1"):
        quality_seeds.load([a, b], {})
    runs = quality_seeds.load([b, c], {})
    assert [sorted(rows) for _, rows in runs] == [["10"], ["10"]]  # the holdout key is not a budget
    assert "2 seed(s)" in quality_seeds.summary(runs, "10", "plain", "new")[0]


def test_paired_difference_and_its_standard_error():
    # differences -10, -12, -8: mean -10, sd 2, s.e. 2/sqrt(3) = 1.155 -> clear of zero
    assert quality_seeds.paired([-10.0, -12.0, -8.0]) == "difference -10.000 ± 1.155 (s.e.) clear"
    # -10, +8, -1: mean -1, s.e. 5.196 -> within noise
    assert quality_seeds.paired([-10.0, 8.0, -1.0]).endswith("within noise")
    # two seeds are never enough, however far apart
    assert quality_seeds.paired([-10.0, -10.5]).endswith("within noise")
