"""The LEGO layers inside a user's own module, as a PyG user would use them:
training steps on a Batch of graphs of different sizes, gradients to every
parameter, copies, saved and reloaded models, resets, dtypes and backends."""
import copy
import pickle

import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO, GraphHead, LabelPropagationHead, LEGOFusion, RowHead

SIZES = (1, 4, 2, 7)  # a graph of one node, and k = 10 >= N for every graph


class Model(torch.nn.Module):
    def __init__(self, backend: str, knn: str = "exact"):
        super().__init__()
        self.lego = LEGO({"a": 3, "b": 5}, 2, k=10, proj_channels=4, backend=backend, knn=knn)
        self.head = GraphHead(3, 8, 2, dropout=0.0)

    def forward(self, batch):
        return self.head(batch.x_a, self.lego(batch))


def _batch(dtype=torch.float32):
    gen = torch.Generator().manual_seed(0)
    graphs = [MultiSourceData(x_a=torch.randn(n, 3, generator=gen).to(dtype),
                              x_b=torch.randn(n, 5, generator=gen).to(dtype))
              for n in SIZES]
    batch = Batch.from_data_list(graphs)
    batch.x_a[2] = batch.x_a[1]  # a tie
    batch.x_b[3] = 0             # an all-zero row
    return batch


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_trains_and_every_parameter_gets_a_gradient(backend):
    torch.manual_seed(0)
    model, batch = Model(backend), _batch()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    y = torch.randint(2, (sum(SIZES), ))
    for step in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(batch), y)
        loss.backward()
        if step == 0:
            for name, p in model.named_parameters():
                assert p.grad is not None and bool(p.grad.isfinite().all()), name
                assert bool(p.grad.abs().sum() > 0), name
        opt.step()
    assert bool(loss.isfinite())


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_copies_and_reloads_give_the_same_model(backend, tmp_path):
    torch.manual_seed(0)
    model, batch = Model(backend), _batch()
    with torch.no_grad():  # away from the initial operator
        model.lego.fusion.A["a|b"].add_(0.1 * torch.randn(3, 3))
    model.eval()
    want = model(batch)
    torch.save(model, tmp_path / "model.pt")
    copies = [copy.deepcopy(model), pickle.loads(pickle.dumps(model)),
              torch.load(tmp_path / "model.pt", weights_only=False)]
    torch.manual_seed(1)
    fresh = Model(backend)
    fresh.load_state_dict(model.state_dict(), strict=True)
    for other in copies + [fresh.eval()]:
        assert torch.equal(other(batch), want)


def test_backends_searches_and_dtypes_agree():
    batch32, batch64 = _batch(), _batch(torch.float64)
    out = {}
    for backend in ("dense", "sparse"):
        for knn in ("exact", "approx", "auto"):
            torch.manual_seed(0)
            model = Model(backend, knn).eval()
            out[backend, knn, 32] = model(batch32)
            out[backend, knn, 64] = model.double()(batch64)
    ref = out["dense", "exact", 64]
    for key, value in out.items():
        assert value.dtype == (torch.float64 if key[2] == 64 else torch.float32), key
        tol = 1e-12 if key[2] == 64 else 1e-5
        assert torch.allclose(value.double(), ref, atol=tol), key


@pytest.mark.parametrize("make", [
    lambda: LEGO({"a": 3, "b": 5}, 2, proj_channels=4),
    lambda: LEGO({"a": 3, "b": 5, "c": 2}, 2, fusion="cp", rank=3, proj_channels=4),
    lambda: LEGOFusion(["a", "b", "c"], 2, mode="full"),
    lambda: RowHead(5, 4),
    lambda: LabelPropagationHead(scale=3.0),
])
def test_reset_parameters_gives_a_fresh_build(make):
    torch.manual_seed(1)
    want = make().state_dict()
    torch.manual_seed(1)
    module = make()
    with torch.no_grad():
        for p in module.parameters():
            p.add_(1.0)
    torch.manual_seed(1)
    module.reset_parameters()
    got = module.state_dict()
    assert got.keys() == want.keys()
    for key in want:
        assert torch.equal(got[key], want[key]), key


def test_pyg_layers_on_the_fused_edges_agree_across_backends():
    # GAT and SAGE read the edge list itself, not only its weights: the sparse
    # backend kept kNN edges whose similarity was clamped to 0 (and the paths
    # through them) as edges of weight 0 that the dense backend has not, so
    # their outputs moved with the backend (backend="auto" switches at
    # AUTO_DENSE_MAX_NODES)
    from torch_geometric.nn import GATConv, SAGEConv
    batch = _batch(torch.float64)
    torch.manual_seed(0)
    gat = GATConv(3, 2, edge_dim=1).double()
    sage = SAGEConv(3, 2).double()
    out = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        g = Model(backend).double().eval().lego(batch)
        out[backend] = (g.edge_index, gat(batch.x_a, g.edge_index, g.edge_weight[:, None]),
                        sage(batch.x_a, g.edge_index))
    assert torch.equal(out["dense"][0], out["sparse"][0])
    for got, want in zip(out["sparse"][1:], out["dense"][1:]):
        assert torch.allclose(got, want, rtol=0, atol=1e-12)
