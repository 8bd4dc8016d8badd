"""The exported translator's lean form (assetgan.train.onnx_lean: thin convolutions rewritten, a fixed-statistics
entry for tiles) computes what the plain graph computes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from assetgan.train.onnx_branches import add_fixed_entry, drop_fixed_entries  # noqa: E402
from assetgan.train.onnx_lean import make_lean, rewrite_file  # noqa: E402
from assetgan.train.onnx_thin_convs import named_weights, split_thin_convs  # noqa: E402


def _graph(convs: list[tuple[int, int, int, dict]], cin: int = 8, side: int = 20):
    """A chain of convolutions (C_out, k, seed, attributes) on a float input [1, cin, side, side + 3]."""
    nodes, inits, c, x = [], [], cin, "x"
    for i, (cout, k, seed, attrs) in enumerate(convs):
        rng = np.random.default_rng(seed)
        groups = attrs.get("group", 1)
        w = rng.normal(0, 0.3, (cout, c // groups, k, k)).astype(np.float32)
        b = rng.normal(0, 0.3, cout).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"y{i}"], name=f"/net/{i}/Conv",
                                      kernel_shape=[k, k], **attrs))
        c, x = cout, f"y{i}"
    nodes.append(helper.make_node("Tanh", [x], ["out"]))
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, side, side + 3])],
                          [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def _run(proto, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


def test_thin_convolutions_are_rewritten_and_compute_the_same():
    """A 7x7 and an asymmetric-padded 3x3 convolution with 3 outputs are rewritten; wide, strided and grouped ones
    and 1x1 ones are left as they are; the outputs agree to float rounding."""
    proto = _graph([(16, 3, 1, {"pads": [1, 1, 1, 1]}),            # wide: kept
                    (16, 3, 2, {"pads": [1, 1, 1, 1], "strides": [2, 2]}),  # strided: kept
                    (16, 3, 3, {"pads": [1, 1, 1, 1], "group": 2}),  # grouped: kept
                    (3, 7, 4, {"pads": [3, 2, 3, 4]}),               # thin 7x7, uneven padding: rewritten
                    (4, 1, 5, {}),                                   # 1x1: kept
                    (3, 3, 6, {"pads": [0, 1, 2, 1]})])              # thin 3x3: rewritten
    x = np.random.default_rng(0).normal(0, 1, (1, 8, 20, 23)).astype(np.float32)
    before = _run(proto, x)
    original = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    assert split_thin_convs(proto) == 2
    after = _run(proto, x)
    assert after.shape == before.shape
    assert np.abs(after - before).max() < 1e-5
    ops = [(n.name, n.op_type) for n in proto.graph.node]
    assert ("/net/3/Conv_rows", "Conv") in ops and ("/net/5/Conv_rows", "Conv") in ops
    assert "w3" not in {i.name for i in proto.graph.initializer}  # the original weight is gone from the file ...
    back = named_weights(proto)  # ... and read back under its name
    for name in ("w3", "w5", "w0", "b3"):
        assert np.array_equal(back[name], original[name])
    assert split_thin_convs(proto) == 0  # a rewritten graph has nothing left to rewrite


def test_the_shipped_style_model_is_in_the_lean_form():
    from pathlib import Path

    proto = onnx.load(str(Path(__file__).resolve().parents[1] / "trained" / "monet.onnx"))
    names = {n.name for n in proto.graph.node}
    assert {"/a2b/g/g/net/net.20/Conv_rows", "/a2b/g/g/refine/refine.2/Conv_rows"} <= names
    assert "a2b.fixed.output" in {o.name for o in proto.graph.output}
    assert make_lean(proto) == (0, False)  # nothing left to do


def _session(proto):
    import onnxruntime as ort

    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def test_the_fixed_statistics_entry_gives_the_same_pixels_and_can_be_dropped(tiny_style_model):
    proto = onnx.load(str(tiny_style_model))
    plain_nodes = len(proto.graph.node)
    assert add_fixed_entry(proto) and not add_fixed_entry(proto)  # added once
    assert "b2a.fixed.output" not in {o.name for o in proto.graph.output}  # the default direction only
    sess = _session(proto)
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (1, 40, 56, 3), dtype=np.uint8)
    other = rng.integers(0, 256, (1, 64, 48, 3), dtype=np.uint8)
    stats = sess.run(["a2b.measured"], {"a2b.image": other})[0]
    want = sess.run(["a2b.output"], {"a2b.image": img, "a2b.stats": stats, "a2b.weight": np.ones(1, np.float32)})[0]
    got = sess.run(["a2b.fixed.output"], {"a2b.fixed.image": img, "a2b.stats": stats})[0]
    assert np.array_equal(got, want)
    # the entry does not change the other calls, and unfed it runs on its small default
    assert np.array_equal(sess.run(["a2b.output"], {"a2b.image": img})[0],
                          _session(onnx.load(str(tiny_style_model))).run(["a2b.output"], {"a2b.image": img})[0])
    drop_fixed_entries(proto)
    assert len(proto.graph.node) == plain_nodes
    assert "a2b.fixed.image" not in {i.name for i in proto.graph.input}


def test_rewriting_a_file_keeps_its_card_and_its_pixels_whole_and_tiled(tmp_path, tiny_style_model):
    from assetgan.runtime.model import read_card
    from assetgan.runtime.stylize import open_style_model

    src = tmp_path / "in.onnx"
    shutil.copy(tiny_style_model, src)
    out = tmp_path / "out.onnx"
    # the output layer and the refinement head's last layer in both directions, and the a2b entry
    assert rewrite_file(src, out) == "4 thin convolution(s) rewritten, a fixed-statistics entry for a2b added"
    before, after = read_card(src), read_card(out)
    assert after.notes == f"{before.notes}; lean form: 4 thin convolution(s) rewritten, a fixed-statistics entry for " \
                          "a2b added"
    assert dataclasses.replace(after, notes=before.notes) == before
    img = np.random.default_rng(1).integers(0, 256, (72, 104, 3), dtype=np.uint8)
    plain, lean = (open_style_model(p, ["CPUExecutionProvider"]) for p in (src, out))
    for direction in ("a2b", "b2a"):
        for tile in (None, 64):  # whole image, and tiles with the statistics of the whole (the lean entry)
            a = plain.stylize(img, direction, tile=tile)
            b = lean.stylize(img, direction, tile=tile)
            assert np.abs(a.astype(int) - b.astype(int)).max() <= 1

    class Recorder:  # which outputs the runtime asks the lean file for
        def __init__(self, sess):
            self.sess, self.asked = sess, []

        def run(self, names, feeds, options=None):
            self.asked += names
            return self.sess.run(names, feeds, options)

        def get_outputs(self):
            return self.sess.get_outputs()

    lean._sess = Recorder(lean._sess)
    lean.stylize(img, "a2b", tile=64)
    assert "a2b.fixed.output" in lean._sess.asked and lean._sess.asked.count("a2b.output") == 1  # the stats pass


def test_the_command_refuses_to_replace_a_file_and_names_a_bad_one(tmp_path, tiny_style_model):
    out = tmp_path / "out.onnx"
    out.write_bytes(b"keep me")
    cmd = [sys.executable, "-m", "assetgan.train.onnx_lean"]
    res = subprocess.run(cmd + [str(tiny_style_model), str(out)], capture_output=True, text=True)
    assert res.returncode == 2 and "already exists" in res.stderr and out.read_bytes() == b"keep me"
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    res = subprocess.run(cmd + [str(bad), str(tmp_path / "new.onnx")], capture_output=True, text=True)
    assert res.returncode == 2 and "bad.onnx" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "new.onnx").exists()


def test_an_export_is_in_the_lean_form(tiny_cyclegan_run):
    """Export applies both rewrites (its parity check covers the fixed-statistics entry)."""
    proto = onnx.load(str(tiny_cyclegan_run / "model.onnx"))
    assert any(n.name.endswith("Conv_rows") for n in proto.graph.node)
    assert "a2b.fixed.output" in {o.name for o in proto.graph.output}
