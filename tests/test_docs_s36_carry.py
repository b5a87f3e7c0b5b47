"""What this session's code changes made the docs say, held to the code."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_comment_lines_of_a_vad_list_are_skipped_as_the_datasets_page_says(tmp_path):
    # 0867738: list_rows skips '#' lines; the header check reads the first line after them
    said = _page("datasets/README.md")
    assert ("A line whose first non-blank character is `#` is a comment, skipped (a `#` "
            "inside an entry, `clip/a#1.npy`, is kept).") in said
    from pyg_fusion.datasets._vad_lists import list_rows
    path = tmp_path / "train.list"
    path.write_text("# UCF-Crime train split\npath,label\n  # i3d/b.npy,1\nclip/a#1.npy,0\n")
    assert list_rows(str(path)) == [["clip/a#1.npy", "0"]]


def test_the_probes_methods_quotes_are_those_of_knn_probes_json():
    # methods.md gave 0.9822 for seed 100, 10 probes at N = 262144, where the record holds
    # 0.9823 (0.9822 is 2^20's at 24 probes)
    import json
    import re
    said = _page("docs/methods.md")
    said = said[said.index("at N = 262144 (1024 lists of 256"):]
    said = said[:said.index("the first half of a fixed split of the digits")]
    record = json.loads((ROOT / "benchmarks" / "results" / "knn_probes.json").read_text())
    recall = {(r["n"], r["seed"], r["nprobe"]): r["recall"] for r in record["rows"]}
    quoted = []
    for n, part in ((262144, said[:said.index("at N = 2^20")]),
                    (1048576, said[said.index("at N = 2^20"):])):
        for a, b, probes in re.findall(r"(0\.\d{4}) / (0\.\d{4}) at (\d+)", part):
            quoted.append((n, int(probes)))
            assert (float(a), float(b)) == (recall[n, 100, int(probes)],
                                             recall[n, 101, int(probes)]), (n, probes)
    assert len(quoted) == 8


def test_the_locality_orders_threshold_is_stated_as_the_code_applies_it():
    # LEGO takes the locality order from LOCALITY_MIN_NODES nodes on (>=), on the CPU;
    # §1.2 said 'above' it, §3 'at least'
    import inspect

    from pyg_fusion.nn import lego
    assert ">= LOCALITY_MIN_NODES and use_scipy(" in inspect.getsource(lego.LEGO)
    said = _page("docs/methods.md")
    assert "above `LOCALITY_MIN_NODES`" not in said
    assert ("on the CPU, where a batch's largest graph has at least `LOCALITY_MIN_NODES` "
            "nodes, a tie at `prune_k` goes to the smaller index of the locality order") in said
    assert "least `LOCALITY_MIN_NODES` nodes (`nn/lego.py`)" in said


def test_node_models_search_equal_fixed_features_once_as_lego_api_says(monkeypatch):
    # 2392f21 (helper E): one search of equal fixed features for all node models
    said = _page("docs/lego_api.md")
    assert ("equal fixed features (same content, same graph options) are searched once while "
            "those tensors live") in said
    from pyg_fusion.methods import build_model
    from test_methods_s36_shared_graphs import _counted, _data
    calls, data = _counted(monkeypatch), _data(seed=36, n=30)
    for name in ("graph-mean", "gcn-mean", "single-a"):
        build_model(name, "node", {"a": 5, "b": 3}, num_classes=2, k=4)(data)
    assert sorted(calls) == [(30, 3), (30, 5)]


def test_a_transform_class_of_a_script_names_its_cache_by_its_forward_as_the_page_says():
    # 95429f8 (helper P): an object's identity holds the functions of its class;
    # 209cf55 (helper R): and its other class-level values, not its docstring
    said = _page("datasets/README.md")
    assert ("an object's class, its attributes and the functions and other class-level values "
            "(constants, properties) of its class and of its bases in the class's module, "
            "functions as functions are known, so that an edit of the `forward` or of a "
            "`factor = 2` of a transform class in your script processes again, and one of its "
            "docstring does not") in said
    from pyg_fusion.datasets._identity import callable_identity

    def identity(factor, constant, doc):
        namespace = {"__name__": "user_script"}
        exec("from torch_geometric.transforms import BaseTransform\n"
             "class Scale(BaseTransform):\n"
             f"    '''{doc}'''\n"
             f"    factor = {constant}\n"
             "    def forward(self, data):\n"
             f"        data.x_a = data.x_a * self.factor * {factor}\n"
             "        return data\n", namespace)
        return callable_identity(namespace["Scale"]()), namespace
    first, namespace = identity(1, 2, "doubles")
    assert identity(2, 2, "doubles")[0] != first  # forward edited
    assert identity(1, 3, "doubles")[0] != first  # the class constant edited
    assert identity(1, 2, "scales")[0] == first   # the docstring alone
    # a class given itself: by name, as the page says
    assert callable_identity(namespace["Scale"])[1][1] == "user_script.Scale"


def test_jacfwd_and_vmap_over_lego_are_as_lego_api_says():
    # b8c57fe (helper B): jacfwd / hessian through the dense backend, rbf included; vmap refused
    said = _page("docs/lego_api.md")
    assert ("`torch.func.vmap` over the features (of `LEGO` on either backend, "
            "`dense_relation_graph`, `dense_graph_powers`, `RelationGraph.dense`) is a "
            "`RuntimeError` naming the argument") in said
    import pytest
    import torch

    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(1)
    xa, xb = torch.randn(6, 3, generator=g), torch.randn(6, 4, generator=g)
    lego = LEGO({"a": 3, "b": 4}, 2, backend="dense", metric="rbf")
    torch.func.hessian(lambda a: lego({"a": a, "b": xb}).to_dense().sum())(xa)
    for backend in ("dense", "sparse"):
        lego = LEGO({"a": 3, "b": 4}, 2, backend=backend, k=3)
        with pytest.raises(RuntimeError, match=r"xs\['a'\] is checked .* one batch"):
            torch.func.vmap(lambda a, b: lego({"a": a, "b": b}).edge_weight.sum())(
                xa.expand(2, 6, 3), xb.expand(2, 6, 4))


def test_where_a_configs_relative_paths_are_read_from_is_on_the_training_page():
    # 31c5e77 (helper C): --config's help says it; the page says what the help says
    said = _page("docs/training.md")
    assert ("`--config FILE.yaml` reads one back (flags after it override it; a relative path in "
            "it is read as its flag's, from the current folder, not the file's,") in said
    from pyg_fusion.cli import build_parser
    help_text = " ".join(build_parser()._subparsers._group_actions[0].choices["train"]
                         .format_help().split())
    assert "A relative path in it is read as the flag's: from the current folder, not the " \
        "file's" in help_text


def test_all_crops_ground_truth_is_one_crops_as_the_datasets_page_says(tmp_path):
    # cb23d1a (helper P): with crops="all" the public array is one crop's graphs' frame_gt
    said = _page("datasets/README.md")
    assert ("gives the public concatenated array (with `crops=\"all\"`, over the graphs of one "
            "crop, `ds[ds.crop == 0].frame_gt`: each crop's graph holds its video's)") in said
    import torch

    from pyg_fusion.datasets import SyntheticVAD
    kw = dict(num_videos=(2, 3), snippets=(8, 10), num_segments=4, num_crops=2, log=False)
    mean = SyntheticVAD(str(tmp_path), "test", **kw)
    ds = SyntheticVAD(str(tmp_path), "test", crops="all", **kw)
    assert torch.equal(ds[ds.crop == 0].frame_gt, mean.frame_gt)


def test_gpu_checks_caps_and_exit_status_are_as_the_scaling_page_says():
    # efc15fa (BM): the tests step's cap is 180 s; any failed step, a timeout included, exits 1
    said = _page("docs/results/scaling.md")
    assert ("each step has a cap (the tests' 180 s), and the script exits 1 if any step failed "
            "or reached its cap") in said
    script = (ROOT / "benchmarks" / "gpu_check.sh").read_text()
    assert 'run_step tests 180 ' in script and "timed out at its cap of $cap s" in script
    assert 'failed: ${said:2} (logs in $out)" >&2\n    exit 1' in script


def test_the_datasets_pyg_api_differences_are_as_the_page_says(tmp_path):
    # 70ea41f, 5a78ef3, a448828 (helper P): a bool list is a mask; a transform returning
    # None is named; to_on_disk_dataset gives MultiSourceData back
    said = _page("datasets/README.md")
    assert ("Indexing and conversion are PyG's `Dataset` API with three differences: a list of "
            "bools") in said
    import pytest

    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.datasets import SyntheticVAD
    kw = dict(num_videos=(2, 2), snippets=(8, 10), num_segments=4, log=False)
    ds = SyntheticVAD(str(tmp_path / "data"), "train", **kw)
    mask = [i % 2 == 1 for i in range(len(ds))]
    assert [g.video for g in ds[mask]] == [ds[i].video for i in range(1, len(ds), 2)]
    with pytest.raises(IndexError, match="one entry per graph"):
        ds[[True] * (len(ds) + 1)]

    def forgets_return(data):
        data.x_i3d = data.x_i3d * 2
    with pytest.raises(TypeError, match="forgets_return"):
        SyntheticVAD(str(tmp_path / "data"), "train", transform=forgets_return, **kw)[0]
    assert isinstance(ds.to_on_disk_dataset(str(tmp_path / "disk"), log=False)[0],
                      MultiSourceData)


def test_a_pre_transform_names_the_cache_as_it_was_when_the_dataset_was_made():
    # 3b1471f (helper P): stateful pre_transforms name the same cache on the next run
    assert ("Both are read as they are when the dataset is made: one that changes as it runs (a "
            "count of its calls, statistics fitted on its first graph) names the same cache on "
            "the next run.") in _page("datasets/README.md")
    assert ("`pre_filter` included (as they are when the dataset is made: one that changes as it "
            "runs names the same file on the next run)") in _page("docs/bad_input.md")


def test_a_leading_tilde_is_the_home_folder_as_the_training_page_says(tmp_path, monkeypatch,
                                                                      capsys):
    # 7ba7748, b4ac018 (helper C): every path of the CLI, --config's own, expands '~'
    assert ("and a leading `~` in any path, the file's own, its values' or a quoted flag's, is "
            "the home folder;") in _page("docs/training.md")
    import yaml

    from pyg_fusion.cli import main
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text("dataset: digits\nroot: ~/data\n")
    assert main(["train", "--config", "~/run.yaml", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["root"] == str(tmp_path / "data")


def test_the_figures_user_graphs_and_dataset_masks_are_as_the_pages_say(tmp_path):
    # 3151437: [E, 1] edge_weight, a dict of Data panels, a list refused; 1337409: a list of
    # one-element bool tensors is a mask
    said = _page("docs/figures.md")
    assert "`edge_weight` (`[E]` or `[E, 1]`), else a one-column `edge_attr`, else the " \
        "`weight` that `from_networkx` keeps where it holds one value per edge" in said
    assert 'at your `rcParams["savefig.dpi"]` where you set it to a number, else 110 dpi' in said
    assert ("Several graphs in one figure are a dict `{panel title: graph}` (a plain `Data` is "
            "one panel); a list of graphs is refused, saying so.") in said
    assert "or of one-element bool tensors, `ds[[g.y == 0 for g in ds]]`) is a mask" in \
        _page("datasets/README.md")
    import pytest
    import torch
    from torch_geometric.data import Data

    from pyg_fusion.visualize import plot_adjacency
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]])
    data = Data(edge_index=ei, edge_weight=torch.rand(3, 1), num_nodes=3)
    plot_adjacency({"given": data, "again": data}, path=str(tmp_path / "a.png"))
    # 096598e (helper V): from_networkx's data.weight, one per edge (4 nodes, 3 edges)
    weighted = Data(edge_index=ei, weight=torch.tensor([1.0, 2.0, 3.0]), num_nodes=4)
    plot_adjacency(weighted, path=str(tmp_path / "w.png"))
    with pytest.raises(Exception, match="one value per edge and one per node"):
        plot_adjacency(Data(edge_index=ei, weight=torch.ones(3), num_nodes=3))
    with pytest.raises(Exception, match="dict"):
        plot_adjacency([data, data], path=str(tmp_path / "b.png"))


def test_a_callers_figure_keeps_its_title_as_the_figures_page_says():
    # 62e77c4 (helper V): given ax=, no suptitle over the caller's figure
    assert ("draws into `ax=` when given one (and then leaves that figure's own title alone: a "
            "heading is set only on a figure it makes, or where `title=` asks for one; "
            "`plot_anomaly_scores` then draws its legend in the first given axes, not over the "
            "figure)") in _page("docs/figures.md")
    import matplotlib.pyplot as plt
    import numpy as np

    from pyg_fusion.visualize import plot_power_expansion
    fig, axes = plt.subplots(1, 2)
    try:
        fig.suptitle("mine")
        plot_power_expansion(np.stack([np.eye(3), np.ones((3, 3)) / 3]), ax=axes)
        assert fig._suptitle.get_text() == "mine"
        # f2350ad (helper V): the anomaly legend in the caller's first axes
        from pyg_fusion.visualize import plot_anomaly_scores
        plot_anomaly_scores({"v": np.linspace(0, 1, 8)}, ax=axes[1])
        assert axes[1].get_legend() is not None and not fig.legends
    finally:
        plt.close(fig)


def test_build_trainers_callbacks_and_resumed_loaders_are_as_the_training_page_says(tmp_path):
    # 3ed3fd3, 7c7335f, 1f82971 (helper K)
    said = _page("docs/training.md")
    assert "and with loaders that keep their workers (`persistent_workers=True`; not under DDP" \
        in said
    assert ("`build_trainer` takes `callbacks` and `plugins` as Lightning's `Trainer` does (one, "
            "a list or `None`): a `ModelCheckpoint` of your own is kept beside its `best.ckpt` / "
            "`last.ckpt`") in said
    from lightning.pytorch.callbacks import ModelCheckpoint

    from pyg_fusion.training import build_trainer
    mine = ModelCheckpoint(dirpath=str(tmp_path / "mine"))
    trainer = build_trainer(str(tmp_path / "run"), max_epochs=1, callbacks=mine)
    assert mine in trainer.callbacks
    build_trainer(str(tmp_path / "run2"), max_epochs=1, callbacks=None, plugins=None)
