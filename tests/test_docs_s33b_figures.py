"""docs/figures.md says how plot titles a checkpoint's figure, what it
answers a checkpoint given as --input, and that results.png draws one bar per
record: each statement is quoted beside the code that does it."""
from pathlib import Path

import pytest
import torch

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures.md"


def _said(quote: str) -> None:
    assert quote in " ".join(FIGURES.read_text().split()), \
        f"docs/figures.md no longer says {quote!r}: update this test"


def test_a_checkpoints_figure_is_titled_by_its_run_and_path(tmp_path):
    from pyg_fusion.cli._plot_inputs import checkpoint_title
    _said("A figure of a checkpoint is titled by its run (`lego on synthetic-vad "
          "(multi_representation), seed 0`) and the checkpoint's path below the seed's folder "
          "(`(best.ckpt)`, `(init_product/restart1/last.ckpt)`)")
    path = tmp_path / "lego" / "seed0" / "init_product" / "restart1" / "checkpoints" / "last.ckpt"
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {}, "hyper_parameters": {"config": {
        "method": "lego", "dataset": "synthetic-vad", "setting": "multi_representation",
        "seed": 0}}}, path)
    assert checkpoint_title(str(path), "A") == ("A: lego on synthetic-vad (multi_representation), "
                                                "seed 0 (init_product/restart1/last.ckpt)")


def test_a_checkpoint_given_as_input_is_named(tmp_path, capsys):
    from pyg_fusion.cli import main
    _said("a checkpoint given as `--input` is an error that names it a checkpoint "
          "(`--checkpoint` draws the kinds that take one)")
    path = tmp_path / "best.ckpt"
    torch.save({"state_dict": {}}, path)
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png"), "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert "a checkpoint" in err and "--checkpoint" in err


def test_results_png_draws_one_bar_per_record():
    from pyg_fusion.visualize import plot_results
    _said("`results.png` (`plot_results`) draws one bar per record of a run's `results.json`: two "
          "records of one bar (a `sweep.json`, or the records of two runs put together) are an "
          "error, and a sweep's cells are drawn by `plot pq-sensitivity`.")
    cell = {"dataset": "synthetic-vad", "setting": "s", "method": "lego", "metric": "auc",
            "mean": 0.5, "std": 0.0, "values": [0.5], "seeds": [0], "P": 1, "Q": 1}
    with pytest.raises(ValueError, match="plot_pq_sensitivity draws them"):
        plot_results([cell, {**cell, "P": 2, "mean": 0.7}])
