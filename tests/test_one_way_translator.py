"""One-way translators (cut) in the torch-free runtime and app logic: the graph check asks only for a2b, the model
says which directions it holds, b2a is one line, and the Stylize tab and library offer and describe one way."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assetgan.core.errors import AssetganError, ModelError
from assetgan.runtime.card import KINDS, TRANSLATOR_KINDS, ModelCard
from assetgan.runtime.model import check_graph
from assetgan.runtime.stylize import StyleModel, open_style_model
from ui import stylize_logic as logic
from ui.card_words import makes
from ui.library import LibraryModel, card_rows


def _card(kind: str) -> ModelCard:
    return ModelCard(kind=kind, name="m", size=64, channels=3, domains=["photo", "monet"], pad_multiple=8)


def _session(directions: tuple[str, ...]) -> SimpleNamespace:
    """A stand-in for an ONNX Runtime session whose graph holds `directions` of the translator interface."""
    def node(name: str, dtype: str, shape: list | None) -> SimpleNamespace:
        return SimpleNamespace(name=name, type=dtype, shape=shape)

    ins = [n for d in directions for n in (node(f"{d}.image", "tensor(uint8)", [1, "h", "w", 3]),
                                          node(f"{d}.stats", "tensor(float)", [100]),
                                          node(f"{d}.weight", "tensor(float)", [1]))]
    outs = [n for d in directions for n in (node(f"{d}.output", "tensor(uint8)", [1, "h", "w", 3]),
                                           node(f"{d}.measured", "tensor(float)", [100]))]
    return SimpleNamespace(get_inputs=lambda: ins, get_overridable_initializers=lambda: [], get_outputs=lambda: outs)


def test_translator_kinds_are_one_constant():
    assert TRANSLATOR_KINDS == ("cyclegan", "cut") and set(TRANSLATOR_KINDS) < set(KINDS)
    assert _card("cut").directions == ("a2b",) and _card("cyclegan").directions == ("a2b", "b2a")
    assert _card("dcgan").directions == ()
    assert _card("cut").summary().startswith("cut photo -> monet, one way, any size (trained on 64px crops)")
    assert ModelCard.from_json(_card("cut").to_json()).kind == "cut"


def test_graph_check_asks_a_cut_model_for_a2b_only():
    check_graph(_session(("a2b",)), _card("cut"), Path("m.onnx"))
    check_graph(_session(("a2b", "b2a")), _card("cut"), Path("m.onnx"))
    with pytest.raises(ModelError, match="no input 'b2a.image' although its card says cyclegan"):
        check_graph(_session(("a2b",)), _card("cyclegan"), Path("m.onnx"))
    with pytest.raises(ModelError, match="no input 'a2b.image' although its card says cut"):
        check_graph(_session(("b2a",)), _card("cut"), Path("m.onnx"))


@pytest.fixture(scope="module")
def one_way(tiny_style_model) -> StyleModel:
    """The committed tiny CycleGAN with a cut card: the same a2b graph, one way."""
    m = open_style_model(tiny_style_model, ["CPUExecutionProvider"])
    return dataclasses.replace(m, card=dataclasses.replace(m.card, kind="cut"))


def test_a_one_way_model_stylizes_a2b_and_refuses_b2a(one_way, tiny_style_model):
    both = open_style_model(tiny_style_model, ["CPUExecutionProvider"])
    assert one_way.directions == ("a2b",) and both.directions == ("a2b", "b2a")
    rgb = np.random.default_rng(1).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    assert np.array_equal(one_way.stylize(rgb, "a2b"), both.stylize(rgb, "a2b"))
    for call in (lambda: one_way.stylize(rgb, "b2a"), lambda: one_way.measure_stats(rgb, "b2a")):
        with pytest.raises(AssetganError, match=r"^--direction b2a: tiny-style.onnx is a one-way cut model, it "
                                                r"translates A -> B \(texture -> sprite\) only"):
            call()
    with pytest.raises(AssetganError, match="must be a2b or b2a"):
        one_way.check_direction("sideways")


def test_the_app_offers_and_describes_one_way():
    cut, cyc = _card("cut"), _card("cyclegan")
    assert logic.direction_choices(cut) == [("a2b", "photo → monet")]
    assert logic.direction_choices(cyc) == [("a2b", "photo → monet"), ("b2a", "monet → photo")]
    lib = [LibraryModel(k, Path(f"/m/{k}.onnx"), "user", _card(k)) for k in ("dcgan", "cut", "cyclegan")]
    assert [m.name for m in logic.style_models(lib)] == ["cut", "cyclegan"]
    assert [m.stylable for m in lib] == [False, True, True]
    rows = dict(card_rows(cut))
    assert rows["kind"] == "cut (style transfer, one way)" and rows["domains"] == "photo → monet"
    assert makes(cut) == "restyles pictures: photo → monet, any size"
    assert makes(cyc) == "restyles pictures: photo ↔ monet, any size"
