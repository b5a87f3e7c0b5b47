"""segment / translate evaluate --out <a training run's checkpoints folder,
a graph run's seed folder, or a run's top folder> wrote metrics.json,
metrics.md, the figure and eval_logs beside the run's files: the graph
evaluate's refusal (check_not_a_run_folder) now holds for them, one line,
exit 2; an image training run's report keeps its own message."""
import pytest
import torch

from pyg_fusion.cli import main

COMMON = ["--threads", "1", "--no-progress"]


@pytest.mark.parametrize("task", ["segment", "translate"])
def test_image_evaluate_refuses_a_training_runs_folders(tmp_path, capsys, task):
    ckpts = tmp_path / "t" / "checkpoints"
    ckpts.mkdir(parents=True)
    torch.save({}, ckpts / "last.ckpt")
    seed = tmp_path / "g" / "lego" / "seed0"
    (seed / "checkpoints").mkdir(parents=True)
    for out, what in ((ckpts, "checkpoint last.ckpt (the checkpoints folder of a pyg-fusion "
                              "train run)"),
                      (seed, "checkpoints (a run folder of pyg-fusion train)"),
                      (tmp_path / "g", "folder lego (a folder of a pyg-fusion train or "
                                       "compare run)")):
        before = sorted(p.name for p in out.iterdir())
        assert main([task, "evaluate", "--checkpoint", str(ckpts / "last.ckpt"), "--out",
                     str(out), *COMMON]) == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion {task} evaluate: error: --out {str(out)!r} holds a training run's "
            f"{what}, among whose files evaluate would write its own: give another --out\n")
        assert sorted(p.name for p in out.iterdir()) == before
