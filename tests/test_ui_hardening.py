"""The app survives its own state: a broken last session or bad user models never leave it empty."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from ui import dialogs  # noqa: E402
from ui.library import scan  # noqa: E402
from ui.session import GenerateSettings  # noqa: E402
from ui.settings import AppSettings, config_dir  # noqa: E402
from ui.startup import restore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "trained" / "crawl-sprites-32.onnx"
DEEP = '{"a":' * 100000 + "1" + "}" * 100000


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """Isolated app and model folders."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ASSETGAN_MODELS"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    return tmp_path


@pytest.fixture()
def alerts(home, monkeypatch):
    """Alerts (modal dialogs) collected instead of shown."""
    got: list[str] = []
    monkeypatch.setattr(dialogs, "alert", lambda _p, title, text: got.append(f"{title}: {text}"))
    return got


def with_card(dst: Path, card: str | dict) -> Path:
    """A copy of the shipped model whose assetgan card is `card` (JSON text, or changes to the real card)."""
    onnx = pytest.importorskip("onnx")
    m = onnx.load(str(SHIPPED))
    prop = next(p for p in m.metadata_props if p.key == "assetgan.card")
    prop.value = card if isinstance(card, str) else json.dumps({**json.loads(prop.value), **card})
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(dst))
    return dst


def saved_session(home: Path) -> Path:
    """A valid last session with one item (seed 1) made with the shipped model."""
    first = restore(AppSettings())
    first.session.add_seeds([1], 1.0)
    return first.session.path


def _model_elsewhere(home: Path, path: Path, model: Path) -> None:
    """Point the session at `model` (path hint and sha256)."""
    from assetgan.runtime.model import file_sha256

    d = json.loads(path.read_text())
    d["model"].update(path=str(model), sha256=file_sha256(model))
    path.write_text(json.dumps(d, indent=2))


def deep_nesting(home: Path, path: Path, monkeypatch) -> None:
    path.write_text(DEEP)


def huge_seed(home: Path, path: Path, monkeypatch) -> None:
    text = path.read_text()
    assert '"seed": 1,' in text
    path.write_text(text.replace('"seed": 1,', f'"seed": {"9" * 5000},', 1))


def unreadable_model(home: Path, path: Path, monkeypatch) -> None:
    import builtins

    model = home / "elsewhere" / "crawl-sprites-32.onnx"
    model.parent.mkdir()
    shutil.copyfile(SHIPPED, model)
    _model_elsewhere(home, path, model)

    def guarded(file, *a, **k):  # chmod 000 does not stop root
        if Path(str(file)) == model:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *a, **k)

    monkeypatch.setattr("assetgan.runtime.model.open", guarded, raising=False)


def deeply_nested_card(home: Path, path: Path, monkeypatch) -> None:
    _model_elsewhere(home, path, with_card(home / "elsewhere" / "crawl-sprites-32.onnx", DEEP))


def runtime_error(home: Path, path: Path, monkeypatch) -> None:
    def fail(*_a, **_k):
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : bad allocation")

    monkeypatch.setattr("assetgan.export.render.open_model", fail)


@pytest.mark.parametrize("spoil", [deep_nesting, huge_seed, unreadable_model, deeply_nested_card, runtime_error])
def test_a_last_session_that_fails_in_any_way_gives_a_fresh_one_and_a_note(home, monkeypatch, spoil):
    bad = saved_session(home)
    spoil(home, bad, monkeypatch)
    before, mtime = bad.read_bytes(), bad.stat().st_mtime_ns
    opened = restore(AppSettings(str(bad)))
    assert opened.session.path != bad and opened.session.path.is_file() and opened.model is not None
    assert not opened.session.items and opened.session.collection.model.name == "crawl-sprites-32"
    note = opened.messages[0]
    assert str(bad) in note and "\n" not in note and "could not be reopened" in note and "not changed" in note
    assert len(note) < 600
    assert bad.read_bytes() == before and bad.stat().st_mtime_ns == mtime
    assert [m.name for m in opened.library if m.usable] == ["crawl-sprites-32", "crawl-textures-32"]


def test_unexpected_reasons_name_the_error(home, monkeypatch):
    bad = saved_session(home)
    runtime_error(home, bad, monkeypatch)
    note = restore(AppSettings(str(bad))).messages[0]
    assert "RuntimeError" in note and "bad allocation" in note


def test_a_missing_last_session_note_is_one_line(home):
    gone = home / "gone.json"
    opened = restore(AppSettings(str(gone)))
    assert len(opened.messages) == 1 and str(gone) in opened.messages[0] and "no longer exists" in opened.messages[0]
    assert not gone.exists()


def test_settings_and_generate_settings_survive_hostile_values(home):
    config_dir().mkdir(parents=True)
    (config_dir() / "app.json").write_text(DEEP)
    assert AppSettings.load().last_session is None
    (config_dir() / "app.json").write_text('{"last_session": ' + "7" * 5000 + "}")
    assert AppSettings.load().last_session is None
    s = GenerateSettings.from_dict({"seed": -10**4000, "count": 10**30, "truncation": 10**400,
                                    "variation_strength": float("nan"), "explore_dim": 3})
    assert (s.seed, s.count, s.truncation, s.explore_dim) == (0, 64, 1.0, 3)
    assert s.variation_strength == 0.3


def bad_user_models(home: Path, monkeypatch) -> Path:
    """Bad models sorted before a good one in $ASSETGAN_MODELS."""
    folder = Path(os.environ["ASSETGAN_MODELS"])
    folder.mkdir(parents=True)
    (folder / "aa-garbage.onnx").write_bytes(os.urandom(512))
    with_card(folder / "ab-deep-card.onnx", DEEP)
    with_card(folder / "ac-huge-int-card.onnx", '{"kind": "dcgan", "size": ' + "9" * 5000 + "}")
    with_card(folder / "ad-wrong-domains.onnx", {"kind": "cyclegan", "domains": 5})
    with_card(folder / "ae-wrong-truncation.onnx", {"default_truncation": "high"})
    (folder / "af-folder.onnx").mkdir()
    os.symlink("ag-loop.onnx", folder / "ag-loop.onnx")
    shutil.copyfile(SHIPPED, folder / "ah-runtime-error.onnx")
    shutil.copyfile(SHIPPED, folder / "zz-good.onnx")
    import assetgan.runtime.model as rt

    def read_card(path, sess=None, kind=None, _real=rt.read_card):
        if Path(path).name == "ah-runtime-error.onnx":
            raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : Load model failed: bad allocation")
        return _real(path, sess, kind)

    monkeypatch.setattr(rt, "read_card", read_card)
    return folder


BAD = ["aa-garbage", "ab-deep-card", "ac-huge-int-card", "ad-wrong-domains", "ae-wrong-truncation", "af-folder",
       "ag-loop", "ah-runtime-error"]


def test_scan_lists_every_model_and_marks_the_bad_ones(home, monkeypatch):
    bad_user_models(home, monkeypatch)
    models = scan()
    assert [m.name for m in models] == ["crawl-sprites-32", "crawl-textures-32", "monet", *BAD, "zz-good"]
    for m in models:
        if m.name in BAD:
            assert m.card is None and not m.usable and not m.stylable, m.name
            assert m.error and "\n" not in m.error and m.name in m.error, m.error
        else:
            assert not m.error and m.card is not None, m.error
    assert [m.name for m in models if m.usable] == ["crawl-sprites-32", "crawl-textures-32", "zz-good"]
    opened = restore(AppSettings())
    assert [m.name for m in opened.library] == [m.name for m in models] and opened.model is not None


def test_the_app_starts_with_a_fresh_session_a_note_and_every_model(qtbot, home, alerts, monkeypatch):
    from ui.app import load
    from ui.main_window import MainWindow

    bad_user_models(home, monkeypatch)
    bad = saved_session(home)
    bad.write_text(DEEP)
    before, mtime = bad.read_bytes(), bad.stat().st_mtime_ns
    AppSettings(str(bad)).save()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    load(w)
    qtbot.waitUntil(lambda: w.ctl.session is not None and not w.ctl.runner.active, timeout=30000)
    assert w.ctl.session.path != bad and w.ctl.model is not None and not alerts
    assert w.note.isVisible() and str(bad) in w.note.text() and "could not be reopened" in w.note.text()
    assert "ab-deep-card" in w.note.toolTip()
    assert AppSettings.load().last_session == str(w.ctl.session.path.resolve())  # the next launch is clean
    assert bad.read_bytes() == before and bad.stat().st_mtime_ns == mtime

    lib = w.library_tab
    rows = [lib.list.item(i).text() for i in range(lib.list.count())]
    assert len(rows) == 3 + len(BAD) + 1 and rows[-1].startswith("zz-good") and "dcgan" in rows[-1]
    for i, name in enumerate(BAD, start=3):
        assert rows[i].startswith(f"⚠ {name}") and "not usable" in rows[i], rows[i]
        lib.list.setCurrentRow(i)
        assert not lib.use_button.isEnabled() and lib.form.rowCount() >= 3
    lib.list.setCurrentRow(len(rows) - 1)
    assert lib.selected().name == "zz-good" and lib.use_button.isEnabled()
    lib.use_selected()
    assert w.ctl.model.path.name == "zz-good.onnx" and not alerts
    w.ctl.use_model(scan()[3])
    assert "aa-garbage" in alerts[-1] and w.ctl.model.path.name == "zz-good.onnx"
