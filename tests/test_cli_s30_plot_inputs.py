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


@pytest.mark.parametrize("kind, text, message", [
    ("sparse-vs-dense", '{"rows": [1]}', "bench_json rows[0] must be a dict (a row), got 1"),
    ("pq-sensitivity", '[{"P": 1, "Q": 1, "mean": 0.5}, 3]',
     "results[1] must be a record {'P', 'Q', 'mean', ...} as the first is, got 3"),
    ("pq-sensitivity", '"x"', "results: the file must hold a sweep's list of {'P', 'Q', "
                              "'mean'} records or a 2-D list of numbers"),
    ("pq-sensitivity", '[["a", 1]]', "results: the file must hold a sweep's list of {'P', "
                                     "'Q', 'mean'} records or a 2-D list of numbers"),
])
def test_the_other_json_kinds_name_a_file_of_wrong_types(tmp_path, capsys, kind, text, message):
    """Tracebacks (TypeError) once the catch-all was gone: the readers
    (load_benchmark, load_pq_grid) took every row for a dict and a file's
    content for the caller's array."""
    (tmp_path / "x.json").write_text(text)
    assert main(["plot", kind, "--input", str(tmp_path / "x.json"), "--out",
                 str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion plot: error: --input "
                                       f"{tmp_path / 'x.json'}: {message}\n")


@pytest.mark.parametrize("given, message", [
    ([], "the results hold several values of 'dataset': ['a', 'b']; choose one with --dataset"),
    (["--dataset", "c"], "--dataset 'c' is not in the results; they hold ['a', 'b']"),
    (["--dataset", "a", "--metric", "acc"], "--metric 'acc' is not in the results; they hold "
                                            "['auc']"),
])
def test_a_sweep_file_names_the_flags_that_select_its_records(tmp_path, capsys, given,
                                                                message):
    """The figure's errors named its Python arguments: 'choose one with
    dataset=...', "dataset='c' is not in the results", and not the file."""
    records = [{"P": p, "Q": q, "mean": 0.5, "metric": "auc", "dataset": d, "method": "lego"}
               for p in (1, 2) for q in (1, 2) for d in ("a", "b")]
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(records))
    assert main(["plot", "pq-sensitivity", "--input", str(path), *given, "--out",
                 str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == f"pyg-fusion plot: error: --input {path}: {message}\n"
    assert not (tmp_path / "x.png").exists()


def test_an_operator_file_of_the_wrong_shape_is_named(tmp_path, capsys):
    (tmp_path / "a.json").write_text("[]")
    assert main(["plot", "operator", "--input", str(tmp_path / "a.json"), "--out",
                 str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion plot: error: --input {tmp_path / 'a.json'}: "
                                       f"A must have 2 or 3 dimensions, got shape (0,)\n")


def test_a_plain_grid_file_still_draws(tmp_path, capsys):
    (tmp_path / "g.json").write_text("[[0.5, 0.6], [0.7, null]]")
    assert main(["plot", "pq-sensitivity", "--input", str(tmp_path / "g.json"), "--out",
                 str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").is_file()


def test_a_bug_while_reading_a_saved_graph_is_no_user_error(tmp_path, capsys, monkeypatch):
    """Any exception of load_saved_graph was answered 'cannot read ... as a
    saved graph' (exit 2); the file's own errors still are (one that is no
    file of torch.save by plot's check, before torch loads)."""
    import torch

    import pyg_fusion.cli._plot_inputs as inputs
    (tmp_path / "g.pt").write_bytes(b"not a torch file")
    argv = ["plot", "adjacency", "--input", str(tmp_path / "g.pt"), "--out",
            str(tmp_path / "g.png")]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion plot: error: --input: cannot read {tmp_path / 'g.pt'} (not a file "
        f"written by torch.save)\n")
    torch.save({}, tmp_path / "g.pt")  # a file of torch.save, whose reading meets the bug

    def bug(path):
        raise AttributeError("'NoneType' object has no attribute 'edge_index'")
    monkeypatch.setattr(inputs, "load_saved_graph", bug)
    with pytest.raises(AttributeError):
        main(argv)
