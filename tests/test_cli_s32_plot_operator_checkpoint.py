"""plot operator --checkpoint (or --input) of a model without a LEGO operator
says what the checkpoint is: an image task's (and the command that reads
it) or a model of another method."""
import pytest
import torch

from pyg_fusion.cli import main

HPARAMS = {"translate": {"modalities": ["shade", "depth"], "ngf": 2, "num_downs": 4},
           "segment": {"variant": "asymfusion", "num_classes": 6, "arch": {}}}


def _plot(tmp_path, capsys, flag, path):
    assert main(["plot", "operator", flag, str(path), "--out", str(tmp_path / "f.png"),
                 "--threads", "1"]) == 2
    assert not (tmp_path / "f.png").exists()
    return capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--checkpoint", "--input"])
@pytest.mark.parametrize("task", ["translate", "segment"])
def test_an_image_checkpoint_is_named_with_its_command(tmp_path, capsys, flag, task):
    # it said only 'holds no LEGO fusion operator (no fusion.A.* ... entries)'
    path = tmp_path / "last.ckpt"
    torch.save({"state_dict": {"generator.w": torch.ones(2)}, "hyper_parameters": HPARAMS[task]},
               path)
    assert _plot(tmp_path, capsys, flag, path) == (
        f"pyg-fusion plot: error: {flag}: {path} is a checkpoint of the {task} task (an "
        f"AsymFusion image model), which has no LEGO fusion operator; `pyg-fusion {task} "
        f"evaluate` reads it (or `pyg-fusion evaluate --task {task}`)\n")


def test_a_model_of_another_method_is_named_by_its_method(tmp_path, capsys):
    path = tmp_path / "last.ckpt"
    torch.save({"state_dict": {"head.weight": torch.ones(2)},
                "hyper_parameters": {"config": {"method": "graph-mean", "dataset": "digits"}}},
               path)
    assert _plot(tmp_path, capsys, "--checkpoint", path) == (
        f"pyg-fusion plot: error: --checkpoint: {path} holds no LEGO fusion operator: it is a "
        f"model of method 'graph-mean' (pyg-fusion train --method lego trains one)\n")
