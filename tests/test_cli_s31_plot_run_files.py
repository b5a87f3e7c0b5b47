"""plot --input given a file that a run writes but the KIND does not draw
(results.json of train to anomaly-scores, sweep.json to operator, a
segment / translate metrics.json) said only what shape the kind expected
('must be real number, not dict', 'bench_json must be a dict with a 'rows'
list'): it names what the file is, and the kind that draws it."""
import json

import pytest

from pyg_fusion.cli import main

RECORD = {"dataset": "digits", "method": "lego", "metric": "accuracy", "mean": 0.8, "std": 0.0,
          "seeds": [0], "values": [0.8]}
SWEEP = [{**RECORD, "P": 1, "Q": 1}, {**RECORD, "P": 2, "Q": 1}]
REPORT = {"split": "test", "config": {"data": {}}, "scores": {}}
RESULTS = "the records of pyg-fusion train, compare or evaluate (results.json; the run drew " \
          "them in results.png)"


@pytest.mark.parametrize("kind", ["anomaly-scores", "operator", "pq-sensitivity",
                                  "sparse-vs-dense"])
@pytest.mark.parametrize("content, what, drawn_by", [
    ([RECORD], RESULTS, None),
    (SWEEP, "the records of pyg-fusion sweep", "pq-sensitivity"),
    (REPORT, "the report of pyg-fusion segment or translate (metrics.json)", None),
])
def test_a_run_file_is_named_by_what_it_is(tmp_path, capsys, kind, content, what, drawn_by):
    from pyg_fusion.cli._plot_run_files import EXPECTS
    path = tmp_path / "in.json"
    path.write_text(json.dumps(content))
    out = tmp_path / "f.png"
    code = main(["plot", kind, "--input", str(path), "--out", str(out)])
    if kind == drawn_by:
        assert code == 0 and out.is_file()
        return
    assert code == 2 and not out.exists()
    assert capsys.readouterr().err == (
        f"pyg-fusion plot: error: --input {path} holds {what}; {kind} draws {EXPECTS[kind]}"
        + (f": draw it with pyg-fusion plot {drawn_by}" if drawn_by else "") + "\n")


@pytest.mark.parametrize("flag", ["--checkpoint", "--input"])
def test_a_model_without_an_operator_names_its_flag(tmp_path, capsys, flag):
    # the error named the file alone, where every other error of plot names its flag
    import torch
    path = tmp_path / "m.pt"
    torch.save({"state_dict": {"head.weight": torch.ones(2)}}, path)
    assert main(["plot", "operator", flag, str(path), "--out", str(tmp_path / "f.png")]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion plot: error: {flag}: {path} holds no LEGO fusion operator (no fusion.A.* "
        f"or fusion.factors.* entries)\n")
