"""The rule "choose on validation data only": a run whose test split is
replaced (other labels, other features) chooses the same epoch, restart,
start and model, with the same held-out metrics, and only its test metrics
change."""
import copy

import pytest
import torch
from torch.utils.data import Dataset

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import seed_everything
from pyg_fusion.training.node import fit_node
from pyg_fusion.training.vad_fit import TEST_METRICS, fit_vad
from test_training_node import _toy_graph


class OtherTestVideos(Dataset):
    """The test videos with noise for features and their ground truth reversed."""

    def __init__(self, videos):
        self.videos = videos

    def __len__(self):
        return len(self.videos)

    def __getitem__(self, i):
        d = copy.copy(self.videos[i])
        g = torch.Generator().manual_seed(i)
        for s in d.sources:
            x = d[f"x_{s}"]
            d[f"x_{s}"] = 3 * torch.randn(x.shape, generator=g, dtype=x.dtype)
        d.frame_gt = d.frame_gt.flip(0)
        return d


def _weights(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def _same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_blind"))
    kw = dict(num_videos=(12, 8), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def test_a_vad_run_chooses_nothing_on_its_test_videos(videos, tmp_path):
    train, test = videos
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    runs = []
    for name, test_ds in (("test", test), ("other", OtherTestVideos(test))):
        r = fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8), train, test_ds,
                    out_dir=tmp_path / name, epochs=2, lr=1e-2, val_fraction=0.5, restarts=2,
                    restart_combine="mean", choice="pseudo_auc", operator_warmup="auto",
                    patience=1, seed=0, progress=False, checkpoint=False)
        runs.append(r)
    a, b = runs
    tested = {k for k in a if k.split("_", 1)[-1] in TEST_METRICS or k in TEST_METRICS}
    chosen = set(a) - tested - {"time_per_epoch_s", "trainer", "task"}
    assert {"epoch", "restart", "restart_val_scores", "restart_epochs",
            "operator_start_epoch", "val_pseudo_auc", "chosen_val_loss",
            "ensemble_val_loss"} <= chosen
    assert {k: a[k] for k in chosen} == {k: b[k] for k in chosen}
    assert _same_weights(_weights(a["task"].model), _weights(b["task"].model))
    assert a["auc"] != b["auc"] and a["chosen_auc"] != b["chosen_auc"]


@pytest.mark.parametrize("features", ["concat", "labels"])
def test_a_node_run_chooses_nothing_on_its_test_labels(features, tmp_path):
    data = _toy_graph()
    other = data.clone()
    y = other.y.clone()
    y[other.test_mask] = (y[other.test_mask] + 1) % 3
    other.y = y
    runs = []
    for name, graph in (("test", data), ("other", other)):
        seed_everything(1)
        # "labels": the labels as input, which label propagation takes from
        # the training nodes only
        model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                            features=features, **({"hidden_channels": 16}
                                                  if features == "concat" else {}))
        runs.append(fit_node(model, graph, out_dir=tmp_path / name, epochs=12, eval_every=2,
                             seed=1, progress=False, checkpoint=False))
    a, b = runs
    assert (a["epoch"], a["val_acc"], a["train_acc"]) == (b["epoch"], b["val_acc"], b["train_acc"])
    assert [h["val_acc"] for h in a["task"].history] == [h["val_acc"] for h in b["task"].history]
    assert _same_weights(_weights(a["task"].model), _weights(b["task"].model))
    assert a["test_acc"] != b["test_acc"]
