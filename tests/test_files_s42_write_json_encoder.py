import json
import json.encoder

import pytest

from pyg_fusion._files import write_json

OBJ = {"videos": [{"name": "v", "scores": [0.5, float("nan"), 1e-7, 3], "gt": [0, 1]}],
       "b": float("inf"), "t": (1.25, -2.0), "s": "é"}


def _dump_text(obj, **kwargs):
    # what write_json wrote before: json.dump of the finite object, token by token
    finite = {"videos": [{"name": "v", "scores": [0.5, None, 1e-7, 3], "gt": [0, 1]}],
              "b": None, "t": [1.25, -2.0], "s": "é"}
    assert obj is OBJ
    return json.dumps(finite, allow_nan=False, **kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"indent": None}, {"indent": 2, "sort_keys": True}])
def test_write_json_writes_the_same_text(tmp_path, kwargs):
    path = tmp_path / "a.json"
    write_json(path, OBJ, **kwargs)
    expected = _dump_text(OBJ, **({"indent": 1} | kwargs))
    assert path.read_text(encoding="utf-8") == expected


def test_write_json_without_indent_uses_the_c_encoder(tmp_path, monkeypatch):
    # json.dump always runs the pure-Python encoder (_make_iterencode), many
    # times slower on a VAD run's scores.json; write_json must not
    if json.encoder.c_make_encoder is None:
        pytest.skip("this Python's json has no C encoder")

    def python_encoder(*args, **kwargs):
        raise AssertionError("the pure-Python JSON encoder ran")

    monkeypatch.setattr(json.encoder, "_make_iterencode", python_encoder)
    path = tmp_path / "scores.json"
    write_json(path, {"videos": [{"frame_scores": [0.25] * 1000}]}, indent=None)
    assert json.loads(path.read_text())["videos"][0]["frame_scores"] == [0.25] * 1000


def test_write_json_refuses_what_it_cannot_write_before_replacing(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_json(path, {"x": object()})
    assert path.read_text() == "old"
