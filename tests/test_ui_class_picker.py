"""The desktop app's class picker: a batch deals the chosen classes like `assetgan generate --class A --class B`, the
Generate grid groups it by class, the choice is kept in the session, and Curate filters by class."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_ui_app import idle, start  # noqa: E402
from tests.test_ui_conditional import expected, use_cond  # noqa: E402

POTION, ORC = "item/potion", "mon/orc"


def generate(qtbot, w, count: int, seed: int, keep: int = 100) -> None:
    g = w.generate_tab
    g.count.setValue(count)
    g.seed.setValue(seed)
    g.truncation.setValue(1.0)
    g.keep.setValue(keep)
    qtbot.mouseClick(g.generate_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)


def test_chosen_classes_deal_round_robin_like_the_cli_and_group_the_grid(qtbot, alerts, tiny_cond_model,
                                                                         tmp_path):
    from typer.testing import CliRunner

    from assetgan.cli.main import app
    from ui.export_plan import run_export

    w = use_cond(qtbot, tiny_cond_model)
    g = w.generate_tab
    assert g.class_box.isVisibleTo(g) and g.classes.text().strip() == "All classes"
    rows = [g.classes.list.item(r) for r in range(g.classes.list.count())]
    assert [r.text() for r in rows] == ["All classes", "potion", "item/ring", "orc", "mon/ring"]  # ring is ambiguous
    assert rows[1].toolTip() == POTION
    g.classes.set_chosen([ORC, POTION])
    assert g.classes.text().strip() == "potion, orc" and rows[0].checkState() == Qt.CheckState.PartiallyChecked
    generate(qtbot, w, 6, 3)
    assert not alerts
    s, m = w.ctl.session, w.ctl.model
    want = [POTION, ORC] * 3  # seed 3 + i takes the i-th chosen class mod 2, card order
    assert [(it.seed, it.class_name) for it in s.items] == list(zip(range(3, 9), want))
    for it in s.items:
        assert np.array_equal(w.ctl.store.images[it.name], expected(m, it.seed, it.class_name)), it.name
    by_name = {it.name: it for it in s.items}
    shown = [by_name[n] for n in g.grid.names()]  # grouped: potions (by seed), then orcs
    assert [(it.class_name, it.seed) for it in shown] == [(POTION, 3), (POTION, 5), (POTION, 7), (ORC, 4), (ORC, 6),
                                                          (ORC, 8)]
    row = g.grid._rows[shown[-1].name]
    assert "\norc" in row.text() and "class mon/orc" in row.toolTip()
    tinted = [g.grid._rows[it.name].data(Qt.ItemDataRole.BackgroundRole) is not None for it in shown]
    assert tinted == [False] * 3 + [True] * 3  # every other class group on a faint background

    # exactly what `assetgan generate --class potion --class orc` writes for the same seeds
    app_out, cli_out = tmp_path / "app-out", tmp_path / "cli-out"
    run_export(s, app_out)
    res = CliRunner().invoke(app, ["generate", str(tiny_cond_model), "--count", "6", "--seed", "3", "--class",
                                   "potion", "--class", "orc", "--truncation", "1.0", "--keep-best", "1", "--out",
                                   str(cli_out)])
    assert res.exit_code == 0, res.output
    for it in s.items:
        (b,) = cli_out.glob(f"*_{it.seed:06d}.png")
        assert (app_out / f"{it.name}.png").read_bytes() == b.read_bytes(), it.name


def test_keep_best_ranks_within_the_chosen_classes_like_the_cli(qtbot, alerts, tiny_cond_model):
    from assetgan.runtime.curate import rank_seeds
    from assetgan.runtime.model import open_model

    w = use_cond(qtbot, tiny_cond_model)
    w.generate_tab.classes.set_chosen(["item/ring", "mon/ring"])
    generate(qtbot, w, 6, 20, keep=50)
    assert not alerts
    chosen = rank_seeds(open_model(tiny_cond_model), 20, 6, 0.5, 1.0, classes=[1, 3])
    items = w.ctl.session.items
    assert [it.seed for it in items] == chosen
    assert [it.class_name for it in items] == [["item/ring", "mon/ring"][(sd - 20) % 2] for sd in chosen]
    for it in items:
        assert np.array_equal(w.ctl.store.images[it.name], expected(w.ctl.model, it.seed, it.class_name)), it.name


def test_no_class_chosen_disables_generate_with_a_hint(qtbot, alerts, tiny_cond_model):
    w = use_cond(qtbot, tiny_cond_model)
    g = w.generate_tab
    g.classes.list.item(0).setCheckState(Qt.CheckState.Unchecked)  # the user unticks "All classes"
    assert g.classes.chosen() == [] and g.classes.text().strip() == "No class"
    assert not g.generate_button.isEnabled() and g.class_hint.isVisibleTo(g) and "class" in g.generate_button.toolTip()
    assert w.ctl.generate(4, 0, 1.0) is None and not w.ctl.session.items and not alerts  # no dialog
    g.classes.list.item(3).setCheckState(Qt.CheckState.Checked)  # orc
    assert g.generate_button.isEnabled() and not g.class_hint.isVisibleTo(g)
    generate(qtbot, w, 2, 0)
    assert [it.class_name for it in w.ctl.session.items] == [ORC, ORC] and g.generate_button.isEnabled()


def test_the_choice_is_kept_in_the_session_and_a_lost_class_dropped_with_a_note(qtbot, alerts,
                                                                                tiny_cond_model):
    w = use_cond(qtbot, tiny_cond_model)
    w.generate_tab.classes.set_chosen([POTION, ORC])
    generate(qtbot, w, 2, 0)
    path = w.ctl.session.path
    assert json.loads(path.read_text())["extra"]["app"]["classes"] == [POTION, ORC]
    w.close()

    w2 = start(qtbot)
    idle(qtbot, w2)
    assert w2.ctl.session.path == path and w2.generate_tab.classes.chosen() == [POTION, ORC]
    assert not w2.note.isVisible()
    w2.close()

    data = json.loads(path.read_text())
    data["extra"]["app"]["classes"] = [POTION, "mon/dragon"]  # a class the model does not have (any more)
    path.write_text(json.dumps(data))
    w3 = start(qtbot)
    idle(qtbot, w3)
    assert w3.generate_tab.classes.chosen() == [POTION] and not alerts
    assert w3.note.isVisible() and "dragon" in w3.note.text() and "dropped" in w3.note.text()
    generate(qtbot, w3, 2, 50)
    assert [it.class_name for it in w3.ctl.session.items[-2:]] == [POTION, POTION]
    assert json.loads(path.read_text())["extra"]["app"]["classes"] == [POTION]


def test_an_item_of_a_class_the_model_lacks_is_skipped_with_a_status_line(qtbot, alerts, tiny_cond_model):
    w = use_cond(qtbot, tiny_cond_model)
    generate(qtbot, w, 2, 0)
    path = w.ctl.session.path
    w.close()
    data = json.loads(path.read_text())
    data["items"][0]["class"] = "mon/dragon"
    path.write_text(json.dumps(data))
    w2 = MainWindowWithStatus(qtbot)
    idle(qtbot, w2.window)
    bad, good = w2.window.ctl.session.items
    assert bad.name not in w2.window.ctl.store.images and good.name in w2.window.ctl.store.images and not alerts
    assert any("dragon" in line and "not a class" in line for line in w2.lines)


class MainWindowWithStatus:
    """The app window with every status line it emits from opening on."""

    def __init__(self, qtbot) -> None:
        from ui.main_window import MainWindow
        from ui.settings import AppSettings
        from ui.startup import restore

        self.lines: list[str] = []
        self.window = MainWindow()
        qtbot.addWidget(self.window)
        self.window.ctl.status.connect(self.lines.append)
        self.window.show()
        self.window.adopt(restore(AppSettings.load()))


def test_curate_filters_by_class(qtbot, alerts, tiny_cond_model):
    w = use_cond(qtbot, tiny_cond_model)
    generate(qtbot, w, 8, 0)
    c = w.curate_tab
    w.tabs.setCurrentWidget(c)
    qtbot.waitUntil(lambda: c.grid.count() == 8)
    assert c.class_filter.isVisible()
    f = c.class_filter
    assert [f.itemText(i) for i in range(f.count())] == ["All classes", "potion", "item/ring", "orc", "mon/ring"]
    assert f.itemData(3, Qt.ItemDataRole.ToolTipRole) == ORC
    c.set_class(ORC)
    s = w.ctl.session
    assert [s.item(n).seed for n in c.grid.names()] == [2, 6] and "2 shown" in c.counts.text()
    s.toggle([c.grid.names()[0]], "favourite")
    qtbot.waitUntil(lambda: c.grid.count() == 2)
    c.set_filter("favourites")
    assert [s.item(n).seed for n in c.grid.names()] == [2]  # state and class together
    row = c.grid._rows[c.grid.names()[0]]
    assert "orc" in row.text() and "class mon/orc" in row.toolTip()
    c.set_filter("all")
    c.set_class(None)
    assert c.grid.count() == 8


def test_an_unconditional_model_has_no_picker_and_no_class_filter(qtbot, alerts, tiny_model):
    from ui.library import LibraryModel, read_model_card

    w = start(qtbot)
    assert w.ctl.use_model(LibraryModel("tiny", tiny_model, "user", read_model_card(tiny_model)))
    assert not w.ctl.model.card.classes
    g = w.generate_tab
    assert not g.class_box.isVisibleTo(g) and g.grid.sort_key is None
    generate(qtbot, w, 5, 7)
    s = w.ctl.session
    assert not alerts and g.grid.names() == [it.name for it in s.items] and [it.seed for it in s.items] == [7, 8, 9,
                                                                                                          10, 11]
    assert all(it.class_name is None for it in s.items) and g.generate_button.isEnabled()
    assert "classes" not in json.loads(s.path.read_text())["extra"]["app"]
    w.tabs.setCurrentWidget(w.curate_tab)
    qtbot.waitUntil(lambda: w.curate_tab.grid.count() == 5)
    assert not w.curate_tab.class_filter.isVisible() and w.curate_tab.class_name() is None


def test_restore_choice_keeps_card_order_and_names_what_it_drops():
    from ui.class_choice import restore_choice, summary

    known = ["item/potion", "item/ring", "mon/orc", "mon/ring"]
    assert restore_choice(["mon/orc", "item/potion"], known, "m.onnx") == (["item/potion", "mon/orc"], "")
    assert restore_choice(None, known, "m.onnx") == (None, "")
    assert restore_choice(["mon/orc"], [], "m.onnx") == (None, "")  # unconditional: no choice, no note
    kept, note = restore_choice(["mon/dragon"], known, "m.onnx")
    assert kept is None and "m.onnx has no class dragon" in note and "every class" in note
    assert summary(["item/ring", "mon/orc"], known) == "item/ring, orc" and summary([], known) == "No class"
    assert summary(known, known + ["x/y"]) == "potion, item/ring +2"
