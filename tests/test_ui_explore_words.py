"""Explore and the Library in an artist's words: plain labels, technical terms in tooltips, thumbnails of what each
main direction changes, and model cards that name their data and licence instead of paths. No torch."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from assetgan.runtime.card import ModelCard
from ui.card_words import data_label, folder_name, quality_details, quality_sentence

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QGroupBox  # noqa: E402

from tests.test_ui_app import idle, start  # noqa: E402

CARD = ModelCard(kind="dcgan", name="x", size=32, channels=4, nz=8, data_source="../shared/datasets/crawl-sprites",
                 data_licence="CC0 1.0 (Dungeon Crawl Stone Soup tiles)")


def figures(**f: float) -> dict:
    return {"evaluate": {"figures": f, "measured": "2026-11-25", "n_generated": 1000}}


def test_data_is_named_with_its_licence_never_a_path():
    assert data_label(CARD) == "Dungeon Crawl Stone Soup tiles — CC0 1.0"
    mine = dataclasses.replace(CARD, data_source="/home/ann/art/my-knights/data", data_licence="CC-BY 4.0")
    assert data_label(mine) == "My knights data — CC-BY 4.0"
    assert folder_name("C:\\art\\castle_walls") == "Castle walls"
    style = dataclasses.replace(CARD, kind="cyclegan", data_source="A (photo): /d/m2p/photo; B (monet): /d/m2p/monet",
                                data_licence="A: CC0 1.0; B: public domain (Claude Monet paintings)")
    assert data_label(style) == "photo: M2p photo — CC0 1.0; monet: Claude Monet paintings — public domain"
    for card in (CARD, mine, style):
        assert "/" not in data_label(card) and "\\" not in data_label(card)


def test_quality_is_a_sentence_with_its_figure_and_details_on_demand():
    good = dataclasses.replace(CARD, metrics=figures(c2st_accuracy=0.71, nn_ratio_generated_heldout=1.2))
    assert quality_sentence(good) == ("Good: hard to tell from its training sprites (C2ST 0.71); makes new designs, "
                                      "not copies.")
    rough = dataclasses.replace(CARD, tileable=True,
                                metrics=figures(c2st_accuracy=0.95, nn_ratio_generated_heldout=0.5))
    assert quality_sentence(rough).startswith("Rough: easy to tell from its training textures (C2ST 0.95)")
    assert "close copies" in quality_sentence(rough)
    assert "0.5 = never" in quality_details(good) and "memorisation" in quality_details(good)
    assert quality_sentence(CARD) == "Quality not measured yet." and "assetgan evaluate" in quality_details(CARD)


def test_library_shows_a_sentence_and_no_dataset_path(qtbot, alerts):
    w = start(qtbot)
    lib = w.library_tab
    lib.select_name("crawl-sprites-32")
    card = lib.selected().card
    assert lib.trained_on.text() == "Dungeon Crawl Stone Soup tiles — CC0 1.0"
    c2st = card.metrics["evaluate"]["figures"]["c2st_accuracy"]
    assert lib.quality.text() == quality_sentence(card) and f"training sprites (C2ST {c2st:.2f})" in lib.quality.text()
    assert "C2ST" in lib.quality.toolTip() and not lib.details.isVisibleTo(lib)
    lib.details_button.setChecked(True)
    assert lib.details.isVisibleTo(lib)
    texts = [lib.makes.text(), lib.trained_on.text(), lib.quality.text()]
    for form in (lib.about, lib.form):
        texts += [form.itemAt(i, form.ItemRole.FieldRole).widget().text() for i in range(form.rowCount())]
    source = card.data_source
    texts = [functools.reduce(lambda t, c: t.replace(c, ""), card.classes, t) for t in texts]  # "item/potion"
    assert "/" in source and not any(source in t or "datasets" in t or "/" in t or "\\" in t for t in texts), texts
    assert not alerts


def test_explore_speaks_plainly_and_shows_what_each_direction_changes(qtbot, alerts, tiny_model):
    from ui.explore import direction_strips
    from ui.library import LibraryModel, read_model_card

    w = start(qtbot)
    assert w.ctl.use_model(LibraryModel("tiny", tiny_model, "user", read_model_card(tiny_model)))
    w.ctl.generate(3, 0, 1.0)
    idle(qtbot, w)
    e, m = w.explore_tab, w.ctl.model
    boxes = {b.title(): b.toolTip() for b in e.findChildren(QGroupBox)}
    assert "z[k]" in boxes["Walk one input number"] and "interpolation" in boxes["Blend two favourites"]
    assert "principal components" in boxes["Main directions of change"]
    assert "z" not in e.walk_button.text() and "slerp" not in e.slerp_button.text()
    assert "slerp" in e.slerp_button.toolTip()
    assert not e.class_pick.isVisible() and not e.morph_box.isVisible()  # an unconditional model
    src = w.ctl.session.items[0].name
    w.ctl.explore_requested.emit(src)
    e.compute_directions()
    idle(qtbot, w, 60000)
    names = [e.dirs.grid.itemAtPosition(2 * i, 0).widget() for i in range(6)]
    assert names[0].text() == "Direction 1: biggest change" and names[1].text() == "Direction 2: second biggest"
    assert "Principal component PC1" in names[0].toolTip() and "PC" not in names[0].text()
    assert [e.pc_choice.itemText(i) for i in range(2)] == ["Direction 1", "Direction 2"]
    strips = e.direction_strips
    assert len(strips) == 6 and all(len(s.images) == 5 and all(x is not None for x in s.images) for s in strips)
    want = m.run(direction_strips(e.source_z(), e.directions.directions, e.directions.sigmas, 5))  # [30, H, W, C]
    for i, s in enumerate(strips):
        assert all(np.array_equal(img, want[5 * i + j]) for j, img in enumerate(s.images))
        assert not np.array_equal(s.images[0], s.images[-1])  # each direction changes the image
    assert np.array_equal(strips[0].images[2], w.ctl.store.images[src])  # the middle one is the item itself
    w.ctl.explore_requested.emit(w.ctl.session.items[1].name)
    idle(qtbot, w)
    assert not np.array_equal(strips[0].images[2], want[2])
    w.ctl.explore_requested.emit(src)  # back to the first item: its strips come from the cache, nothing renders
    assert e.dirs.strips_job is None and all(np.array_equal(a, b) for a, b in zip(strips[0].images, want[:5]))
    assert not alerts
