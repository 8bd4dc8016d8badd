"""Class-conditional DCGAN: labels from folders, a CSV or auto, label maps, one-line errors for bad labels before
training, and a tiny conditional run: conditional BatchNorm G, projection D, ONNX `z` + `class`, card classes and
counts, ONNX/torch parity per class, exact resume, the critic with classes."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError, ModelError
from assetgan.data.labels import resolve_labels
from assetgan.runtime.card import ModelCard
from assetgan.runtime.model import open_model
from assetgan.train.checkpoint import load_checkpoint
from assetgan.train.config import DCGANConfig
from assetgan.train.dcgan_loop import DCGANTrainer, resume_trainer
from assetgan.train.nets import Discriminator, Generator
from assetgan.train.onnx_export import critic_from_checkpoint, generator_from_checkpoint

from .conftest import ROOT, SPRITES, TEXTURES, load_samples, one_line_error, tiny_config

runner = CliRunner()
TINY = ["--set", "nz=8", "--set", "ngf=8", "--set", "ndf=8", "--batch", "4", "--threads", "1"]


def _tree(tmp_path, layout):
    """A data folder: {"sub/folder": n} -> n distinct sample sprites copied into each folder."""
    pool = sorted(SPRITES.rglob("*.png"))
    root, used = tmp_path / "data", 0
    for folder, n in layout.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for p in pool[used : used + n]:
            shutil.copyfile(p, root / folder / p.name)
        used += n
    return root


# ----- label discovery (torch-free) -----------------------------------------------------------------------------
def test_folder_labels_at_depth_one_and_two():
    files = ["mon/undead/a.png", "mon/undead/b.png", "mon/animals/c.png", "item/d.png", "item/e.png",
             "mon/animals/f.png"]
    one = resolve_labels(files, "/x", "folders", 1)
    assert one.classes == ("item", "mon") and one.counts == (2, 4) and list(one.index) == [1, 1, 1, 0, 0, 1]
    two = resolve_labels(files, "/x", "folders", 2)  # an image higher up takes the folders it has
    assert two.classes == ("item", "mon/animals", "mon/undead") and two.counts == (2, 2, 2)
    assert list(two.index) == [2, 2, 1, 0, 0, 1]
    sheet = resolve_labels(["a/s.png#r00c00", "a/s.png#r00c01", "b/t.png", "b/u.png"], "/x", "folders")
    assert sheet.classes == ("a", "b") and sheet.counts == (2, 2)  # sheet tiles take their file's folder


def test_auto_goes_conditional_only_for_clean_folder_classes():
    assert resolve_labels([f"a/{i}.png" for i in range(8)] + [f"b/{i}.png" for i in range(8)], "/x", "auto").classes \
        == ("a", "b")
    for files in ([f"a/{i}.png" for i in range(8)] + [f"b/{i}.png" for i in range(7)],  # a class under 8
                  [f"a/{i}.png" for i in range(20)],  # one class
                  [f"a/{i}.png" for i in range(8)] + [f"b/{i}.png" for i in range(8)] + ["loose.png"],  # no folder
                  [f"c{i}/x.png" for i in range(65)]):  # over 64 classes
        labels = resolve_labels(files, "/x", "auto")
        assert not labels.conditional and labels.note and (labels.index == 0).all()
    assert not resolve_labels(["a/1.png", "b/2.png"], "/x", "none").conditional


def test_labels_from_csv_and_label_map_merge_and_drop(tmp_path):
    root = _tree(tmp_path, {"mon": 6, "item": 6})
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))
    csv = tmp_path / "labels.csv"
    csv.write_text("file,label\n" + "".join(f"{n},{'red' if i % 3 == 0 else 'blue' if i % 3 == 1 else 'green'}\n"
                                            for i, n in enumerate(names[:-1])))  # the last image: no row
    labels = resolve_labels(names, root, str(csv))
    assert labels.classes == ("blue", "green", "red") and sum(labels.counts) == 11 and labels.index[-1] == -1
    assert "1 image in no class left out" in labels.note
    merge = tmp_path / "map.json"
    merge.write_text(json.dumps({"green": "blue", "red": None}))
    with pytest.raises(AssetganError, match="1 class; conditional training needs at least 2"):
        resolve_labels(names, root, str(csv), label_map=str(merge))
    merge.write_text(json.dumps({"green": "teal"}))
    mapped = resolve_labels(names, root, str(csv), label_map=str(merge))
    assert mapped.classes == ("blue", "red", "teal") and mapped.counts == labels.counts[:1] + labels.counts[2:] + \
        labels.counts[1:2]
    folders = tmp_path / "folders.json"
    folders.write_text(json.dumps({"about": "drop the items", "map": {"item": None}}))
    with pytest.raises(AssetganError, match="1 class;"):
        resolve_labels(names, root, "folders", label_map=str(folders))
    three = _tree(tmp_path / "t", {"a": 3, "b": 3, "c/x": 3})
    files = sorted(p.relative_to(three).as_posix() for p in three.rglob("*.png"))
    folders.write_text(json.dumps({"c": "b"}))
    merged = resolve_labels(files, three, "folders", label_map=str(folders))
    assert merged.classes == ("a", "b") and merged.counts == (3, 6)
    folders.write_text(json.dumps({"c": None}))
    dropped = resolve_labels(files, three, "folders", label_map=str(folders))
    assert dropped.classes == ("a", "b") and dropped.counts == (3, 3) and (dropped.index == -1).sum() == 3


# ----- bad input: one line, exit 2, before training starts ------------------------------------------------------
def _refused(tmp_path, data, *args_and_needles):
    *args, needle = args_and_needles
    out = tmp_path / "run"
    one_line_error(runner.invoke(app, ["train", "dcgan", str(data), "--out", str(out), "--steps", "2", *TINY,
                                        *args]), needle)
    assert not (out / "checkpoint.pt").exists() and not (out / "config.json").exists()


def test_bad_labels_are_one_line_errors_before_training(tmp_path):
    root = _tree(tmp_path, {"mon": 4, "item": 4, "one": 1})
    csv = tmp_path / "l.csv"
    csv.write_text("mon/nothere.png,mon\n")
    _refused(tmp_path, root, "--labels", str(csv), "names mon/nothere.png, which is not a file under")
    first = next((root / "mon").iterdir()).name
    csv.write_text(f"mon/{first},\n")
    _refused(tmp_path, root, "--labels", str(csv), "has an empty label")
    _refused(tmp_path, root, "--labels", "folders", "class 'one' has 1 image, at least 2 needed")
    csv.write_bytes(b"mon/" + first.encode() + b",caf\xe9\n")
    _refused(tmp_path, root, "--labels", str(csv), "not UTF-8")
    label_map = tmp_path / "m.json"
    label_map.write_text(json.dumps({"mon": "beasts", "dragons": "beasts"}))
    _refused(tmp_path, root, "--labels", "folders", "--label-map", str(label_map), "names class 'dragons'")
    _refused(tmp_path, root, "--labels", "words", "unknown; pass auto, none, folders or a FILE.csv")
    _refused(tmp_path, root, "--label-depth", "0", "--label-depth 0")
    loose = _tree(tmp_path / "l", {"a": 2, "b": 2})
    shutil.copyfile(next(SPRITES.rglob("*.png")), loose / "loose.png")
    _refused(tmp_path, loose, "--labels", "folders", "loose.png sits directly in DATA")


def test_non_utf8_folder_name_and_a_thousand_classes(tmp_path):
    from PIL import Image

    root = tmp_path / "many"
    rng = np.random.default_rng(0)
    for i in range(1000):  # a thousand distinct images, one per class
        (root / f"c{i:04d}").mkdir(parents=True)
        Image.fromarray(rng.integers(0, 255, (16, 16, 4), np.uint8)).save(root / f"c{i:04d}" / "x.png")
    _refused(tmp_path, root, "--labels", "folders", "--size", "16", "1000 classes, at most 64")
    bad = _tree(tmp_path / "u", {"a": 2})
    raw = os.path.join(os.fsencode(bad), b"caf\xe9")
    try:
        os.mkdir(raw)
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    shutil.copyfile(next((bad / "a").iterdir()), os.path.join(raw, b"x.png"))
    shutil.copyfile(sorted(SPRITES.rglob("*.png"))[-1], os.path.join(raw, b"y.png"))
    _refused(tmp_path, bad, "--labels", "folders", "is not UTF-8; rename the folder")


# ----- nets --------------------------------------------------------------------------------------------------------
def test_conditional_nets_take_classes_and_unconditional_ones_are_unchanged():
    plain = tiny_config()
    g, d = Generator(plain), Discriminator(plain)
    assert not any("embed" in k for k in [*g.state_dict(), *d.state_dict()])
    cond = tiny_config(classes=("a", "b", "c"))
    g, d = Generator(cond).eval(), Discriminator(cond)
    assert g.state_dict()["main.1.embed.weight"].shape == (3, 2 * 32) and "embed.parametrizations.weight.original" \
        in d.state_dict()
    z = torch.randn(3, cond.nz)
    y = torch.tensor([0, 1, 2])
    x = g(z, y)  # [3, 4, 32, 32]
    assert x.shape == (3, 4, 32, 32) and d(x, y).shape == (3,)
    with torch.no_grad():
        g.main[1].embed.weight[1, 0] += 5.0  # class 1's scale of the first channel
    assert torch.equal(g(z, torch.tensor([0, 0, 2]))[[0, 2]], g(z, y)[[0, 2]]) and not torch.equal(
        g(z, torch.tensor([1, 1, 1]))[0], g(z, y)[0])


# ----- a tiny conditional run through the CLI --------------------------------------------------------------------
@pytest.fixture(scope="module")
def cond_run(tmp_path_factory):
    """4 steps on the sample sprites: auto finds two folder classes (item 22, mon 26)."""
    run = tmp_path_factory.mktemp("cond") / "run"
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(run), "--steps", "4", *TINY,
                            "--set", "checkpoint_every=2", "--set", "sample_every=2"])
    assert r.exit_code == 0, r.output
    table = r.stderr.splitlines()
    assert "2 classes (id, name, images):" in table and "  0  item      22" in table and "  1  mon       26" in table, \
        r.stderr
    return run


def test_conditional_run_exports_z_and_class_and_a_card_with_classes(cond_run):
    import onnx

    proto = onnx.load(str(cond_run / "model.onnx"))
    types = {i.name: i.type.tensor_type.elem_type for i in proto.graph.input}
    assert types["z"] == onnx.TensorProto.FLOAT and types["class"] == onnx.TensorProto.INT64
    assert types["critic.class"] == onnx.TensorProto.INT64
    m = open_model(cond_run / "model.onnx")
    assert (m.card.classes, m.card.class_counts) == (["item", "mon"], [22, 26]) and m.classes == ["item", "mon"]
    assert "2 classes" in m.card.summary()
    saved = json.loads((cond_run / "config.json").read_text())
    assert saved["config"]["classes"] == ["item", "mon"] and saved["config"]["labels"] == "auto"
    assert saved["data"]["class_counts"] == [22, 26]
    z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    with pytest.raises(ModelError, match="is conditional: pass a class id"):
        m.run(z)
    with pytest.raises(ModelError, match="one id in 0-1 per latent"):
        m.run(z, np.array([0, 1, 2, 0]))


def test_onnx_matches_torch_for_every_class(cond_run):
    state = load_checkpoint(cond_run)
    g, cfg = generator_from_checkpoint(state)
    m = open_model(cond_run / "model.onnx")
    z = np.random.default_rng(1).standard_normal((8, cfg.nz)).astype(np.float32)
    outs = []
    for k in range(len(cfg.classes)):
        y = np.full(8, k, np.int64)
        with torch.no_grad():
            want = ((g(torch.from_numpy(z), torch.from_numpy(y)) + 1) * 127.5).round().clamp(0, 255)
        want = want.permute(0, 2, 3, 1).to(torch.uint8).numpy().astype(np.int16)
        got = m.run(z, y)
        assert np.abs(got.astype(np.int16) - want).max() <= 1
        outs.append(got)
    assert not np.array_equal(outs[0], outs[1])  # the class changes the image


def test_exported_critic_takes_classes(cond_run):
    from assetgan.runtime.model import cpu_session

    state = load_checkpoint(cond_run)
    d = critic_from_checkpoint(state)
    m = open_model(cond_run / "model.onnx")
    images = m.run(np.random.default_rng(2).standard_normal((4, 8)).astype(np.float32), np.array([0, 1, 0, 1]))
    sess = cpu_session(str(cond_run / "model.onnx"))
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    for y in ([0, 0, 0, 0], [1, 1, 1, 1]):
        with torch.no_grad():
            want = d(x, torch.tensor(y)).numpy()
        got = sess.run(["critic.score"], {"z": np.zeros((1, 8), np.float32), "class": np.zeros(1, np.int64),
                                          "critic.image": images, "critic.class": np.array(y, np.int64)})[0]
        assert np.allclose(got, want, rtol=1e-3, atol=1e-3)
    assert m.score(images, np.array([0, 1, 0, 1])).shape == (4,)  # each image scored with its own class
    with pytest.raises(ModelError, match="conditional"):
        m.score(images)


def test_resume_with_other_labels_is_refused(cond_run, tmp_path):
    shutil.copytree(cond_run, tmp_path / "run")
    cfg_path = tmp_path / "run" / "checkpoint.pt"
    state = load_checkpoint(cfg_path)
    state["config"]["data"] = str(_tree(tmp_path, {"x": 8, "y": 8, "z": 8}))
    torch.save(state, cfg_path)
    one_line_error(runner.invoke(app, ["train", "dcgan", "--resume", str(tmp_path / "run"), "--steps", "6"]),
                    "trained on 2 classes (item, mon), but its data's labels now give 3 (x, y, z)")


def test_conditional_resume_is_exact(tmp_path):
    data = load_samples(tiny_config())
    labels = resolve_labels(data.files, SPRITES, "folders")
    cfg = tiny_config(steps=8, checkpoint_every=4, sample_every=100, classes=labels.classes, select_every=4)
    full = DCGANTrainer(cfg, data.images, tmp_path / "full", {}, labels=labels.index)
    full.run()
    half = DCGANTrainer(DCGANConfig.from_dict(cfg.to_dict() | {"steps": 4}), data.images, tmp_path / "half", {},
                        labels=labels.index)
    half.run()
    resumed = resume_trainer(tmp_path / "half", data.images, {}, {"steps": cfg.steps}, labels=labels.index)
    assert resumed.step == 4 and resumed.cfg.classes == ("item", "mon")
    resumed.run()
    for name in ("G", "D", "G_ema"):
        a, b = getattr(full, name).state_dict(), getattr(resumed, name).state_dict()
        assert a.keys() == b.keys() and any("embed" in k for k in a)
        for k in a:
            assert torch.equal(a[k], b[k]), (name, k)
    with pytest.raises(AssetganError, match="needs a class id"):
        DCGANTrainer(cfg, data.images, tmp_path / "x", {})


def test_conditional_textures_tileable_and_labels_none(tmp_path):
    """Two texture classes, tileable G, no augment recipe (textures: BatchNorm D); --labels none stays unconditional."""
    run = tmp_path / "t"
    r = runner.invoke(app, ["train", "dcgan", str(TEXTURES), "--out", str(run), "--channels", "3", "--tileable",
                            "--steps", "2", *TINY])
    assert r.exit_code == 0, r.output
    m = open_model(run / "model.onnx")
    assert m.card.classes == ["floor", "wall"] and m.card.tileable
    img = m.run(np.zeros((2, 8), np.float32), np.array([0, 1]))
    assert img.shape == (2, 32, 32, 3)
    plain = tmp_path / "p"
    r = runner.invoke(app, ["train", "dcgan", str(SPRITES), "--out", str(plain), "--labels", "none", "--steps", "1",
                            *TINY])
    assert r.exit_code == 0, r.output
    assert open_model(plain / "model.onnx").card.classes == [] and "classes" not in r.stderr


def test_card_schema_for_classes():
    base = {"kind": "dcgan", "name": "m", "size": 32, "channels": 4, "nz": 8}
    card = ModelCard.from_json(json.dumps(base | {"classes": ["a", "b"], "class_counts": [3, 0]}))
    assert card.classes == ["a", "b"]
    for bad, needle in (({"classes": [f"c{i}" for i in range(65)], "class_counts": [1] * 65}, "at most 64"),
                        ({"classes": ["", "b"], "class_counts": [1, 1]}, "printable names"),
                        ({"classes": ["a\n", "b"], "class_counts": [1, 1]}, "printable names"),
                        ({"classes": ["a", "b"], "class_counts": [1, -1]}, "whole numbers >= 0"),
                        ({"classes": ["a", "b"], "class_counts": [1]}, "2 classes but 1 class counts")):
        with pytest.raises(ModelError, match=needle):
            ModelCard.from_json(json.dumps(base | bad))


# crawl-sprites' images per folder at --label-depth 2 ("mon": the monsters right under mon/), before de-duplication
CRAWL_FOLDERS = {
    "item/amulet": 40, "item/armour": 128, "item/book": 31, "item/food": 20, "item/gold": 13, "item/misc": 49,
    "item/potion": 44, "item/ring": 24, "item/rod": 15, "item/scroll": 27, "item/staff": 22, "item/wand": 31,
    "item/weapon": 146, "mon": 91, "mon/aberr": 1, "mon/abyss": 5, "mon/amorphous": 4, "mon/animals": 65,
    "mon/aquatic": 5, "mon/demons": 40, "mon/demonspawn": 9, "mon/draco": 11, "mon/dragons": 10, "mon/eyes": 5,
    "mon/fungi_plants": 9, "mon/holy": 5, "mon/nonliving": 41, "mon/panlord": 42, "mon/spriggan": 5,
    "mon/sprint": 4, "mon/statues": 26, "mon/tentacles": 87, "mon/undead": 88, "mon/unique": 82, "mon/vault": 20}


def test_crawl_label_map_leaves_12_to_20_classes_of_20_or_more():
    path = ROOT / "assets" / "labels" / "crawl-sprites-classes.json"
    files = [f"{folder}/{i}.png" for folder, n in CRAWL_FOLDERS.items() for i in range(n)]
    labels = resolve_labels(files, "/x", "folders", json.loads(path.read_text())["depth"], str(path))
    assert 12 <= len(labels.classes) <= 20 and min(labels.counts) >= 20 and (labels.index >= 0).all()


def test_class_blends_match_torch_and_end_at_each_class(cond_run):
    from assetgan.runtime.classes import blend_weights

    state = load_checkpoint(cond_run)
    g, cfg = generator_from_checkpoint(state)
    m = open_model(cond_run / "model.onnx")
    assert m.blend_problem == ""
    z = np.repeat(np.random.default_rng(5).standard_normal((1, cfg.nz)).astype(np.float32), 6, axis=0)
    w = blend_weights(0, 1, 2, 6)  # [6, 2]: item -> mon
    with torch.no_grad():
        want = ((g(torch.from_numpy(z), torch.from_numpy(w)) + 1) * 127.5).round().clamp(0, 255)
        by_id = g(torch.from_numpy(z[:1]), torch.tensor([1]))
        assert torch.allclose(g(torch.from_numpy(z[:1]), torch.from_numpy(w[-1:])), by_id, atol=1e-6)
    got = m.run(z, class_mix=w)
    assert np.abs(got.astype(np.int16) - want.permute(0, 2, 3, 1).numpy().astype(np.int16)).max() <= 1
    assert np.array_equal(got[0], m.run(z[:1], np.array([0]))[0])
    assert np.array_equal(got[-1], m.run(z[:1], np.array([1]))[0])


def test_the_card_records_what_the_training_data_looks_like(cond_run):
    """The sample sprites: mostly binary alpha, few colours each, not palette-like for 32 colours of the whole set;
    so the clean-output defaults are an alpha threshold and a per-image colour limit."""
    from assetgan.data.dataset import load_training_images
    from assetgan.data.look import data_look
    from assetgan.render.palette import learn_palette
    from assetgan.runtime.clean import clean_output

    card = open_model(cond_run / "model.onnx").card
    images = load_training_images(SPRITES, 32, 4).images
    look = data_look(images, learn_palette(images, 32))
    assert (card.data_binary_alpha, card.data_colours, card.data_palette_psnr) == \
        (look["binary_alpha"], look["colours"], look["palette_psnr"])
    assert card.data_colours > 0 and 0 < card.data_palette_psnr < 99
    clean = clean_output(card)
    assert clean.alpha_threshold == (128 if card.data_binary_alpha >= 0.5 else None)
