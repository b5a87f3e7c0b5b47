"""A graph kind that draws no model (powers) refuses a checkpoint with one
message whether it comes as --checkpoint or as --input."""
import torch

from pyg_fusion.cli import main

SAID = ("powers draws no model; --checkpoint is for operator, adjacency, relation-graph and "
        "anomaly-scores")


def test_a_checkpoint_flag_for_a_kind_that_draws_no_model_is_refused(tmp_path, capsys):
    ckpt = tmp_path / "c.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": {}}, ckpt)
    out = tmp_path / "a.png"
    assert main(["plot", "powers", "--checkpoint", str(ckpt), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"pyg-fusion plot: error: {SAID}\n"
    assert main(["plot", "powers", "--input", str(ckpt), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion plot: error: --input {ckpt} is a "
                                       f"checkpoint, not a saved graph: {SAID}\n")
    assert not out.exists()
