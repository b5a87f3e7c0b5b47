"""gradcheck in float64, in their parameters, for every model of the two
tasks (``pyg_fusion.methods.build_model``): the VAD models on a batch of
videos (LEGO's operator, row head and branch, the baselines' heads) and the
node models on one graph (with the label-propagation head too). The layers
they are built from are checked on their own elsewhere; this checks the
compositions, their caches of fixed graphs included (the features here are
fixed, so a model that keeps its graphs reuses them across gradcheck's
evaluations). Evaluation mode: no dropout draws."""
import pytest
import torch
from torch.autograd import gradcheck
from torch.func import functional_call
from torch_geometric.data import Batch, Data

from pyg_fusion.data import MultiSourceData
from pyg_fusion.methods import build_model, method_names

D = torch.float64


def _check(model, inputs, seed):
    # parameters moved off their starts (zero branch, product operator) so
    # that every term carries a gradient
    g = torch.Generator().manual_seed(seed)
    names = [n for n, _ in model.named_parameters()]
    with torch.no_grad():
        params = tuple((p + 0.1 * torch.randn(p.shape, generator=g, dtype=D)).requires_grad_()
                       for _, p in model.named_parameters())
    assert params

    def out(*p):
        got = functional_call(model, dict(zip(names, p)), (inputs, ))
        return got[0] if isinstance(got, tuple) else got
    assert gradcheck(out, params, fast_mode=True)


@pytest.mark.parametrize("method", method_names("vad", ["a", "b"]))
def test_vad_models(method):
    g = torch.Generator().manual_seed(0)
    videos = Batch.from_data_list([Data(x_a=torch.randn(6, 3, generator=g, dtype=D),
                                        x_b=torch.randn(6, 4, generator=g, dtype=D),
                                        num_nodes=6) for _ in range(3)])
    torch.manual_seed(0)
    model = build_model(method, "vad", {"a": 3, "b": 4}, num_segments=6).double().eval()
    _check(model, videos, 1)


@pytest.mark.parametrize("method,features", [
    *((m, None) for m in method_names("node", ["a", "b"])),
    ("lego", "labels"), ("graph-mean", "labels")])
def test_node_models(method, features):
    g = torch.Generator().manual_seed(2)
    n = 12
    data = MultiSourceData(x_a=torch.randn(n, 4, generator=g, dtype=D),
                           x_b=torch.randn(n, 3, generator=g, dtype=D),
                           y=torch.arange(3).repeat_interleave(4))
    data.train_mask = torch.arange(n) % 3 == 0
    torch.manual_seed(0)
    # the label-propagation head reads the training labels, and no hidden width
    kw = dict(hidden_channels=5) if features is None else dict(features=features)
    model = build_model(method, "node", {"a": 4, "b": 3}, num_classes=3, k=3,
                        **kw).double().eval()
    _check(model, data, 3)
