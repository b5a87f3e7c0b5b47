import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.methods import build_model, method_names, resolve_methods
from pyg_fusion.training import seed_everything
from pyg_fusion.training.accelerators import usable_cpus
from pyg_fusion.training.node import fit_node


def _toy_graph(n_per_class=20, classes=3, seed=0):
    """Two views of the same classes: view a separates classes 0/1 from 2,
    view b separates 0 from 1/2 -- together they separate all three."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(classes).repeat_interleave(n_per_class)
    n = y.numel()
    ca = torch.tensor([[3.0, 0, 0, 0], [3.0, 0, 0, 0], [0, 3.0, 0, 0]])
    cb = torch.tensor([[0, 0, 3.0], [3.0, 0, 0], [3.0, 0, 0]])
    data = MultiSourceData(x_a=ca[y] + torch.randn(n, 4, generator=g),
                           x_b=cb[y] + torch.randn(n, 3, generator=g), y=y)
    perm = torch.randperm(n, generator=g)
    masks = {}
    for name, idx in (("train", perm[:12]), ("val", perm[12:30]), ("test", perm[30:])):
        m = torch.zeros(n, dtype=torch.bool)
        m[idx] = True
        masks[name] = m
    data.train_mask, data.val_mask, data.test_mask = masks["train"], masks["val"], masks["test"]
    data.num_nodes = n
    return data


def test_every_node_method_builds_and_gives_logits():
    data = _toy_graph()
    names = method_names("node", ["a", "b"])
    assert {"lego", "lego-cp", "single-a", "feature-concat", "graph-mean", "graph-product",
            "graph-concat", "gcn-a", "gcn-mean"} <= set(names)
    for name in names:
        torch.manual_seed(0)
        model = build_model(name, "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                            num_nodes=data.num_nodes).eval()
        out = model(data)
        assert out.shape == (data.num_nodes, 3), name
        assert torch.isfinite(out).all(), name
        out.sum().backward()  # every model is trainable end to end


def test_featureless_head_and_registry_errors():
    data = _toy_graph()
    m = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                    features="none", num_nodes=data.num_nodes)
    assert m(data).shape == (data.num_nodes, 3)
    with pytest.raises(ValueError, match="unknown method 'graph-c'"):
        build_model("graph-c", "node", {"a": 4, "b": 3}, num_classes=3)
    with pytest.raises(ValueError, match="num_classes"):
        build_model("lego", "node", {"a": 4, "b": 3})
    assert resolve_methods("lego,single", "node", ["a", "b"]) == ["lego", "single-a",
                                                                    "single-b"]
    with pytest.raises(ValueError, match="unknown method"):
        resolve_methods("nope", "vad", ["a"])


def test_fit_node_learns_and_is_deterministic(tmp_path):
    data = _toy_graph()
    results = []
    for run in range(2):
        seed_everything(1)
        model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                            hidden_channels=16)
        r = fit_node(model, data, out_dir=tmp_path / f"r{run}", epochs=15, eval_every=5,
                     seed=1, progress=False, checkpoint=False)
        results.append(r)
    a, b = results
    assert a["val_acc"] == b["val_acc"] and a["test_acc"] == b["test_acc"]
    assert a["epoch"] == b["epoch"]
    # the two views together separate the three classes; chance is 1/3
    assert a["test_acc"] > 0.6
    assert a["params"] == sum(p.numel() for p in a["task"].model.parameters())


def test_the_last_epoch_is_evaluated_when_eval_every_does_not_divide_epochs(tmp_path):
    data = _toy_graph()
    seed_everything(1)
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16)
    r = fit_node(model, data, out_dir=tmp_path, epochs=7, eval_every=5, seed=1,
                 progress=False, checkpoint=True)
    assert [m["epoch"] for m in r["task"].history] == [4, 6]   # 0-based, the last one too
    assert r["epoch"] in (4, 6) and (tmp_path / "checkpoints" / "best.ckpt").is_file()
    # metrics.csv labels that evaluation with the epoch it scored, not the one after
    import csv
    (log, ) = (tmp_path / "logs").glob("version_*/metrics.csv")
    rows = [row for row in csv.DictReader(open(log)) if row.get("val_acc")]
    assert [int(row["epoch"]) for row in rows] == [4, 6]


def test_lego_node_cache_follows_the_features():
    data = _toy_graph()
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5).eval()
    ei1, w1 = model.fused_graph(data)
    data.x_a = data.x_a[torch.randperm(data.num_nodes)]  # new features: new graph
    ei2, w2 = model.fused_graph(data)
    assert ei1.shape != ei2.shape or not torch.equal(ei1, ei2) or not torch.equal(w1, w2)


@pytest.mark.skipif(usable_cpus() < 2, reason="2 DDP processes on the CPU need 2 CPUs")
def test_ddp_two_processes_gather_the_same_node_metrics(tmp_path, cpu_ddp):
    from pyg_fusion.training.node import NodeClassification, single_graph_loader
    from pyg_fusion.training.trainer import build_trainer
    data = _toy_graph()
    seed_everything(0)
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    task = NodeClassification(model)
    metrics = []
    for devices, strategy in ((1, "auto"), (2, cpu_ddp)):
        trainer = build_trainer(tmp_path / str(devices), max_epochs=1, seed=0,
                                devices=devices, strategy=strategy,
                                progress=False, checkpoint=False)
        trainer.validate(task, single_graph_loader(data), verbose=False)
        assert trainer.world_size == devices
        metrics.append({k: float(v) for k, v in trainer.callback_metrics.items()})
    assert set(metrics[0]) == {"val_acc", "test_acc"}
    assert metrics[1] == metrics[0]


def test_a_run_into_a_used_folder_replaces_its_checkpoints(tmp_path):
    # Lightning's version counter wrote best-v1.ckpt beside the first run's
    # best.ckpt, which evaluate then read
    data = _toy_graph()
    epochs = []
    for n in (1, 6):
        seed_everything(0)
        model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
        fit_node(model, data, out_dir=tmp_path, epochs=n, eval_every=1, seed=0,
                 progress=False, checkpoint=True)
        epochs.append(torch.load(tmp_path / "checkpoints" / "last.ckpt",
                                 weights_only=True)["epoch"])
    assert epochs == [0, 5]  # the 0-based epoch of the last save
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == \
        ["best.ckpt", "last.ckpt"]


def test_a_split_without_validation_nodes_or_of_one_class_is_an_error(tmp_path):
    data = _toy_graph()
    data.val_mask = torch.zeros_like(data.val_mask)
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    with pytest.raises(ValueError, match="val_mask selects no node"):
        fit_node(model, data, out_dir=tmp_path, epochs=1, progress=False, checkpoint=False)
    data = _toy_graph()
    data.y = torch.zeros_like(data.y)
    with pytest.raises(ValueError, match="fewer than 2 classes"):
        fit_node(model, data, out_dir=tmp_path, epochs=1, progress=False, checkpoint=False)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "epochs must be >= 1, got 0"),
    (dict(eval_every=0), ValueError, "eval_every must be >= 1, got 0"),
    (dict(devices=0), ValueError, "devices must be >= 1, got 0"),
    (dict(epochs=2.5), TypeError, "epochs must be an int, got 2.5"),
])
def test_fit_node_checks_its_schedule(tmp_path, kwargs, error, message):
    """The Python API's own checks (epochs=0 trained nothing and reported no
    accuracy; eval_every=0 was read as 1)."""
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    with pytest.raises(error, match=message):
        fit_node(model, _toy_graph(), out_dir=tmp_path, progress=False, checkpoint=False,
                 **{"epochs": 1, **kwargs})
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="out_dir .*file' is a file; expected a folder"):
        fit_node(model, _toy_graph(), out_dir=tmp_path / "file", epochs=1, progress=False,
                 checkpoint=False)


@pytest.mark.parametrize("options, message", [
    (dict(hidden_channels=0), "hidden_channels must be an int >= 1, got 0"),
    (dict(epochs=2.5), "epochs must be an int >= 1, got 2.5"),
    (dict(lr=float("nan")), "lr must be a finite number > 0"),
    (dict(dropout=1.5), r"dropout must be a number in \[0, 1\)"),
    (dict(num_powers={"a": -1, "b": 2}), "num_powers must be an int >= 0"),
])
def test_options_given_in_python_are_checked_as_the_flags_are(options, message):
    with pytest.raises(ValueError, match=message):
        build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, **options)


def test_build_trainer_takes_deterministic(tmp_path, monkeypatch):
    """A caller may say how deterministic a run must be (CUDA has no
    deterministic backward for some ops): a second keyword was a TypeError."""
    import pyg_fusion.training.trainer as T
    seen = []
    monkeypatch.setattr(T, "Trainer", lambda **kw: seen.append(kw["deterministic"]))
    for value in (True, "warn", False):
        T.build_trainer(tmp_path / str(value), max_epochs=1, seed=None, progress=False,
                        checkpoint=False, deterministic=value)
    T.build_trainer(tmp_path / "cpu", seed=None, progress=False, checkpoint=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # as on a GPU machine
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    T.build_trainer(tmp_path / "gpu", seed=None, progress=False, checkpoint=False,
                    accelerator="cuda")
    assert seen == [True, "warn", False, True, "warn"]
