"""Collection files: round trip, atomic save, and every validation error."""

from __future__ import annotations

import json

import pytest

from assetgan.core.errors import CollectionError
from assetgan.export.collection import Collection, Item, ModelRef, OutputSettings, load_collection


def _col():
    return Collection(ModelRef("m", "ab" * 32), [Item("a", seed=1, tags=["x"], state="favourite"),
                                                 Item("b", z=[0.5, -0.25]), Item("c", seed=2, state="rejected")],
                      OutputSettings(scale=2, sheet=True), name="demo")


def test_round_trip_and_selection(tmp_path):
    p = tmp_path / "c.json"
    _col().save(p)
    back = load_collection(p)
    assert back.to_dict() == _col().to_dict()
    assert [i.name for i in back.selected()] == ["a", "b"]
    back.output.include = "favourites"
    assert [i.name for i in back.selected()] == ["a"]
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(version=99), "version 99 is not supported"),
    (lambda d: d.pop("format"), "not an assetgan collection"),
    (lambda d: d["model"].pop("sha256"), "sha256"),
    (lambda d: d["items"].append({"name": "a", "seed": 4}), "duplicate name"),
    (lambda d: d["items"].append({"name": "../evil", "seed": 4}), "name must be"),
    (lambda d: d["items"].append({"name": "n", "seed": 4, "z": [1.0]}), "exactly one"),
    (lambda d: d["items"].append({"name": "n", "seed": -4}), "seed -4"),
    (lambda d: d["items"].append({"name": "n", "seed": 1, "state": "loved"}), "state 'loved'"),
    (lambda d: d["output"].update(colour=1), "unknown output setting 'colour'"),
    (lambda d: d["output"].update(files=False, sheet=False), "writes nothing"),
])
def test_invalid_collections_are_refused_with_one_line(tmp_path, mutate, message):
    d = _col().to_dict()
    mutate(d)
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    with pytest.raises(CollectionError, match=message) as exc:
        load_collection(p)
    assert "\n" not in str(exc.value) and str(p) in str(exc.value)


def test_invalid_json_names_line(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"format": "assetgan.collection",\n "version": 1,,}')
    with pytest.raises(CollectionError, match="invalid JSON at line 2"):
        load_collection(p)


def test_seed_range_is_a_lazy_item_sequence_that_saves_like_a_list(tmp_path):
    from assetgan.export.collection import Collection, ModelRef, SeedRange, load_collection, validate

    r = SeedRange("imp", 7, 100_000)
    assert len(r) == 100_000 and r[0].name == "imp_000007" and r[-1].seed == 100_006
    assert [it.seed for it in r[2:5]] == [9, 10, 11] and next(iter(r)).name == "imp_000007"
    col = Collection(ModelRef("m", "ab" * 32), SeedRange("imp", 7, 3))
    validate(col)
    assert col.selected() is col.items
    col.save(tmp_path / "c.json")
    back = load_collection(tmp_path / "c.json")
    assert [(it.name, it.seed) for it in back.items] == [("imp_000007", 7), ("imp_000008", 8), ("imp_000009", 9)]
    validate(Collection(ModelRef("m", "ab" * 32), SeedRange("imp", 0, 1)))  # one item: no false duplicate
    import pytest

    from assetgan.core.errors import CollectionError

    with pytest.raises(CollectionError, match="name"):
        validate(Collection(ModelRef("m", "ab" * 32), SeedRange("bad name", 0, 5)))
