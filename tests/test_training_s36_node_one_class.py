"""fit_node on a graph whose labels hold one class (a user's labels file of
one class, read by MultiViewTables in Python): refused as such, not as a
split to redo."""
import re

import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.methods import build_model
from pyg_fusion.training.node import fit_node


def test_labels_of_one_class_are_refused_as_such_not_as_a_split(tmp_path):
    n = 30
    g = torch.Generator().manual_seed(0)
    y = torch.zeros(n, dtype=torch.long)
    y[:4] = -1  # unlabelled rows count for no class
    split = torch.arange(n) % 3
    data = MultiSourceData(x_a=torch.randn(n, 5, generator=g), x_b=torch.randn(n, 4, generator=g),
                           y=y, train_mask=(split == 0) & (y >= 0),
                           val_mask=(split == 1) & (y >= 0), test_mask=(split == 2) & (y >= 0))
    model = build_model("graph-mean", "node", {"a": 5, "b": 4}, num_classes=2, k=4)
    # was "train_mask selects nodes of fewer than 2 classes ...; put nodes of
    # every class in train_mask (a stratified split)": no split can help
    with pytest.raises(ValueError, match=re.escape(
            "the graph's y holds fewer than 2 classes over its labelled nodes (classes [0]): "
            "there is nothing to tell apart, whatever the split; give labels of 2 classes or "
            "more (a labels file of one class, or the wrong label column?)")):
        fit_node(model, data, out_dir=tmp_path / "run", epochs=1, progress=False,
                 checkpoint=False)
    assert not (tmp_path / "run").exists()  # refused before any trainer
