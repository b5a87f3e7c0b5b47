"""pyg-fusion plot reads its JSON inputs with their types checked, each
error naming the file and the entry; a TypeError raised while drawing is a
bug of the library and keeps its traceback (it was answered as the user's
error: "<file>: <the bug's message>", exit 2)."""
import json

import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("content, message", [
    ({"scores": {"v": [0.1, None]}}, "scores['v'] must be a list of numbers, got None"),
    ({"scores": {"v": "0.1 0.2"}}, "scores['v'] must be a list of numbers, got '0.1 0.2'"),
    ({"scores": {"m": {"v": [0.1, "x"]}}}, "scores['m']['v'] must be a list of numbers, "
                                           "got 'x'"),
    ({"scores": {"v": [0.1, 0.2]}, "ground_truth": {"v": [0, "1"]}},
     "ground_truth['v'] must be a list of numbers, got '1'"),
    ({"videos": [{"name": "v", "scores": [0.1], "gt": [[0]]}]},
     "ground_truth['v'] must be a list of numbers, got [0]"),
    ({"scores": {"v": [0.1, 0.2]}, "frames_per_snippet": "16"},
     "frames_per_snippet must be a positive int, got '16'"),
])
def test_a_scores_file_of_wrong_types_is_named(tmp_path, capsys, content, message):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(content))
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png")]) == 2
    assert capsys.readouterr().err == f"pyg-fusion plot: error: {path}: {message}\n"
    assert not (tmp_path / "s.png").exists()


def test_a_type_error_of_the_library_is_no_user_error(tmp_path, monkeypatch):
    import pyg_fusion.visualize as V

    def bug(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")
    monkeypatch.setattr(V, "plot_anomaly_scores", bug)
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scores": {"v": [0.1, 0.2]}}))
    with pytest.raises(TypeError, match="unsupported operand"):
        main(["plot", "anomaly-scores", "--input", str(path), "--out", str(tmp_path / "s.png")])
