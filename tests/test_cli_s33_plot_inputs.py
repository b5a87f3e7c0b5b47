"""plot --input given a checkpoint (a file of torch.save) names it as one,
where the JSON kinds said "not valid JSON: 'utf-8' codec can't decode byte
0x80" and the graph kinds "holds a dict, not a Data"."""
import pytest
import torch

from pyg_fusion.cli import main


@pytest.fixture
def ckpt(tmp_path):
    path = tmp_path / "best.ckpt"
    torch.save({"state_dict": {"model.w": torch.ones(2)}, "hyper_parameters": {"config": {
        "method": "lego", "dataset": "synthetic-vad", "seed": 0}}}, path)
    return path


@pytest.mark.parametrize("kind, tail", [
    ("anomaly-scores", ": a checkpoint of pyg-fusion train on a VAD dataset is drawn with "
                       "--checkpoint"),
    ("pq-sensitivity", ""),
    ("sparse-vs-dense", ""),
])
def test_a_checkpoint_given_to_a_json_kind_is_named(ckpt, tmp_path, capsys, kind, tail):
    assert main(["plot", kind, "--input", str(ckpt), "--out", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"pyg-fusion plot: error: --input {ckpt} is a file of torch.save (a "
                          f"checkpoint or tensors), not JSON; {kind} draws "), err
    assert err.endswith(tail) and "0x80" not in err


@pytest.mark.parametrize("kind, said", [
    ("adjacency", "give it as --checkpoint (its fused G beside its data's graphs)"),
    ("powers", "powers draws no model; --checkpoint is for operator, adjacency, "
               "relation-graph and anomaly-scores"),
])
def test_a_checkpoint_given_to_a_graph_kind_is_named(ckpt, tmp_path, capsys, kind, said):
    assert main(["plot", kind, "--input", str(ckpt), "--out", str(tmp_path / "a.png")]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion plot: error: --input {ckpt} is a "
                                       f"checkpoint, not a saved graph: {said}\n")
