"""ONNX export and the torch-free runtime: card, parity, providers, latents, chunking, refusals."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from assetgan.core.errors import AssetganError, ModelError
from assetgan.runtime import latents_for_seeds, open_model, seed_latent
from assetgan.runtime.card import CARD_KEY
from assetgan.runtime.latent import check_truncation, item_latent, latent_size_problem
from assetgan.runtime.providers import candidate_providers, parse_device


def test_exported_model_has_card_and_dynamic_batch(tiny_model):
    m = open_model(tiny_model)
    assert m.card.kind == "dcgan" and m.card.nz == 16 and m.card.size == 32 and m.card.channels == 4
    assert m.card.data_licence == "CC0 1.0" and m.card.steps == 20
    assert m.card.training_config["ngf"] == 8
    for n in (1, 5, 64):
        out = m.run(latents_for_seeds(range(n), 16))
        assert out.shape == (n, 32, 32, 4) and out.dtype == np.uint8
    model = onnx.load(str(tiny_model))
    keys = {p.key for p in model.metadata_props}
    assert CARD_KEY in keys and "assetgan.version" in keys
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.UINT8


def test_parity_with_torch_within_one_level(tiny_run):
    import torch

    from assetgan.train.checkpoint import load_checkpoint
    from assetgan.train.onnx_export import ToUint8NHWC, generator_from_checkpoint

    g, _ = generator_from_checkpoint(load_checkpoint(tiny_run))
    z = latents_for_seeds(range(16), 16)
    with torch.no_grad():
        ref = ToUint8NHWC(g)(torch.from_numpy(z)).numpy().astype(int)
    got = open_model(tiny_run / "model.onnx").run(z).astype(int)
    assert np.abs(ref - got).max() <= 1


def test_export_refuses_when_parity_fails(tiny_run, tmp_path, monkeypatch):
    from assetgan.train import onnx_export
    from assetgan.train.checkpoint import load_checkpoint

    state = load_checkpoint(tiny_run)
    g, cfg = onnx_export.generator_from_checkpoint(state)
    card = onnx_export.build_card(cfg, state, "x")
    real = onnx_export.ToUint8NHWC.forward

    def off_by_three(self, z):
        return (real(self, z).int() + 3).clamp(0, 255).to(dtype=real(self, z).dtype)

    # Export the true graph (traced before the patch), but compare against a reference 3 levels off.
    true_proto = onnx_export._to_onnx(onnx_export.ToUint8NHWC(g).eval(), card, False)
    monkeypatch.setattr(onnx_export, "_to_onnx", lambda w, c, with_critic: true_proto)
    monkeypatch.setattr(onnx_export.ToUint8NHWC, "forward", off_by_three)
    with pytest.raises(AssetganError, match="up to 3 levels"):
        onnx_export.export_generator(g, card, tmp_path / "bad.onnx")
    assert not (tmp_path / "bad.onnx").exists()


def test_seed_latent_is_pinned_to_pcg64():
    z = seed_latent(0, 4)
    expected = np.random.Generator(np.random.PCG64(0)).standard_normal(4).astype(np.float32)
    assert np.array_equal(z, expected)
    assert np.allclose(z, [0.12573022, -0.13210486, 0.64042264, 0.10490011], atol=1e-7)
    assert np.allclose(seed_latent(0, 4, 0.5), z * 0.5)
    batch = latents_for_seeds([7, 3], 4)
    assert np.array_equal(batch[1], seed_latent(3, 4))
    with pytest.raises(AssetganError, match="truncation 0.0"):
        check_truncation(0.0)
    assert check_truncation(2.0) == 2.0


def test_item_latent_is_its_z_or_its_seed_at_its_own_or_the_default_truncation():
    from assetgan.export.collection import Item

    assert np.array_equal(item_latent(Item("a", seed=5, truncation=0.7), 8, 1.0), seed_latent(5, 8, 0.7))
    assert np.array_equal(item_latent(Item("b", seed=5), 8, 0.5), seed_latent(5, 8, 0.5))
    z = item_latent(Item("c", z=[1.0, 2.0]), 2, 1.0)
    assert z.dtype == np.float32 and z.tolist() == [1.0, 2.0]
    assert latent_size_problem(Item("c", z=[1.0, 2.0]), 8) == "item 'c': z has 2 values, the model expects 8"
    assert latent_size_problem(Item("c", z=[1.0, 2.0]), 2) == latent_size_problem(Item("d", seed=1), 8) == ""


def test_chunked_generation_matches_one_call(tiny_model):
    m = open_model(tiny_model)
    z = latents_for_seeds(range(10), 16)
    whole = m.run(z)
    parts = list(m.generate_chunks(iter(range(10)), lambda i: z[i], chunk=3))  # a lazy iterable is fine
    assert [keys for keys, _ in parts] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert np.array_equal(whole, np.concatenate([images for _, images in parts]))
    assert np.array_equal(m.generate_seeds(range(10), 1.0, chunk=4), whole)
    with pytest.raises(AssetganError, match="truncation 3"):
        m.generate_seeds(range(2), 3)


def test_generate_chunks_reports_progress_and_stops_when_aborted(tiny_model):
    m = open_model(tiny_model)

    class Stop:
        def __init__(self, after):
            self.after, self.calls = after, []

        def update(self, done, total, metrics=None):
            self.calls.append((done, total, sorted(metrics or {})))

        def aborted(self):
            return len(self.calls) > self.after

    p = Stop(2)
    got = [keys for keys, _ in m.generate_chunks(range(10), lambda s: seed_latent(s, 16), 4, p)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7]]  # no third chunk once aborted
    assert p.calls == [(0, 10, []), (4, 10, ["seconds"]), (8, 10, ["seconds"])]


def test_sampling_defaults_come_from_the_card(tiny_model):
    import dataclasses

    m = open_model(tiny_model)
    m.card = dataclasses.replace(m.card, default_truncation=0.7, default_keep=0.8)
    assert m.sampling() == (0.7, 0.8) and m.sampling(1.5, 0.5) == (1.5, 0.5)
    assert np.array_equal(m.generate_seeds([3]), m.generate_seeds([3], 0.7))


def test_provider_choice_and_report(tiny_model):
    assert candidate_providers(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert candidate_providers(["CUDAExecutionProvider", "CPUExecutionProvider", "TensorrtExecutionProvider"]) == [
        "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert parse_device("cpu") == ["CPUExecutionProvider"]
    with pytest.raises(AssetganError, match="--device tpu"):
        parse_device("tpu")
    m = open_model(tiny_model, parse_device("cpu"))
    assert m.provider == "CPUExecutionProvider" and m.device == "CPU"
    auto = open_model(tiny_model)
    assert auto.provider in ("CUDAExecutionProvider", "CPUExecutionProvider")
    if auto.provider == "CPUExecutionProvider":
        import onnxruntime as ort

        if "CUDAExecutionProvider" in ort.get_available_providers():
            assert "CUDA" in auto.provider_note


def test_refuses_non_onnx_and_foreign_onnx(tmp_path):
    png = tmp_path / "model.onnx"
    png.write_bytes(b"\x89PNG\r\n\x1a\nnot a model")
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        open_model(png)
    with pytest.raises(ModelError, match="not found"):
        open_model(tmp_path / "missing.onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Identity", ["z"], ["image"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 2])])
    foreign = tmp_path / "foreign.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), str(foreign))
    with pytest.raises(ModelError, match="without assetgan metadata"):
        open_model(foreign)


def test_refuses_a_model_of_another_kind(tiny_model, tiny_style_model, tmp_path):
    from assetgan.runtime.stylize import open_style_model

    with pytest.raises(ModelError, match="is a cyclegan model, not dcgan; use `assetgan stylize`"):
        open_model(tiny_style_model)
    with pytest.raises(ModelError, match="is a dcgan model, not a style-transfer .*generate"):
        open_style_model(tiny_model)
    model = onnx.load(str(tiny_model))  # a card that lies about its graph: the graph check speaks first
    for p in model.metadata_props:
        if p.key == CARD_KEY:
            p.value = p.value.replace('"kind": "dcgan"', '"kind": "cyclegan"')
    other = tmp_path / "cycle.onnx"
    onnx.save(model, str(other))
    with pytest.raises(ModelError, match="graph has no input 'a2b.image'"):
        open_model(other)


def test_critic_in_the_file_scores_like_torch_and_is_not_run_when_generating(tiny_run):
    import torch

    from assetgan.train import onnx_export
    from assetgan.train.checkpoint import load_checkpoint

    m = open_model(tiny_run / "model.onnx")  # the run's own export, made from the checkpoint compared below
    assert m.card.critic
    imgs = m.generate_seeds(range(12))
    d = onnx_export.critic_from_checkpoint(load_checkpoint(tiny_run))
    with torch.no_grad():
        want = onnx_export.CriticOnUint8(d)(torch.from_numpy(imgs)).numpy()
    got = m.score(imgs)
    assert got.shape == (12,)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
    assert np.ptp(got) > 0  # a real discriminator tells these apart a little
    # the critic's input has a default: generating needs only z, and gives what a critic-free export gives
    g, cfg = onnx_export.generator_from_checkpoint(load_checkpoint(tiny_run))
    with torch.no_grad():
        ref = onnx_export.ToUint8NHWC(g)(torch.from_numpy(latents_for_seeds(range(12), cfg.nz))).numpy()
    assert np.abs(ref.astype(int) - imgs.astype(int)).max() <= 1
    with pytest.raises(ModelError, match="scores uint8"):
        m.score(imgs[..., :3])


def test_model_without_critic_refuses_to_score(tiny_run, tmp_path):
    from assetgan.train import onnx_export
    from assetgan.train.checkpoint import load_checkpoint

    state = load_checkpoint(tiny_run)
    g, cfg = onnx_export.generator_from_checkpoint(state)
    onnx_export.export_generator(g, onnx_export.build_card(cfg, state, "x"), tmp_path / "plain.onnx")
    m = open_model(tmp_path / "plain.onnx")
    assert not m.card.critic
    with pytest.raises(ModelError, match="has no critic"):
        m.score(np.zeros((1, cfg.size, cfg.size, cfg.channels), np.uint8))


def test_best_seeds_ranks_candidates_and_keep_one_is_a_plain_range(tiny_model):
    from assetgan.runtime.curate import best_seeds, candidate_count, rank_seeds

    m = open_model(tiny_model)
    assert best_seeds(m, 10, 5, 1.0, 1.0) == [10, 11, 12, 13, 14]
    assert candidate_count(5, 0.5) == 10 and candidate_count(3, 0.3) == 10 and candidate_count(7, 0.7) == 10
    seen = []
    kept = best_seeds(m, 10, 5, 0.5, 1.0, chunk=4, progress=lambda d, n: seen.append((d, n)))
    scores = m.score(m.generate_seeds(range(10, 20), 1.0))
    assert kept == sorted(10 + i for i in np.argsort(-scores, kind="stable")[:5])
    assert seen == [(4, 10), (8, 10), (10, 10)]
    assert rank_seeds(m, 10, 5, 0.5, 1.0, chunk=3) == kept  # the unchecked core best_seeds calls
    for bad in (0.0, -1.0, 1.01, float("nan")):
        with pytest.raises(AssetganError, match="--keep-best"):
            best_seeds(m, 0, 5, bad, 1.0)
    with pytest.raises(AssetganError, match="truncation 0"):
        best_seeds(m, 0, 5, 0.5, 0)
