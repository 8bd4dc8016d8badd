"""`assetgan train dcgan|cyclegan` and `to-onnx` through the CLI: first-class options, --set, --config,
--print-config, recipes as field overrides, one-line errors (moved from test_cli_generate_export.py)."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.train.config import DCGANConfig
from assetgan.train.cyclegan_config import CycleGANConfig
from assetgan.train.recipes import RECIPES

from .conftest import ROOT, SPRITES, TEXTURES, one_line_error

runner = CliRunner()
TINY = ["--set", "nz=8", "--set", "ngf=8", "--set", "ndf=8", "--batch", "4"]


def _printed(args):
    r = runner.invoke(app, ["train", *args, "--print-config"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_print_config_shows_the_dataclass_defaults_and_the_recipe_as_field_overrides():
    cfg = _printed(["dcgan", str(SPRITES), "--steps", "5"])
    want = DCGANConfig(data=str(SPRITES), steps=5, recipe="sprites").to_dict()
    assert cfg == json.loads(json.dumps(want))  # sprites: exactly the defaults
    tex = _printed(["dcgan", str(TEXTURES), "--channels", "3", "--steps", "5"])
    assert tex["recipe"] == "textures" and all(tex[k] == (list(v) if isinstance(v, tuple) else v)
                                               for k, v in RECIPES["textures"].items())
    # precedence: recipe < --config < first-class options < --set
    assert _printed(["dcgan", str(TEXTURES), "--channels", "3", "--steps", "5", "--set", "ndf=48", "--set",
                     "augment=flip,color", "--set", "tile=16x16", "--set", "minutes=none"])["ndf"] == 48
    r = _printed(["dcgan", str(TEXTURES), "--recipe", "radford", "--steps", "5", "--set", "augment=none",
                  "--set", "tile=16x16", "--set", "holdout=0.25", "--set", "spectral_norm=true"])
    assert (r["recipe"], r["augment"], r["tile"], r["holdout"], r["spectral_norm"], r["ema_beta"]) == (
        "radford", [], [16, 16], 0.25, True, 0.0)


def test_config_file_sits_between_the_recipe_and_the_options(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"ndf": 40, "batch_size": 16, "recipe": "radford", "augment": ["flip"]}))
    cfg = _printed(["dcgan", str(SPRITES), "--steps", "3", "--config", str(f), "--batch", "8"])
    assert (cfg["recipe"], cfg["ndf"], cfg["batch_size"], cfg["augment"], cfg["ema_beta"]) == (
        "radford", 40, 8, ["flip"], 0.0)
    f.write_text(json.dumps({"ndff": 40}))
    one_line_error(runner.invoke(app, ["train", "dcgan", str(SPRITES), "--steps", "3", "--config", str(f)]),
                    f"--config {f}: unknown field 'ndff'", "ndf")
    f.write_text(json.dumps({"ndf": "wide"}))
    one_line_error(runner.invoke(app, ["train", "dcgan", str(SPRITES), "--steps", "3", "--config", str(f)]),
                    "ndf='wide': must be an int")
    f.write_text("[1, 2")
    one_line_error(runner.invoke(app, ["train", "dcgan", str(SPRITES), "--steps", "3", "--config", str(f)]),
                    f"--config {f}")


def test_set_parses_by_type_and_names_near_matches():
    base = ["train", "dcgan", str(SPRITES), "--steps", "2"]
    one_line_error(runner.invoke(app, [*base, "--set", "sample_evry=3"]), "unknown field 'sample_evry'",
                    "sample_every")
    one_line_error(runner.invoke(app, [*base, "--set", "ngf=8.5"]), "ngf='8.5': must be an int")
    one_line_error(runner.invoke(app, [*base, "--set", "mean_init=maybe"]), "must be true or false")
    one_line_error(runner.invoke(app, [*base, "--set", "ngf"]), "write FIELD=VALUE")
    one_line_error(runner.invoke(app, [*base, "--set", "beta1=2"]), "beta1 2.0: must be in [0, 1)")
    one_line_error(runner.invoke(app, [*base, "--set", "mbstd=true"]), "unknown field 'mbstd'")
    cyc = ["train", "cyclegan", "--a", str(TEXTURES), "--b", str(SPRITES), "--steps", "2"]
    one_line_error(runner.invoke(app, [*cyc, "--set", "lamda_cycle=3"]), "lambda_cycle")
    printed = _printed(["cyclegan", "--a", str(TEXTURES), "--b", str(SPRITES), "--steps", "2", "--set",
                        "lambda_cycle=3", "--set", "internal_scale=1", "--name-a", "tex"])
    assert printed == json.loads(json.dumps(CycleGANConfig(
        data_a=str(TEXTURES), data_b=str(SPRITES), steps=2, lambda_cycle=3.0, internal_scale=1, name_a="tex"
    ).to_dict()))


def test_train_and_to_onnx_cli(tmp_path):
    run = tmp_path / "cli-run"
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "3", *TINY, "--set",
                            "sample_every=2", "--set", "checkpoint_every=2"])
    assert r.exit_code == 0, r.output
    assert (run / "model.onnx").is_file() and (run / "samples" / "latest.png").is_file()
    saved = json.loads((run / "config.json").read_text())
    assert saved["config"]["recipe"] == "sprites" and "extra" not in saved["config"]
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--print-config", "--steps", "9"])
    assert r.exit_code == 0 and json.loads(r.stdout)["steps"] == 9
    r = runner.invoke(app, ["to-onnx", str(run), "--out", str(tmp_path / "again.onnx"), "--name", "again"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "3"])
    one_line_error(r, "already holds a run", "--resume")
    one_line_error(runner.invoke(app, ["train", "dcgan", str(tmp_path / "nothing"), "--out", str(tmp_path / "r"),
                                        "--steps", "2"]), "nothing")
    one_line_error(runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(tmp_path / "r2"),
                                        "--size", "48", "--steps", "2"]), "--size 48")
    one_line_error(runner.invoke(app, ["to-onnx", str(tmp_path)]), "no checkpoint")


def test_train_tileable_textures_and_sprite_sheet(tmp_path):
    from assetgan.runtime import open_model

    run = tmp_path / "tex"
    r = runner.invoke(app, ["train", "dcgan", str(TEXTURES), "--out", str(run), "--channels", "3", "--tileable",
                            "--steps", "3", "--set", "nz=8", "--set", "ngf=8", "--batch", "4", "--labels", "none"])
    assert r.exit_code == 0, r.output
    m = open_model(run / "model.onnx")
    assert m.card.tileable and m.card.channels == 3
    assert m.generate_seeds(range(4)).shape == (4, 32, 32, 3)
    tc = m.card.training_config
    assert tc["tileable"] is True
    # --recipe auto: RGB textures get the texture recipe, RGBA the sprite recipe; options override it
    assert tc["recipe"] == "textures" and tc["augment"] == [] and not tc["spectral_norm"]
    assert tc["ema_beta"] == 0.999 and tc["mean_init"]
    assert (tc["lr_g"], tc["lr_d"]) == (4e-4, 2e-4)  # the texture recipe's G learns at twice D's rate ...
    assert (tc["lr_drop_at"], tc["lr_drop_g"], tc["lr_drop_d"]) == (1500, 0.5, 0.5)  # ... until both halve
    assert (tc["ngf"], tc["ndf"]) == (8, RECIPES["textures"]["ndf"]) == (8, 32)  # --set ngf overrides the recipe's

    sheet_run = tmp_path / "sheet"
    r = runner.invoke(app, ["train", "dcgan", str(ROOT / "assets" / "samples" / "sheet_4x2_32.png"), "--set",
                            "tile=32x32", "--out", str(sheet_run), "--steps", "2", *TINY, "--set", "beta1=0",
                            "--set", "beta2=0.99", "--set", "lr_ref_steps=1", "--set", "lr_min_scale=0.3"])
    assert r.exit_code == 0, r.output
    assert "training on 6 images" in r.stderr  # 8 cells less one empty and one duplicate
    model = open_model(sheet_run / "model.onnx")
    tc = model.card.training_config
    assert tc["recipe"] == "sprites" and tc["augment"] == ["translation", "color", "cutout"]
    assert tc["spectral_norm"] and tc["ema_beta"] == 0.999
    assert (tc["beta1"], tc["beta2"]) == (0.0, 0.99)  # Adam's betas, Radford's 0.5 / 0.999 unless given
    # rates planned by the budget: 2 steps planned, half the rates (above the floor of 0.3); the card says so
    assert (tc["lr_ref_steps"], tc["lr_min_scale"], tc["plan_steps"]) == (1, 0.3, 2)
    assert "rates planned for 2 steps (x0.5)" in r.stderr
    assert model.card.critic and model.score(model.generate_seeds([1, 2, 3])).shape == (3,)

    r = runner.invoke(app, ["train", "dcgan", str(TEXTURES), "--out", str(tmp_path / "r"), "--recipe", "radford",
                            "--set", "ema_beta=0.99", "--steps", "1", *TINY, "--labels", "none"])
    assert r.exit_code == 0, r.output
    m = open_model(tmp_path / "r" / "model.onnx")
    tc = m.card.training_config
    assert tc["recipe"] == "radford" and tc["ema_beta"] == 0.99 and tc["augment"] == []
    assert not tc["mean_init"] and tc["lr_d"] == tc["lr_g"] == 2e-4 and (tc["ngf"], tc["ndf"]) == (8, 8)
    px = m.generate_seeds(range(64))
    assert px.dtype == np.uint8 and px.std() > 0
    r = runner.invoke(app, ["train", "dcgan", str(TEXTURES), "--out", str(tmp_path / "x"), "--recipe", "fancy",
                            "--steps", "1"])
    one_line_error(r, "--recipe fancy", "radford")


def test_holdout_is_listed_and_excluded(tmp_path):
    run = tmp_path / "h"
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "1", *TINY, "--set",
                            "holdout=0.25"])
    assert r.exit_code == 0, r.output
    held = (run / "holdout.txt").read_text().split()
    assert len(held) == 12  # a quarter of the 48 samples
    assert "training on 36 images" in r.stderr


def test_resume_of_a_run_trained_with_a_removed_option_names_the_tag(tiny_run, tmp_path):
    import shutil

    from assetgan.train.checkpoint import load_checkpoint, save_checkpoint

    run = tmp_path / "old"
    shutil.copytree(tiny_run, run)
    state = load_checkpoint(run)
    state["config"] = state["config"] | {"mbstd": True, "extra": {"holdout": 0.0}}
    save_checkpoint(run / "checkpoint.pt", state)
    for args in (["train", "dcgan", "--resume", str(run), "--steps", "30"], ["to-onnx", str(run), "--force"]):
        one_line_error(runner.invoke(app, args), f"checkpoint {run / 'checkpoint.pt'}: trained with --mbstd, "
                        "removed after tag pre-option-cull; resume it with that version or start a new run")


def test_train_help_is_short_and_grouped():
    r = runner.invoke(app, ["train", "dcgan", "--help"], env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"})
    assert r.exit_code == 0
    assert len(r.output.splitlines()) < 90, len(r.output.splitlines())
    for panel in ("Data", "Budget", "Output", "Device", "Every other setting"):
        assert panel in r.output


def test_resume_can_change_the_augmentations_and_records_when(tiny_run, tmp_path):
    import shutil

    from assetgan.runtime.model import read_card
    from assetgan.train.checkpoint import load_checkpoint

    run = tmp_path / "aug"
    shutil.copytree(tiny_run, run)
    before = load_checkpoint(run)
    steps = int(before["step"])
    assert before["config"]["augment"] != ["translation", "color"]
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", str(steps + 2), "--set",
                            "augment=translation,color"])
    assert r.exit_code == 0, r.output
    assert f"from step {steps} on, augment = translation,color (was {','.join(before['config']['augment'])})" \
        in r.stderr
    after = load_checkpoint(run)
    assert after["step"] == steps + 2 and list(after["config"]["augment"]) == ["translation", "color"]
    change = {"step": steps, "field": "augment", "from": list(before["config"]["augment"]),
              "to": ["translation", "color"]}
    assert [dict(h, **{k: list(h[k]) for k in ("from", "to")}) for h in after["history"]] == [change]
    assert json.loads((run / "config.json").read_text())["history"] == [change]
    assert f"augment = translation,color from step {steps} on" in read_card(run / "model.onnx").notes
    # resuming again with the same settings adds nothing; the history stays with the run
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", str(steps + 3)])
    assert r.exit_code == 0, r.output
    assert len(load_checkpoint(run)["history"]) == 1 and "from step" not in r.stderr
    # the same value as saved is no change (a UI resuming with the command that started the run)
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", str(steps + 3), "--set",
                            f"nz={after['config']['nz']}"])
    assert r.exit_code == 0, r.output
    # anything else would break exact resume: one line, nothing trained
    one_line_error(runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", "99", "--set",
                                       "lr_g=0.001"]),
                   "--set lr_g: a resumed run keeps its settings (only augment can change on --resume)")
    one_line_error(runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", "99", "--set",
                                       "augment=spin"]), "augment")
    assert load_checkpoint(run)["step"] == steps + 3
