"""Rewriting a model's card keeps the graph and every other metadata entry (e.g. how the file was quantised)."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from assetgan.runtime.card import CARD_KEY
from assetgan.runtime.card_io import rewrite_card
from assetgan.runtime.model import read_card

onnx = pytest.importorskip("onnx")


def test_rewrite_card_keeps_the_graph_and_other_metadata(tiny_style_model, tmp_path):
    path = tmp_path / "m.onnx"
    shutil.copy(tiny_style_model, path)
    proto = onnx.load(str(path))
    onnx.helper.set_model_props(proto, {**{p.key: p.value for p in proto.metadata_props},
                                        "assetgan.quantization": '{"method": "static QDQ"}'})
    onnx.save(proto, str(path))
    graph = onnx.load(str(path)).graph.SerializeToString()
    card = read_card(path)
    rewrite_card(path, dataclasses.replace(card, notes="remeasured"))
    after = onnx.load(str(path))
    props = {p.key: p.value for p in after.metadata_props}
    assert props["assetgan.quantization"] == '{"method": "static QDQ"}'
    assert read_card(path).notes == "remeasured" and list(props).count(CARD_KEY) == 1
    assert after.graph.SerializeToString() == graph
