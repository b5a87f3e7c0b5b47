"""docs/training.md, docs/asymfusion.md, docs/methods.md and README state this
session's run-folder, config and spec checks: each sentence is quoted beside
what the code does."""
from pathlib import Path

import pytest
import torch

from pyg_fusion.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _said(page: str, quote: str) -> None:
    text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
    assert quote in text, f"{page} no longer says {quote!r}: update this test"


def test_evaluate_refuses_a_sweeps_folder_and_a_checkpoints_folder(tmp_path):
    _said("docs/training.md", "or of `sweep` (its folder, a cell), whose `scores.json` and logs "
          "it would overwrite (`segment evaluate` and `translate evaluate` refuse the same "
          "folders, and an image run's `checkpoints/`).")
    from pyg_fusion.cli.evaluate import check_not_a_run_folder
    log = tmp_path / "sweep" / "P1_Q1" / "seed0" / "logs" / "version_0"
    log.mkdir(parents=True)
    (log / "metrics.csv").write_text("epoch,train_loss\n0,1.0\n")
    for out in (tmp_path / "sweep", tmp_path / "sweep" / "P1_Q1"):
        with pytest.raises(ValueError, match="holds a training run's folder"):
            check_not_a_run_folder(out)
    ckpts = tmp_path / "image" / "checkpoints"
    ckpts.mkdir(parents=True)
    (ckpts / "last.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="the checkpoints folder of a pyg-fusion train run"):
        check_not_a_run_folder(ckpts, "metrics.json")


def test_a_config_of_another_command_names_its_settings_first(tmp_path, capsys):
    _said("docs/training.md", "are refused in one line that names where it belongs, the "
          "settings this command has not first ('resume' is no setting of `pyg-fusion train`: "
          "this is a config of `pyg-fusion compare` ...); an image task's `dataset: nyud` is "
          "refused naming how its own config writes it, `data: nyud` in its data section, for "
          "`pyg-fusion segment train`)")
    assert main(["compare", "--print-config"]) == 0
    path = tmp_path / "c.yaml"
    path.write_text(capsys.readouterr().out)
    assert main(["train", "--config", str(path), "--print-config"]) == 2
    assert "'resume' is no setting of `pyg-fusion train`: this is a config of `pyg-fusion " \
           "compare`" in capsys.readouterr().err
    path.write_text("dataset: nyud\n")
    assert main(["train", "--config", str(path), "--print-config"]) == 2
    assert "says 'data: nyud' in its data section" in capsys.readouterr().err


def test_a_method_spec_and_its_nones_are_checked_as_the_page_says():
    _said("docs/training.md", "A `MethodSpec` is checked however it is made (`create`, its "
          "configs, `dataclasses.replace`, `from_dict` of a saved spec, whose errors begin "
          "`saved spec (lego, node): `; `pyg_fusion.experiments.check_options(task, options)` "
          "runs the same check alone, before any data loads): an option given `None` means what "
          "its help says of unset (`patience=None`: never stop early; `branch_dropout=None`: "
          "the task's `--dropout`) and is refused where it has no such meaning (node "
          "`hidden_channels=None`), not read as the task's default.")
    import dataclasses

    from pyg_fusion.experiments import MethodSpec, check_options
    check_options("vad", {"patience": None, "branch_dropout": None})
    with pytest.raises(ValueError, match="hidden_channels"):
        check_options("node", {"hidden_channels": None})
    spec = MethodSpec.create("lego", "node")
    with pytest.raises(ValueError, match="epochs"):
        dataclasses.replace(spec, trainer=dataclasses.replace(spec.trainer, epochs=0))
    saved = spec.to_dict()
    saved["trainer"]["epochs"] = -3
    with pytest.raises(ValueError, match=r"^saved spec \(lego, node\): "):
        MethodSpec.from_dict(saved)


def test_image_configs_print_absolute_paths_and_edges_to_dense_takes_the_weight_second():
    _said("docs/asymfusion.md", "work as for the graph tasks (your files and folders, "
          "`--checkpoint`, a nyud `--root`, `--pretrained`, printed as absolute paths)")
    _said("docs/methods.md", "(`edges_to_dense(edge_index, edge_weight, batch)`: the weight comes "
          "second, where `to_dense_adj` takes `batch`; a `torch.long` weight that is a batch "
          "vector, given without `batch=`, is refused, and integer counts are weights).")
    _said("README.md", "`edges_to_dense(edge_index, edge_weight, batch)` takes the weight before "
          "`batch`, unlike `to_dense_adj`;")
    import inspect

    from pyg_fusion.functional import edges_to_dense
    assert list(inspect.signature(edges_to_dense).parameters)[:3] == ["edge_index",
                                                                       "edge_weight", "batch"]
    edge_index = torch.tensor([[0, 1], [1, 0]])
    with pytest.raises(TypeError, match="batch="):
        edges_to_dense(edge_index, torch.tensor([0, 0]))
    assert edges_to_dense(edge_index, torch.tensor([2, 3])).sum().item() == 5


def test_the_benchmarks_refusals_and_one_seeds_std_are_as_the_page_says(tmp_path, capsys):
    _said("docs/training.md", "The benchmark scripts refuse a flag that their mode or stage does "
          "not read, in one line (exit 2) before any work (`knn_indexes.py digits --seed 5`, "
          "`scaling.py --plot` beside a run's flag or `--exact-max` without the `knn_exact` "
          "stage, `sparse_vs_dense.py --batch32` without 32 in `--sizes`, `asym_ablation.py "
          "--summarise` beside a run's flag), and record one seed's standard deviation as "
          "`null` (`miou_std` of `asym_ablation.py`, `std` of `translation_ablation.py`): one "
          "value has no spread.")
    from benchmark_scripts import load_benchmark, refused
    text = refused(capsys, "knn_indexes", ["digits", "--seed", "5", "--json",
                                           str(tmp_path / "k.json")])
    assert text.startswith("knn_indexes.py: error: --seed: not read with n = digits")
    bars = load_benchmark("_bars")
    assert bars.seed_std([0.5]) is None and bars.seed_std([1.0, 3.0]) > 0


def test_the_plots_refusal_of_a_checkpoint_without_a_fused_graph_is_the_pages():
    _said("docs/figures.md", "`adjacency` and `relation-graph` draw a checkpoint's fused graph, "
          "which of the node task's methods only `lego` and `lego-cp` build: a checkpoint of "
          "another (`graph-mean`, `gcn-mean`, `feature-concat`, ...) is refused, naming those "
          "two.")
    # the refusal itself runs in tests/test_cli_s34_plot_fused_graph.py (a training run)
    import inspect

    from pyg_fusion.cli import _plot_inputs
    assert "of the node task's methods, lego and lego-cp do" in inspect.getsource(_plot_inputs)
