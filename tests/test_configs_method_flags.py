"""An option that none of a run's methods reads is refused, as a dataset
option that the dataset does not read is: it would be recorded with the run
as if it had been applied. An option declares its readers (``methods``
metadata of the components' fields); several methods (``--method all``, a
list) accept an option one of them reads; a value at the task's default is
never refused, so that a printed config reads back; the specs of a method
(checkpoints, :func:`~pyg_fusion.methods.build_model`) are not checked."""
import pytest
import yaml

from pyg_fusion.cli import main
from pyg_fusion.methods import build_model, chosen_methods
from pyg_fusion.specs import MethodSpec, check_options


def _print_config(capsys, argv):
    try:
        rc = main([*argv, "--print-config"])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv, message", [
    # feature level on the node task: no powers
    (["train", "--dataset", "digits", "--method", "feature-concat", "--num-powers", "5"],
     "--num-powers is read by lego, lego-row, lego-cp; the chosen methods (feature-concat) "
     "read none of it"),
    # a feature model of one source on VAD builds no relationship graph
    (["train", "--dataset", "synthetic-vad", "--method", "single-i3d", "--k", "7"],
     "--k is read by lego, lego-row, lego-cp, graph-*; the chosen methods (single-i3d) read "
     "none of it"),
    # mtn scores features, not the rows of a graph
    (["compare", "--dataset", "synthetic-vad", "--method", "mtn", "--row-order", "position"],
     "--row-order is read by lego, lego-row, lego-cp, graph-*; the chosen methods (mtn) read "
     "none of it"),
    # graph level: no learned operator, whichever family member
    (["compare", "--dataset", "digits", "--method", "graph", "--fusion-rank", "2"],
     "--fusion-rank is read by lego-cp; the chosen methods (graph-*, graph-concat, "
     "graph-mean, graph-product) read none of it"),
    # within LEGO: lego-cp is the CP form whatever --operator, lego-row has no branch
    (["train", "--dataset", "synthetic-vad", "--method", "lego-cp", "--operator", "pairwise"],
     "--operator is read by lego, lego-row; the chosen methods (lego-cp) read none of it"),
    (["sweep", "--dataset", "synthetic-vad", "--method", "lego-row", "--branch-warmup"],
     "--branch-warmup is read by lego, lego-cp; the chosen methods (lego-row) read none of it"),
])
def test_a_flag_no_chosen_method_reads_is_refused(capsys, argv, message):
    rc, out, err = _print_config(capsys, argv)
    assert rc == 2 and out == ""
    assert err == f"pyg-fusion {argv[0]}: error: {message}\n"


def test_the_run_refuses_it_before_the_data_loads(tmp_path, capsys):
    root, out = tmp_path / "data", tmp_path / "out"
    for command in ("compare", "sweep"):
        rc = main([command, "--dataset", "synthetic-vad", "--method",
                   "mtn" if command == "compare" else "lego-row", "--root", str(root),
                   "--out", str(out), "--branch-scale", "0.5", "--no-progress"])
        assert rc == 2
        assert "--branch-scale is read by lego, lego-cp" in capsys.readouterr().err
    assert not root.exists() and not out.exists()


def test_a_config_file_is_checked_as_the_flags_are(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("method: graph-mean\nfusion: {init: mean}\n")
    rc, _, err = _print_config(capsys, ["train", "--dataset", "digits", "--config",
                                        str(tmp_path / "c.yaml")])
    assert rc == 2 and "--init is read by lego, lego-row, lego-cp; the chosen methods " \
        "(graph-mean) read none of it" in err


@pytest.mark.parametrize("argv, section, name, value", [
    # one of the methods reads it
    (["compare", "--dataset", "synthetic-vad", "--method", "all", "--row-order", "position"],
     "head", "row_order", "position"),
    (["compare", "--dataset", "synthetic-vad", "--method", "feature-concat,graph-mean",
      "--k", "5"], "graph", "k", 5),
    (["compare", "--dataset", "synthetic-vad", "--method", "single,lego-cp", "--fusion-rank",
      "2"], "fusion", "fusion_rank", 2),
    # on the node task every method builds its head's kNN graph with k
    (["train", "--dataset", "digits", "--method", "single-fou", "--k", "7"], "graph", "k", 7),
    (["train", "--dataset", "digits", "--method", "gcn-mean", "--k", "7"], "graph", "k", 7),
    # an option without readers is every method's
    (["train", "--dataset", "synthetic-vad", "--method", "mtn", "--hidden-channels", "16"],
     "head", "hidden_channels", 16),
])
def test_a_flag_one_chosen_method_reads_is_accepted(capsys, argv, section, name, value):
    rc, out, err = _print_config(capsys, argv)
    assert rc == 0, err
    assert yaml.safe_load(out)[section][name] == value


@pytest.mark.parametrize("argv", [
    # the task's defaults, given explicitly, for methods that read none of them
    ["train", "--dataset", "synthetic-vad", "--method", "feature-concat", "--num-powers", "3",
     "--init", "auto", "--operator-warmup", "auto", "--row-order", "sorted",
     "--branch-dropout", "0.1", "--operator", "full", "--zeroth", "ones", "--no-center"],
    ["train", "--dataset", "digits", "--method", "graph-mean", "--num-powers", "1",
     "--support", "shared", "--fusion-rank", "1"],
    # the graph-only setting's own defaults (P = 1, all pairs)
    ["train", "--dataset", "digits", "--method", "graph-mean", "--features", "labels",
     "--num-powers", "1", "--pairs", "all"],
])
def test_defaults_are_never_refused(capsys, argv):
    rc, _, err = _print_config(capsys, argv)
    assert rc == 0, err


@pytest.mark.parametrize("dataset", ["digits", "synthetic-vad"])
@pytest.mark.parametrize("method", ["feature-concat", "single-x", "graph-mean", "lego-cp",
                                    "mtn,graph-product", "all"])
def test_a_printed_config_reads_back(tmp_path, capsys, dataset, method):
    """A printed config holds every option, those that the methods do not
    read at the task's default (lego-cp's own start and warm-up, which it
    reads): read back, it prints the same."""
    if method.startswith("mtn") and dataset == "digits":
        method = "asym-shuffle,graph-product"
    # a source of the data set (one it lacks is refused before its data loads)
    method = method.replace("single-x", {"digits": "single-fou",
                                         "synthetic-vad": "single-i3d"}[dataset])
    argv = ["train", "--dataset", dataset, "--method", method]
    rc, text, err = _print_config(capsys, argv)
    assert rc == 0, err
    (tmp_path / "c.yaml").write_text(text)
    rc, again, err = _print_config(capsys, ["train", "--config", str(tmp_path / "c.yaml")])
    assert rc == 0, err
    assert again == text


def test_check_options_with_methods():
    assert check_options("vad", {"k": 5}, ["graph-accel"]) == {"k": 5}
    assert check_options("vad", {"k": 5}, ["feature-add", "graph-*"]) == {"k": 5}
    assert check_options("node", {"k": 5}, ["feature-add"]) == {"k": 5}
    with pytest.raises(ValueError, match=r"--k is read by .*graph-\*; the chosen methods "
                                         r"\(feature-add, mtn\) read none of it"):
        check_options("vad", {"k": 5}, ["feature-add", "mtn"])
    # without methods (a spec, a checkpoint's options): not checked against them
    assert check_options("vad", {"k": 5}) == {"k": 5}


def test_chosen_methods_before_the_sources_are_known():
    assert chosen_methods("all", "vad") == ["lego", "lego-cp", "lego-row", "single-*",
                                            "feature-concat", "feature-add", "feature-product",
                                            "mtn", "graph-*", "graph-concat", "graph-mean",
                                            "graph-product"]
    assert chosen_methods("lego, single-accel,feature", "vad") == [
        "lego", "single-accel", "feature-concat", "feature-add", "feature-product"]
    assert chosen_methods(["gcn", "asym"], "node") == ["gcn-*", "gcn-mean", "asym-shuffle"]
    # an item that names no method of any sources is resolve_methods' error, before the data
    with pytest.raises(ValueError, match="unknown method 'gcn' for task 'node' with "
                                         "features='labels' \\(it has no form with that head"):
        chosen_methods("gcn,asym-shuffle", "node", "labels")
    with pytest.raises(ValueError, match="unknown method 'lego-row' for task 'node'; known: "
                                         "lego, lego-cp, single-\\*"):
        chosen_methods("lego-row,bogus", "node")
    with pytest.raises(ValueError, match="^no method given$"):
        chosen_methods(" , ", "node")


def test_specs_and_models_are_not_checked_against_methods():
    """A method's spec (what a checkpoint holds, what build_model takes)
    keeps any option: old checkpoints load, and the library's callers may
    give one set of options to every method."""
    spec = MethodSpec.create("feature-concat", "vad", {"num_powers": 5, "k": 7})
    assert spec.powers.num_powers == 5 and spec.graph.k == 7
    model = build_model("feature-concat", "vad", {"a": 3, "b": 2}, num_segments=4, k=7,
                        row_order="position")
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("task", ["node", "vad"])
def test_a_fusion_rank_reaches_lego_cp_alone(task):
    # LEGO refuses a rank for the pairwise / full operators: lego and lego-row
    # built from options holding lego-cp's rank get rank 1 (they read none of
    # it; build_model takes one set of options for every method)
    kw = dict(num_classes=3) if task == "node" else dict(num_segments=4)
    for method in ["lego", "lego-cp"] + (["lego-row"] if task == "vad" else []):
        model = build_model(method, task, {"a": 3, "b": 2}, fusion_rank=2, **kw)
        fusion = model.lego.fusion
        if method == "lego-cp":
            assert (fusion.mode, fusion.rank) == ("cp", 2)
        else:  # the task's --operator (vad: full)
            assert fusion.mode in ("pairwise", "full") and fusion.rank == 1, method
