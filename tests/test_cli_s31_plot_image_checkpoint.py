"""plot relation-graph (adjacency, anomaly-scores) --checkpoint <a
translate or segment checkpoint> said 'evaluate it with pyg-fusion evaluate
--task translate', as if an evaluation had been asked for. It now says that
plot draws the models of pyg-fusion train and which command reads that
checkpoint."""
import pytest
import torch

from pyg_fusion.cli import main

HPARAMS = {"translate": {"modalities": ["shade", "depth"], "ngf": 2, "num_downs": 4},
           "segment": {"variant": "asymfusion", "num_classes": 6, "arch": {}}}


@pytest.mark.parametrize("kind", ["relation-graph", "adjacency", "anomaly-scores"])
@pytest.mark.parametrize("task", ["translate", "segment"])
def test_plot_names_the_command_that_reads_an_image_checkpoint(tmp_path, capsys, kind, task):
    path = tmp_path / "m.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": HPARAMS[task]}, path)
    assert main(["plot", kind, "--checkpoint", str(path), "--out", str(tmp_path / "f.png"),
                 "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert err == (f"pyg-fusion plot: error: --checkpoint: {path} is a checkpoint of the "
                   f"{task} task; plot draws the models of `pyg-fusion train` only. "
                   f"`pyg-fusion {task} evaluate` reads this one (or `pyg-fusion evaluate "
                   f"--task {task}`)\n")
    assert not (tmp_path / "f.png").exists()
