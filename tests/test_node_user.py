"""Node classification as a user drives it: their own views as tensors
(numpy arrays), their own masks, through the method registry and fit_node."""
import re

import numpy as np
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.methods import build_model

METHODS = ["lego", "graph-mean", "graph-concat", "feature-concat", "gcn-mean", "asym-shuffle"]


def _graph(n=30, seed=0):
    rng = np.random.default_rng(seed)
    y = torch.as_tensor(rng.integers(0, 3, n))
    a = torch.as_tensor(rng.normal(size=(n, 5)), dtype=torch.float32) + y[:, None]
    b = torch.as_tensor(rng.normal(size=(n, 4)), dtype=torch.float32) - y[:, None]
    masks = torch.zeros(3, n, dtype=torch.bool)
    masks[torch.arange(n) % 3, torch.arange(n)] = True
    return MultiSourceData(x_a=a, x_b=b, y=y, train_mask=masks[0], val_mask=masks[1],
                           test_mask=masks[2])


def _model(method, data):
    torch.manual_seed(0)
    return build_model(method, "node", {"a": 5, "b": 4}, num_classes=3, k=4).eval()


@pytest.mark.parametrize("method", METHODS)
def test_node_models_name_the_source_of_bad_features(method):
    data = _graph()
    model = _model(method, data)
    ref = model(data)
    assert ref.shape == (30, 3) and bool(torch.isfinite(ref).all())

    bad = data.clone()
    bad.x_b = data.x_b[:25]  # another number of rows (was torch.cat's error)
    with pytest.raises(ValueError, match=re.escape(
            "x_b must be [num_nodes, d] = [30, d] (one row per node, every source on the "
            "same nodes), got shape (25, 4)")):
        model(bad)
    bad = data.clone()
    bad.x_a = data.x_a.double()  # numpy's float64 (was a matrix product's dtype error)
    with pytest.raises(TypeError, match=re.escape(
            "x_a is torch.float64 on cpu but the model's parameters are torch.float32 on cpu")):
        model(bad)
    bad = data.clone()
    bad.x_b = data.x_b.clone()
    bad.x_b[7, 1] = float("nan")  # was 'x contains 1 NaN', naming no source
    with pytest.raises(ValueError, match=re.escape("x_b contains 1 NaN or Inf value(s)")):
        model(bad)
    # the fixed graph scores as before, and float64 data scores in a float64 model
    assert torch.equal(model(data), ref)
    double = data.clone()
    double.x_a, double.x_b = data.x_a.double(), data.x_b.double()
    out = model.double()(double)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out.float(), ref, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("a, b", [("train_mask", "test_mask"), ("train_mask", "val_mask"),
                                  ("val_mask", "test_mask")])
def test_fit_node_refuses_masks_that_share_nodes(tmp_path, a, b):
    from pyg_fusion.training.node import fit_node
    data = _graph()
    first = int(data[b].nonzero()[0])
    data[a] = data[a].clone()
    data[a][data[b]] = True  # e.g. every labelled node in training, test a subset
    with pytest.raises(ValueError, match=re.escape(
            f"the graph's {a} and {b} share 10 node(s) (the first: node {first}): a node is "
            f"trained on, chosen on or scored on in one split only; make the masks disjoint")):
        fit_node(_model("graph-mean", data), data, out_dir=tmp_path, epochs=1,
                 progress=False, checkpoint=False)


@pytest.mark.parametrize("task", ["node", "vad"])
@pytest.mark.parametrize("name", ["mean", "concat", "product"])
def test_a_source_named_after_a_graph_fusion_is_refused(task, name):
    from pyg_fusion.methods import method_names
    # the view's own graph method and the fusion shared one name, and the
    # table kept the fusion only (graph-mean ran the mean of all graphs)
    with pytest.raises(ValueError, match=re.escape(
            f"a source may not be named {name!r}: the method of its own graph, graph-{name}, "
            f"would have the name of the fusion of all the sources' graphs, graph-{name}")):
        method_names(task, [name, "b"])
    with pytest.raises(ValueError, match="may not be named"):
        build_model("lego", task, {name: 3, "b": 4}, num_classes=2)
    names = method_names(task, ["add", "b"])  # graph-add is no method of the registry
    assert len(names) == len(set(names)) and {"graph-add", "graph-mean"} <= set(names)


@pytest.mark.parametrize("method", METHODS)
def test_node_models_name_widths_and_node_counts_they_were_not_built_for(method):
    data = _graph()
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 6, "b": 4}, num_classes=3, k=4)
    with pytest.raises(ValueError, match=re.escape(  # was 'mat1 and mat2 shapes cannot be...'
            "x_a has 5 features, but the model was built for 6 (in_channels['a'])")):
        model(data)
    if method == "asym-shuffle":  # it exchanges features: no featureless form
        return
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 5, "b": 4}, num_classes=3, k=4,
                        features="none", num_nodes=40)
    with pytest.raises(ValueError, match=re.escape(
            "the model was built with features='none' (one learned input per node) for "
            "num_nodes=40, but the graph has 30 nodes")):
        model(data)
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 5, "b": 4}, num_classes=3, k=4,
                        features="none", num_nodes=30).eval()
    out = model(data)
    assert out.shape == (30, 3) and torch.equal(out, model(data))


def test_dataset_arguments_of_the_wrong_type_are_named(tmp_path):
    from pyg_fusion.datasets import MultiFeatureDigits, MultiViewTables
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "a.csv", rng.normal(size=(12, 3)), delimiter=",")
    np.savetxt(tmp_path / "y.csv", np.arange(12) % 2, fmt="%d")
    kw = dict(views=[str(tmp_path / "a.csv")], labels=str(tmp_path / "y.csv"), log=False)
    # a column's name failed in a comparison ('<=' not supported...), a float
    # as an index (IndexError), views=None on iteration ('NoneType' object...)
    for bad in ("label", 0.0, True):
        with pytest.raises(TypeError, match=re.escape(
                f"label_column must be an int (a column number, -1 the last), got {bad!r}")):
            MultiViewTables(str(tmp_path / "ds"), **kw, label_column=bad)
    with pytest.raises(TypeError, match=re.escape(
            "views must be a dict {name: file} or a list of files, got NoneType")):
        MultiViewTables(str(tmp_path / "ds"), **{**kw, "views": None})
    data = MultiViewTables(str(tmp_path / "ds"), **kw, label_column=np.int64(0))[0]
    assert data.y.tolist() == [0, 1] * 6 and data.x_a.shape == (12, 3)
    # 'pix' was read as the views 'p', 'i', 'x'
    with pytest.raises(TypeError, match=re.escape(
            "views must be a sequence of view names, e.g. ['pix'], got the single string "
            "'pix'")):
        MultiFeatureDigits(str(tmp_path / "digits"), views="pix", log=False)


def test_npz_files_of_several_arrays_say_how_to_choose_one(tmp_path):
    from pyg_fusion.datasets import MultiViewTables
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3)), np.arange(12) % 2
    np.savez(tmp_path / "data.npz", X=x, y=y)  # the usual layout of a numpy user
    np.save(tmp_path / "y.npy", y)
    views = {"x": str(tmp_path / "data.npz")}

    def tables(**kw):
        return MultiViewTables(str(tmp_path / "ds"), log=False, **{"views": views, **kw})
    # the error said 'pass npz_key', an argument of no dataset
    with pytest.raises(ValueError, match=re.escape(
            "holds arrays ['X', 'y']; choose one with npz_keys={'x': KEY} (pyg-fusion: one "
            "array per file)")):
        tables(labels=str(tmp_path / "y.npy"))
    with pytest.raises(ValueError, match=re.escape(
            "labels: " + str(tmp_path / "data.npz") + " holds arrays ['X', 'y']; save the "
            "labels as a file of their own (.npy, .csv)")):
        tables(labels=str(tmp_path / "data.npz"), npz_keys={"x": "X"})
    # a misspelt view's key was ignored
    with pytest.raises(ValueError, match=re.escape(
            "npz_keys names ['X'], which are not views (views: ['x'])")):
        tables(labels=str(tmp_path / "y.npy"), npz_keys={"X": "X"})
    data = tables(labels=str(tmp_path / "y.npy"), npz_keys={"x": "X"})[0]
    assert torch.equal(data.x_x, torch.as_tensor(x, dtype=torch.float32))
    assert data.y.tolist() == y.tolist()


def test_a_plain_pyg_data_of_sources_is_named_not_misread(tmp_path):
    from torch_geometric.data import Data

    from pyg_fusion.training.node import fit_node
    g = _graph()
    keys = ("x_a", "x_b", "y", "train_mask", "val_mask", "test_mask")
    data = Data(**{k: g[k] for k in keys})  # PyG counts nodes from x: None here
    model = _model("graph-mean", data)
    # was "y must be torch.long class ids of shape [None] ..., got torch.int64 of shape (30,)"
    with pytest.raises(ValueError, match=re.escape(
            "the graph's num_nodes is unknown (PyG infers it from x, which a graph of "
            "x_<source> lacks): build it as pyg_fusion.data.MultiSourceData, or set "
            "data.num_nodes")):
        fit_node(model, data, out_dir=tmp_path, epochs=1, progress=False, checkpoint=False)
    # the sources' rows are still checked against each other (was torch.cat's error)
    short = Data(**{k: g[k] for k in keys})
    short.x_b = g.x_b[:25]
    with pytest.raises(ValueError, match=re.escape("x_b must be [num_nodes, d] = [30, d]")):
        model(short)
    assert torch.equal(model.eval()(data), model(g))  # the same graph scores alike


def test_a_method_without_a_form_for_the_head_says_so():
    from pyg_fusion.methods import resolve_methods
    # was "unknown method 'gcn-a' for task 'node'; known: ... (or all, single,
    # feature, graph, gcn)", as if gcn-a did not exist
    for spec, features in (("gcn-a", "labels"), ("gcn", "labels"), ("asym-shuffle", "none")):
        with pytest.raises(ValueError, match=re.escape(
                f"unknown method {spec!r} for task 'node' with features={features!r} (it has "
                f"no form with that head); known: lego, lego-cp, single-a")):
            resolve_methods(spec, "node", ["a", "b"], features)
    with pytest.raises(ValueError, match=re.escape("unknown method 'gcn-x' for task 'node'; "
                                                   "known: ")):
        resolve_methods("gcn-x", "node", ["a", "b"], "labels")
    assert resolve_methods("gcn", "node", ["a", "b"], "none") == ["gcn-a", "gcn-b", "gcn-mean"]


def test_a_class_too_small_for_the_split_is_named_by_its_label(tmp_path):
    from pyg_fusion.datasets import MultiViewTables
    np.savetxt(tmp_path / "a.csv", np.random.default_rng(0).normal(size=(90, 3)),
               delimiter=",")
    (tmp_path / "y.csv").write_text("\n".join(["cat"] * 44 + ["dog"] * 45 + ["zebra"]) + "\n")
    # was "class 2 has 1 node(s)", the id of no label of the file
    with pytest.raises(ValueError, match=re.escape(
            "class 'zebra' has 1 node(s): none left for training after val_rate=0.5 and "
            "test_rate=0.4")):
        MultiViewTables(str(tmp_path / "ds"), [str(tmp_path / "a.csv")],
                        str(tmp_path / "y.csv"), val_rate=0.5, test_rate=0.4, log=False)


@pytest.mark.parametrize("method", ["lego", "graph-mean", "graph-concat", "single-a"])
def test_a_label_propagation_model_names_the_seed_labels_it_needs(method):
    g = _graph()
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 5, "b": 4}, num_classes=3, k=4,
                        features="labels").eval()
    msg = re.escape("features='labels' propagates the labels of the seed nodes: the data "
                    "needs y and train_mask (or pass seed_mask=)")
    # was AttributeError "'GlobalStorage' object has no attribute 'train_mask'" and
    # TypeError 'y must be a torch.Tensor, got NoneType'
    with pytest.raises(ValueError, match=msg):
        model(MultiSourceData(x_a=g.x_a, x_b=g.x_b, y=g.y))
    with pytest.raises(ValueError, match=msg):
        model(MultiSourceData(x_a=g.x_a, x_b=g.x_b, train_mask=g.train_mask))
    seeded = model(MultiSourceData(x_a=g.x_a, x_b=g.x_b, y=g.y), seed_mask=g.train_mask)
    assert torch.equal(seeded, model(g))
