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


def test_a_datas_class_names_tick_its_labels():
    import matplotlib.pyplot as plt
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.visualize import plot_adjacency
    _said("labels from `y`, named by its `class_names` when the caller gives no `label_names`: "
          "a tables run's own class names, its rows without a label as `unlabelled`)")
    data = MultiSourceData(x_a=torch.randn(6, 2), y=torch.tensor([0, 1, 2, -1, 1, 2]))
    data.class_names = ["cat", "dog", "eel"]
    fig = plot_adjacency(data, k=2)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["unlabelled", "cat", "dog", "eel"]
    plt.close(fig)


def test_a_graph_saved_with_pygs_cache_is_named_with_the_way_out(tmp_path, capsys):
    import torch_geometric.transforms as T
    from torch_geometric.data import Data
    from pyg_fusion.cli import main
    _said("a graph that a PyG transform has touched holds PyG's attribute cache, which a safe "
          "load cannot read: the error says so, and `torch.save(type(data).from_dict("
          "data.to_dict()), path)` saves it without")
    data = T.ToUndirected()(Data(x=torch.randn(6, 2), edge_index=torch.tensor([[0, 1], [1, 2]])))
    torch.save(data, tmp_path / "g.pt")
    argv = ["plot", "adjacency", "--threads", "1", "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--input", str(tmp_path / "g.pt")]) == 2
    assert "torch.save(type(data).from_dict(data.to_dict()), path)" in capsys.readouterr().err
    torch.save(type(data).from_dict(data.to_dict()), tmp_path / "h.pt")
    assert main([*argv, "--input", str(tmp_path / "h.pt")]) == 0


def test_kid_subsets_need_two_images():
    import inspect
    from pyg_fusion.training.translation_eval import evaluate_translation
    page = " ".join((FIGURES.parent / "asymfusion.md").read_text().split())
    assert ("KID's subsets (`evaluate_translation(..., kid_subset_size=1000)`, at most the scenes "
            "scored) need at least 2 images" in page)
    default = inspect.signature(evaluate_translation).parameters["kid_subset_size"].default
    assert default == 1000
    with pytest.raises(ValueError, match="kid_subset_size must be >= 2, got 1"):
        evaluate_translation(None, [], kid_subset_size=1)
