"""Session 35: a node model saved whole (``torch.save(model)``) or copied
(``copy.deepcopy``) after a forward holds its parameters, not the last
input's features and graph."""
import copy
import io

import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.methods.node import NodeGCN, NodeLEGO


def _saved_size(model):
    buf = io.BytesIO()
    torch.save(model, buf)
    return buf.getbuffer().nbytes, buf


@pytest.mark.parametrize("cls", [NodeLEGO, NodeGCN])
def test_a_saved_or_copied_node_model_holds_no_graph(cls):
    g = torch.Generator().manual_seed(0)
    data = Data(x_a=torch.randn(300, 16, generator=g), x_b=torch.randn(300, 8, generator=g),
                num_nodes=300)
    torch.manual_seed(0)
    model = cls({"a": 16, "b": 8}, 3, k=5, hidden_channels=4).eval()
    before, _ = _saved_size(model)
    out = model(data)
    # before: the features' copy and the graph (NodeLEGO on 2000 nodes: 35 KB -> 35 MB)
    after, buf = _saved_size(model)
    assert after == before
    buf.seek(0)
    loaded, copied = torch.load(buf, weights_only=False), copy.deepcopy(model)
    assert loaded._cache.value is None
    # a copy in memory shares the graph, not a copy of it
    assert copied._cache.value is model._cache.value is not None
    for other in (loaded, copied):
        assert torch.equal(other(data), out)
    assert model._cache.value is not None  # the model's own cache is kept


def test_a_copy_of_a_node_model_called_once_runs_under_torch_func():
    # the docs' way to torch.func over a node model: one call outside the
    # transform builds its graph; a copy made after it (a meta-learner's
    # per-task copy) was refused, its graph emptied by the copy
    g = torch.Generator().manual_seed(0)
    data = Data(x_a=torch.randn(60, 6, generator=g), x_b=torch.randn(60, 5, generator=g),
                num_nodes=60)
    torch.manual_seed(0)
    model = NodeLEGO({"a": 6, "b": 5}, 3, k=5, hidden_channels=4)
    model(data)
    copied = copy.deepcopy(model)

    def loss(params):
        return torch.func.functional_call(copied, params, (data,)).pow(2).mean()
    grads = torch.func.grad(loss)(dict(copied.named_parameters()))
    assert all(torch.isfinite(g).all() for g in grads.values())
